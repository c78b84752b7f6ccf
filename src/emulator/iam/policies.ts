import { ApiError } from '../api-error.js';
import type { Emu } from '../context.js';
import type { AccountScope } from '../partitions.js';
import type { IamPolicy } from '../store/state.js';
import type { XmlNode } from '../xml.js';
import type { QueryOperations } from './handler.js';
import { managedPolicies, managedPolicy, MANAGED_POLICY_DATE, managedPolicyId } from './managed-policies.js';
import { checkPolicyDocument, encodePolicy } from './policy-document.js';
import { page } from './query-protocol.js';
import { iso, PATH, randomId, readTags, rolesOf } from './roles.js';

export const POLICY_NAME = { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/, patternText: '[\\w+=,.@-]+' };
const POLICY_ARN = { min: 20, max: 2048 };
const MAX_MANAGED_POLICY_CHARS = 6144;

/** A policy view over customer managed (stored) and AWS managed (built-in) policies. */
interface PolicyView {
  arn: string;
  name: string;
  id: string;
  path: string;
  document: string;
  created: number;
  updated: number;
  description?: string;
  aws: boolean;
  tags: Array<{ Key: string; Value: string }>;
}

function customer(emu: Emu): Record<string, IamPolicy> {
  return emu.store.state.iam.policies;
}

function policyPrefix(scope: AccountScope): string {
  return `arn:${scope.partition}:iam::${scope.account}:policy/`;
}

/** The caller's customer managed policies (each account has its own). */
function customerOf(emu: Emu, scope: AccountScope): IamPolicy[] {
  return Object.values(customer(emu)).filter((c) => c.arn.startsWith(policyPrefix(scope)));
}

/** A policy the caller can see: an AWS managed one of its partition, or one of its account's own. */
export function findPolicy(emu: Emu, scope: AccountScope, arn: string): PolicyView | undefined {
  const m = managedPolicy(arn);
  if (m && arn.startsWith(`arn:${scope.partition}:`))
    return {
      arn,
      name: m.name,
      id: managedPolicyId(arn),
      path: m.path,
      document: m.document,
      created: MANAGED_POLICY_DATE,
      updated: MANAGED_POLICY_DATE,
      aws: true,
      tags: [],
    };
  const c = arn.startsWith(policyPrefix(scope)) && Object.prototype.hasOwnProperty.call(customer(emu), arn) ? customer(emu)[arn] : undefined;
  if (!c) return undefined;
  return {
    arn,
    name: c.policyName,
    id: c.policyId,
    path: c.path,
    document: c.document,
    created: c.created,
    updated: c.updated,
    description: c.description,
    aws: false,
    tags: c.tags,
  };
}

export function mustPolicy(emu: Emu, scope: AccountScope, arn: string): PolicyView {
  const p = findPolicy(emu, scope, arn);
  if (!p) throw new ApiError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
  return p;
}

/** Attachments in the caller's account (AttachmentCount of an AWS managed policy is per account too). */
function attachments(emu: Emu, scope: AccountScope, arn: string): number {
  return rolesOf(emu, scope).filter((r) => r.attachedPolicies.includes(arn)).length;
}

function policyXml(emu: Emu, scope: AccountScope, p: PolicyView): XmlNode[] {
  return [
    ['PolicyName', p.name],
    ['PolicyId', p.id],
    ['Arn', p.arn],
    ['Path', p.path],
    ['DefaultVersionId', 'v1'],
    ['AttachmentCount', attachments(emu, scope, p.arn)],
    ['PermissionsBoundaryUsageCount', 0],
    ['IsAttachable', 'true'],
    ['Description', p.description],
    ['CreateDate', iso(p.created)],
    ['UpdateDate', iso(p.updated)],
    ...(p.tags.length > 0
      ? [
          [
            'Tags',
            p.tags.map(
              (t) =>
                [
                  'member',
                  [
                    ['Key', t.Key],
                    ['Value', t.Value],
                  ],
                ] as XmlNode,
            ),
          ] as XmlNode,
        ]
      : []),
  ];
}

export const policyOps: QueryOperations = {
  async CreatePolicy(emu, p, info) {
    const name = p.required('PolicyName', POLICY_NAME);
    const document = p.required('PolicyDocument', { min: 1, max: 131072 });
    const path = p.optional('Path', PATH) ?? '/';
    const description = p.optional('Description', { max: 1000 });
    const tags = readTags(p);
    checkPolicyDocument(document, MAX_MANAGED_POLICY_CHARS, 'PolicySize');
    const arn = `arn:${info.partition}:iam::${info.account}:policy${path}${name}`;
    if (customerOf(emu, info).some((c) => c.policyName.toLowerCase() === name.toLowerCase() && c.path === path)) {
      throw new ApiError('EntityAlreadyExists', `A policy called ${name} already exists. Duplicate names are not allowed.`, 409);
    }
    const now = Date.now();
    customer(emu)[arn] = { policyName: name, policyId: randomId('ANPA'), arn, path, description, document, created: now, updated: now, tags };
    await emu.store.commit();
    return [['Policy', policyXml(emu, info, findPolicy(emu, info, arn)!)]];
  },

  async GetPolicy(emu, p, info) {
    return [['Policy', policyXml(emu, info, mustPolicy(emu, info, p.required('PolicyArn', POLICY_ARN)))]];
  },

  async GetPolicyVersion(emu, p, info) {
    const policy = mustPolicy(emu, info, p.required('PolicyArn', POLICY_ARN));
    const version = p.required('VersionId', { pattern: /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/, patternText: 'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?' });
    if (version !== 'v1') throw new ApiError('NoSuchEntity', `Policy ${policy.arn} version ${version} does not exist.`, 404);
    return [
      [
        'PolicyVersion',
        [
          ['Document', encodePolicy(policy.document)],
          ['VersionId', 'v1'],
          ['IsDefaultVersion', 'true'],
          ['CreateDate', iso(policy.created)],
        ],
      ],
    ];
  },

  async DeletePolicy(emu, p, info) {
    const arn = p.required('PolicyArn', POLICY_ARN);
    const policy = mustPolicy(emu, info, arn);
    if (policy.aws) throw new ApiError('UnmodifiableEntity', `Cannot delete an AWS managed policy: ${arn}`, 400);
    if (attachments(emu, info, arn) > 0) throw new ApiError('DeleteConflict', 'Cannot delete a policy attached to entities.', 409);
    delete customer(emu)[arn];
    await emu.store.commit();
    return undefined;
  },

  async ListPolicies(emu, p, info) {
    const scope = p.optional('Scope') ?? 'All';
    if (!['All', 'AWS', 'Local'].includes(scope))
      throw new ApiError(
        'ValidationError',
        `1 validation error detected: Value '${scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]`,
      );
    const onlyAttached = p.bool('OnlyAttached') ?? false;
    const prefix = p.optional('PathPrefix', { min: 1, max: 512 }) ?? '/';
    const views = [
      ...(scope !== 'Local' ? managedPolicies(info.partition).map((m) => findPolicy(emu, info, m.arn)!) : []),
      ...(scope !== 'AWS' ? customerOf(emu, info).map((c) => findPolicy(emu, info, c.arn)!) : []),
    ]
      .filter((v) => v.path.startsWith(prefix) && (!onlyAttached || attachments(emu, info, v.arn) > 0))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const { items, truncated, marker } = page(emu, views, p);
    return [
      ['Policies', items.map((v) => ['member', policyXml(emu, info, v)] as XmlNode)],
      ['IsTruncated', truncated ? 'true' : 'false'],
      ...(marker ? [['Marker', marker] as XmlNode] : []),
    ];
  },
};
