/**
 * In-memory IAM (roles, inline and attached policies), STS (one identity) and KMS (keys and their policies)
 * behind their ports, with IAM's wire codes (NoSuchEntity 404, EntityAlreadyExists / DeleteConflict /
 * LimitExceeded 409, MalformedPolicyDocument 400) and KMS's NotFoundException.
 */
import { randomUUID } from 'node:crypto';
import type { CallerIdentity, IamPort, KeyInfo, KmsPort, RoleInfo, StsPort, Tags } from '../../../src/aws/ports.js';
import { fail, pagesOf, type FakeCore } from './core.js';
import { authorize } from '../../../src/emulator/iam/evaluate.js';
import { managedPolicy } from '../../../src/emulator/iam/managed-policies.js';
import { parsePolicy } from '../../../src/emulator/iam/policy.js';

export interface FakeRole {
  arn: string;
  name: string;
  trustPolicy: string;
  description: string;
  tags: Tags;
  createdAt: Date;
  inline: Map<string, string>;
  /** Attached managed policies: ARN -> name. */
  attached: Map<string, string>;
  permissionsBoundary?: string;
}

export interface FakeKey {
  arn: string;
  keyId: string;
  enabled: boolean;
  keyState: string;
  policy: string;
  aliases: string[];
}

const MAX_ROLE_TAGS = 50;

function policyDocument(text: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    fail('MalformedPolicyDocument', 'Syntax errors in policy.', 400);
  }
  if (typeof doc !== 'object' || doc === null || (doc as { Statement?: unknown }).Statement === undefined)
    fail('MalformedPolicyDocument', 'Syntax errors in policy.', 400);
}

export class FakeIam {
  /** Keyed by lower-cased name: role names are unique regardless of case. */
  readonly roles = new Map<string, FakeRole>();
  /** Customer managed policies (boundaries, attached policies) by ARN: their documents. */
  readonly policies = new Map<string, string>();

  constructor(
    private readonly core: FakeCore,
    private readonly partition: string,
    private readonly account: string,
  ) {}

  role(name: string): FakeRole {
    return this.roles.get(name.toLowerCase()) ?? fail('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
  }

  /** Whether Personalize could assume this role ARN (it exists in this account). */
  roleExists(arn: string): boolean {
    return [...this.roles.values()].some((r) => r.arn === arn);
  }

  /** What someone else did out of band (segflow never attaches managed policies). */
  attachRolePolicy(roleName: string, policyArn: string): void {
    this.role(roleName).attached.set(policyArn, policyArn.split('/').pop() ?? policyArn);
  }

  port(): IamPort {
    const c = this.core;
    const I = 'iam';
    return {
      getRole: (name) =>
        c.read(I, 'GetRole', () => {
          const r = this.role(name);
          const info: RoleInfo = {
            arn: r.arn,
            name: r.name,
            trustPolicy: r.trustPolicy,
            description: r.description,
            tags: { ...r.tags },
            createdAt: r.createdAt,
          };
          if (r.permissionsBoundary) info.permissionsBoundary = r.permissionsBoundary;
          return info;
        }),
      createRole: ({ name, trustPolicy, description, tags, permissionsBoundary }) =>
        c.run(I, 'CreateRole', () => {
          if (!/^[\w+=,.@-]{1,64}$/.test(name))
            fail('ValidationError', `1 validation error detected: Value '${name}' at 'roleName' failed to satisfy constraint`, 400);
          if (Object.keys(tags).length > MAX_ROLE_TAGS) fail('LimitExceeded', `The number of tags has reached the maximum limit (${MAX_ROLE_TAGS}).`, 409);
          if (this.roles.has(name.toLowerCase())) fail('EntityAlreadyExists', `Role with name ${name} already exists.`, 409);
          policyDocument(trustPolicy);
          const arn = `arn:${this.partition}:iam::${this.account}:role/${name}`;
          if (permissionsBoundary !== undefined && !this.policies.has(permissionsBoundary))
            fail('NoSuchEntity', `Policy ${permissionsBoundary} does not exist or is not attachable.`, 404);
          this.roles.set(name.toLowerCase(), {
            arn,
            name,
            trustPolicy,
            description,
            tags: { ...tags },
            createdAt: new Date(),
            inline: new Map(),
            attached: new Map(),
            ...(permissionsBoundary ? { permissionsBoundary } : {}),
          });
          c.log.push(`create role ${name}`);
          return arn;
        }),
      putRolePermissionsBoundary: (name, policyArn) =>
        c.run(I, 'PutRolePermissionsBoundary', () => {
          if (!this.policies.has(policyArn)) fail('NoSuchEntity', `Policy ${policyArn} does not exist or is not attachable.`, 404);
          this.role(name).permissionsBoundary = policyArn;
        }),
      simulatePrincipalPolicy: ({ roleArn, actions, resource, context }) =>
        c.run(I, 'SimulatePrincipalPolicy', () => {
          const r = [...this.roles.values()].find((x) => x.arn === roleArn) ?? fail('NoSuchEntity', `The user, group or role ${roleArn} cannot be found.`, 404);
          const docs = [
            ...r.inline.values(),
            ...[...r.attached.keys()].map((a) => this.policies.get(a) ?? managedPolicy(a)?.document).filter((d): d is string => d !== undefined),
          ];
          const boundary = r.permissionsBoundary ? this.policies.get(r.permissionsBoundary) : undefined;
          const principal = { kind: 'role' as const, account: this.account, roleArn, sessionArn: roleArn };
          return actions.map((action) => {
            const d = authorize({
              request: { principal, action, resource, context: context ?? {} },
              identityPolicies: docs.map(parsePolicy),
              ...(boundary ? { boundary: parsePolicy(boundary) } : {}),
              resourceAccount: this.account,
            });
            return {
              action,
              resource,
              decision: d.allowed ? ('allowed' as const) : d.reason === 'explicit-deny' ? ('explicitDeny' as const) : ('implicitDeny' as const),
            };
          });
        }),
      updateAssumeRolePolicy: (name, policy) =>
        c.run(I, 'UpdateAssumeRolePolicy', () => {
          const r = this.role(name);
          policyDocument(policy);
          r.trustPolicy = policy;
        }),
      getRolePolicy: (name, policyName) =>
        c.read(
          I,
          'GetRolePolicy',
          () => this.role(name).inline.get(policyName) ?? fail('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`, 404),
        ),
      putRolePolicy: (name, policyName, policy) =>
        c.run(I, 'PutRolePolicy', () => {
          const r = this.role(name);
          policyDocument(policy);
          r.inline.set(policyName, policy);
          c.log.push(`put role policy ${name}/${policyName}`);
        }),
      deleteRolePolicy: (name, policyName) =>
        c.remove(I, 'DeleteRolePolicy', () => {
          if (!this.role(name).inline.delete(policyName)) fail('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`, 404);
        }),
      listRolePolicies: async (name) => {
        const names = [...(this.roles.get(name.toLowerCase())?.inline.keys() ?? [])];
        return (await c.read(I, 'ListRolePolicies', () => (this.role(name), names), pagesOf(names.length, 100))) ?? [];
      },
      listAttachedRolePolicies: async (name) => {
        const attached = [...(this.roles.get(name.toLowerCase())?.attached ?? [])].map(([arn, policyName]) => ({ arn, name: policyName }));
        return (await c.read(I, 'ListAttachedRolePolicies', () => (this.role(name), attached), pagesOf(attached.length, 100))) ?? [];
      },
      detachRolePolicy: (name, policyArn) =>
        c.remove(I, 'DetachRolePolicy', () => {
          if (!this.role(name).attached.delete(policyArn)) fail('NoSuchEntity', `Policy ${policyArn} was not found.`, 404);
        }),
      deleteRole: (name) =>
        c.remove(I, 'DeleteRole', () => {
          const r = this.role(name);
          if (r.inline.size > 0) fail('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
          if (r.attached.size > 0) fail('DeleteConflict', 'Cannot delete entity, must detach all policies first.', 409);
          this.roles.delete(name.toLowerCase());
          c.log.push(`delete role ${r.name}`);
        }),
      tagRole: (name, tags) =>
        c.run(I, 'TagRole', () => {
          const r = this.role(name);
          const merged = { ...r.tags, ...tags };
          if (Object.keys(merged).length > MAX_ROLE_TAGS) fail('LimitExceeded', `The number of tags has reached the maximum limit (${MAX_ROLE_TAGS}).`, 409);
          r.tags = merged;
        }),
      untagRole: (name, keys) =>
        c.run(I, 'UntagRole', () => {
          const r = this.role(name);
          for (const k of keys) delete r.tags[k];
        }),
    };
  }
}

export class FakeSts {
  /** Who the credentials belong to. */
  identity: CallerIdentity;

  constructor(
    private readonly core: FakeCore,
    partition: string,
    account: string,
  ) {
    this.identity = { account, arn: `arn:${partition}:iam::${account}:root` };
  }

  port(): StsPort {
    return { getCallerIdentity: () => this.core.run('sts', 'GetCallerIdentity', () => ({ ...this.identity })) };
  }
}

export class FakeKms {
  readonly keys = new Map<string, FakeKey>();

  constructor(
    private readonly core: FakeCore,
    private readonly partition: string,
    private readonly region: string,
    private readonly account: string,
  ) {}

  /** A customer managed key (enabled unless told otherwise); returns what DescribeKey would say of it. */
  addKey(options: { keyId?: string; enabled?: boolean; keyState?: string; policy?: string; alias?: string } = {}): KeyInfo {
    const keyId = options.keyId ?? randomUUID();
    const enabled = options.enabled ?? true;
    const key: FakeKey = {
      arn: `arn:${this.partition}:kms:${this.region}:${this.account}:key/${keyId}`,
      keyId,
      enabled,
      keyState: options.keyState ?? (enabled ? 'Enabled' : 'Disabled'),
      policy:
        options.policy ??
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'Enable IAM User Permissions',
              Effect: 'Allow',
              Principal: { AWS: `arn:${this.partition}:iam::${this.account}:root` },
              Action: 'kms:*',
              Resource: '*',
            },
          ],
        }),
      aliases: options.alias ? [options.alias] : [],
    };
    this.keys.set(keyId, key);
    return { arn: key.arn, keyId, enabled: key.enabled, keyState: key.keyState };
  }

  /** A key by id, ARN or alias ("alias/name" or its ARN). */
  private key(ref: string): FakeKey {
    const alias = ref.includes(':alias/') ? ref.slice(ref.indexOf(':alias/') + 1) : ref;
    const found = [...this.keys.values()].find((k) => k.keyId === ref || k.arn === ref || k.aliases.includes(alias));
    return found ?? fail('NotFoundException', `Key '${ref}' does not exist`);
  }

  port(): KmsPort {
    return {
      describeKey: (keyId) =>
        this.core.read('kms', 'DescribeKey', () => {
          const k = this.key(keyId);
          return { arn: k.arn, keyId: k.keyId, enabled: k.enabled, keyState: k.keyState };
        }),
      getKeyPolicy: (keyId) => this.core.read('kms', 'GetKeyPolicy', () => this.key(keyId).policy),
    };
  }
}
