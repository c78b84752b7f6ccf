import { randomBytes } from 'node:crypto';
import { ApiError } from '../api-error.js';
import type { Emu } from '../context.js';
import type { AccountScope } from '../partitions.js';
import type { IamRole } from '../store/state.js';
import type { XmlNode } from '../xml.js';
import type { QueryOperations } from './handler.js';
import { checkPolicyDocument, encodePolicy } from './policy-document.js';
import { page, type Params } from './query-protocol.js';
import { roleChanging, roleCreated } from './propagation.js';
import { BOUNDARY_ARN, checkBoundary } from './boundaries.js';

export const ROLE_NAME = { min: 1, max: 64, pattern: /^[\w+=,.@-]+$/, patternText: '[\\w+=,.@-]+' };
export const PATH = { min: 1, max: 512, pattern: /^(\/|\/[\u0021-\u007E]+\/)$/, patternText: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)' };
const MAX_TRUST_POLICY = 2048;
const MAX_TAGS = 50;

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function randomId(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return prefix + [...randomBytes(17)].map((b) => alphabet[b % 32]).join('');
}

/** Every role of every account, by ARN. */
export function roles(emu: Emu): Record<string, IamRole> {
  return emu.store.state.iam.roles;
}

/** The caller's roles: IAM is global, but each account (in its partition) has its own. */
export function rolesOf(emu: Emu, scope: AccountScope): IamRole[] {
  const prefix = `arn:${scope.partition}:iam::${scope.account}:role/`;
  return Object.entries(roles(emu))
    .filter(([arn]) => arn.startsWith(prefix))
    .map(([, r]) => r);
}

/** Role names are case-insensitively unique in an account. */
export function findRole(emu: Emu, scope: AccountScope, name: string): IamRole | undefined {
  return rolesOf(emu, scope).find((r) => r.roleName.toLowerCase() === name.toLowerCase());
}

export function mustRole(emu: Emu, scope: AccountScope, name: string): IamRole {
  const r = findRole(emu, scope, name);
  if (!r) throw new ApiError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
  return r;
}

export function readTags(params: Params, name = 'Tags'): Array<{ Key: string; Value: string }> {
  const tags = params.members(name).map((m) => ({ Key: m.Key ?? '', Value: m.Value ?? '' }));
  for (const t of tags) {
    if (t.Key.length < 1 || t.Key.length > 128) throw new ApiError('ValidationError', `Tag key '${t.Key}' must be 1 to 128 characters long.`);
    if (t.Value.length > 256) throw new ApiError('ValidationError', `Tag value for '${t.Key}' must be at most 256 characters long.`);
  }
  if (tags.length > MAX_TAGS) throw new ApiError('LimitExceeded', `The number of tags has reached the maximum limit (${MAX_TAGS}).`, 409);
  return tags;
}

function tagNodes(tags: Array<{ Key: string; Value: string }>): XmlNode[] {
  return tags.map(
    (t) =>
      [
        'member',
        [
          ['Key', t.Key],
          ['Value', t.Value],
        ],
      ] as XmlNode,
  );
}

export function roleXml(r: IamRole, full: boolean): XmlNode[] {
  return [
    ['Path', r.path],
    ['RoleName', r.roleName],
    ['RoleId', r.roleId],
    ['Arn', r.arn],
    ['CreateDate', iso(r.created)],
    ['AssumeRolePolicyDocument', encodePolicy(r.assumeRolePolicyDocument)],
    ['Description', r.description],
    ['MaxSessionDuration', r.maxSessionDuration],
    ...(r.permissionsBoundary
      ? [
          [
            'PermissionsBoundary',
            [
              ['PermissionsBoundaryType', 'Policy'],
              ['PermissionsBoundaryArn', r.permissionsBoundary],
            ],
          ] as XmlNode,
        ]
      : []),
    ...(r.tags.length > 0 ? [['Tags', tagNodes(r.tags)] as XmlNode] : []),
    ...(full ? [['RoleLastUsed', []] as XmlNode] : []),
  ];
}

export const roleOps: QueryOperations = {
  async CreateRole(emu, p, info) {
    const roleName = p.required('RoleName', ROLE_NAME);
    const document = p.required('AssumeRolePolicyDocument', { min: 1, max: 131072 });
    const path = p.optional('Path', PATH) ?? '/';
    const description = p.optional('Description', { max: 1000 });
    const maxSessionDuration = p.int('MaxSessionDuration', 3600, 43200) ?? 3600;
    const boundaryArn = p.optional('PermissionsBoundary', BOUNDARY_ARN);
    const tags = readTags(p);
    checkPolicyDocument(document, MAX_TRUST_POLICY, 'ACLSizePerRole');
    if (findRole(emu, info, roleName)) throw new ApiError('EntityAlreadyExists', `Role with name ${roleName} already exists.`, 409);
    const permissionsBoundary = boundaryArn !== undefined ? checkBoundary(emu, info, boundaryArn) : undefined;
    const role: IamRole = {
      roleName,
      roleId: randomId('AROA'),
      path,
      arn: `arn:${info.partition}:iam::${info.account}:role${path}${roleName}`,
      created: Date.now(),
      assumeRolePolicyDocument: document,
      description,
      maxSessionDuration,
      ...(permissionsBoundary ? { permissionsBoundary } : {}),
      tags,
      inlinePolicies: {},
      attachedPolicies: [],
    };
    roleCreated(emu, role);
    roles(emu)[role.arn] = role;
    await emu.store.commit();
    return [['Role', roleXml(role, false)]];
  },

  async GetRole(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    return [['Role', roleXml(role, true)]];
  },

  async DeleteRole(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    if (Object.keys(role.inlinePolicies).length > 0) throw new ApiError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
    if (role.attachedPolicies.length > 0) throw new ApiError('DeleteConflict', 'Cannot delete entity, must detach all policies first.', 409);
    delete roles(emu)[role.arn];
    await emu.store.commit();
    return undefined;
  },

  async ListRoles(emu, p, info) {
    const prefix = p.optional('PathPrefix', { min: 1, max: 512 }) ?? '/';
    const all = rolesOf(emu, info)
      .filter((r) => r.path.startsWith(prefix))
      .sort((a, b) => (a.roleName.toLowerCase() < b.roleName.toLowerCase() ? -1 : 1));
    const { items, truncated, marker } = page(emu, all, p);
    return [
      ['Roles', items.map((r) => ['member', roleXml(r, false)] as XmlNode)],
      ['IsTruncated', truncated ? 'true' : 'false'],
      ...(marker ? [['Marker', marker] as XmlNode] : []),
    ];
  },

  async UpdateAssumeRolePolicy(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    const document = p.required('PolicyDocument', { min: 1, max: 131072 });
    checkPolicyDocument(document, MAX_TRUST_POLICY, 'ACLSizePerRole');
    roleChanging(emu, role);
    role.assumeRolePolicyDocument = document;
    await emu.store.commit();
    return undefined;
  },

  async TagRole(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    const tags = readTags(p);
    if (tags.length === 0)
      throw new ApiError('ValidationError', "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    const merged = new Map(role.tags.map((t) => [t.Key, t.Value]));
    for (const t of tags) merged.set(t.Key, t.Value);
    if (merged.size > MAX_TAGS) throw new ApiError('LimitExceeded', `The number of tags has reached the maximum limit (${MAX_TAGS}).`, 409);
    role.tags = [...merged].map(([Key, Value]) => ({ Key, Value }));
    await emu.store.commit();
    return undefined;
  },

  async UntagRole(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    const keys = new Set(p.members('TagKeys').map((m) => m[''] ?? ''));
    role.tags = role.tags.filter((t) => !keys.has(t.Key));
    await emu.store.commit();
    return undefined;
  },

  async ListRoleTags(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    const { items, truncated, marker } = page(emu, role.tags, p);
    return [['Tags', tagNodes(items)], ['IsTruncated', truncated ? 'true' : 'false'], ...(marker ? [['Marker', marker] as XmlNode] : [])];
  },
};
