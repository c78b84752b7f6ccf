/**
 * IamPort over @aws-sdk/client-iam. IAM returns policy documents URL-encoded (RFC 3986; the GetRole and
 * GetRolePolicy docs in botocore's iam service-2.json say "some SDKs do this decoding automatically" — SDK v3
 * does not), so they are decoded here. Lists page on Marker while IsTruncated.
 */
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { PortCalls, tagRecord } from './port-call.js';
import type { IamPort, RoleInfo } from './ports.js';

/** A policy document as IAM returns it; a document that is not URL-encoded (an emulator's) is returned as is. */
export function decodePolicyDocument(doc: string | undefined): string {
  if (doc === undefined) return '';
  try {
    return decodeURIComponent(doc);
  } catch {
    return doc;
  }
}

export function sdkIamPort(client: IAMClient): IamPort {
  const c = new PortCalls('iam');
  const truncated = (p: { IsTruncated?: boolean; Marker?: string }) => (p.IsTruncated ? p.Marker : undefined);
  return {
    getRole: (name) =>
      c.read('GetRole', async () => {
        const r = (await client.send(new GetRoleCommand({ RoleName: name }))).Role;
        const role: RoleInfo = {
          arn: r?.Arn ?? '',
          name: r?.RoleName ?? name,
          trustPolicy: decodePolicyDocument(r?.AssumeRolePolicyDocument),
          tags: tagRecord(r?.Tags),
        };
        if (r?.Description !== undefined) role.description = r.Description;
        if (r?.PermissionsBoundary?.PermissionsBoundaryArn) role.permissionsBoundary = r.PermissionsBoundary.PermissionsBoundaryArn;
        if (r?.CreateDate) role.createdAt = r.CreateDate;
        return role;
      }),
    createRole: ({ name, trustPolicy, description, tags, permissionsBoundary }) =>
      c.run('CreateRole', async () => {
        const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
        const r = await client.send(
          new CreateRoleCommand({
            RoleName: name,
            AssumeRolePolicyDocument: trustPolicy,
            Description: description,
            ...(Tags.length > 0 ? { Tags } : {}),
            ...(permissionsBoundary ? { PermissionsBoundary: permissionsBoundary } : {}),
          }),
        );
        if (!r.Role?.Arn) throw new Error('the CreateRole answer carried no ARN');
        return r.Role.Arn;
      }),
    async putRolePermissionsBoundary(name, policyArn) {
      await c.run('PutRolePermissionsBoundary', () => client.send(new PutRolePermissionsBoundaryCommand({ RoleName: name, PermissionsBoundary: policyArn })));
    },
    simulatePrincipalPolicy: async ({ roleArn, actions, resource, context }) => {
      const ContextEntries = Object.entries(context ?? {}).map(([ContextKeyName, value]) => ({
        ContextKeyName,
        ContextKeyValues: [value],
        ContextKeyType: 'string' as const,
      }));
      // Not c.pages: a role that is not there is an error here (NoSuchEntity), not an empty list.
      const results = [];
      for (let Marker: string | undefined; ;) {
        const marker = Marker;
        const page = await c.run('SimulatePrincipalPolicy', () =>
          client.send(
            new SimulatePrincipalPolicyCommand({
              PolicySourceArn: roleArn,
              ActionNames: actions,
              ResourceArns: [resource],
              ...(ContextEntries.length ? { ContextEntries } : {}),
              Marker: marker,
            }),
          ),
        );
        results.push(...(page.EvaluationResults ?? []));
        Marker = truncated(page);
        if (!Marker) break;
      }
      return results.map((r) => ({ action: r.EvalActionName ?? '', resource, decision: r.EvalDecision ?? 'implicitDeny' }));
    },
    async updateAssumeRolePolicy(name, policy) {
      await c.run('UpdateAssumeRolePolicy', () => client.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: policy })));
    },
    getRolePolicy: (name, policyName) =>
      c.read('GetRolePolicy', async () =>
        decodePolicyDocument((await client.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName }))).PolicyDocument),
      ),
    async putRolePolicy(name, policyName, policy) {
      await c.run('PutRolePolicy', () => client.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: policyName, PolicyDocument: policy })));
    },
    deleteRolePolicy: (name, policyName) =>
      c.remove('DeleteRolePolicy', () => client.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policyName }))),
    listRolePolicies: (name) =>
      c.pages(
        'ListRolePolicies',
        (Marker) => client.send(new ListRolePoliciesCommand({ RoleName: name, Marker })),
        (p) => p.PolicyNames,
        truncated,
      ),
    listAttachedRolePolicies: async (name) =>
      (
        await c.pages(
          'ListAttachedRolePolicies',
          (Marker) => client.send(new ListAttachedRolePoliciesCommand({ RoleName: name, Marker })),
          (p) => p.AttachedPolicies,
          truncated,
        )
      ).map((p) => ({ arn: p.PolicyArn ?? '', name: p.PolicyName ?? '' })),
    detachRolePolicy: (name, policyArn) =>
      c.remove('DetachRolePolicy', () => client.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: policyArn }))),
    // DeleteConflict (inline or attached policies left) is kind in-use.
    deleteRole: (name) => c.remove('DeleteRole', () => client.send(new DeleteRoleCommand({ RoleName: name }))),
    async tagRole(name, tags) {
      await c.run('TagRole', () => client.send(new TagRoleCommand({ RoleName: name, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) })));
    },
    async untagRole(name, keys) {
      await c.run('UntagRole', () => client.send(new UntagRoleCommand({ RoleName: name, TagKeys: keys })));
    },
  };
}
