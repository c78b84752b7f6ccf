import { isAwsError } from '../aws/errors.js';
import type { Spec } from '../spec/types.js';
import type { Env, StepDefinition } from './types.js';
import { bucketArn, inputsHashOf, longLivedName, prefixOf, tagsFor } from './naming.js';
import { checkKey, ROLE_KEY_ACTIONS } from './kms-key.js';
import { awsFailure } from './failures.js';

export const ROLE_POLICY_NAME = 'segflow-s3-access';

/** Only Personalize, only on behalf of this account (confused-deputy protection). */
export function trustPolicy(env: Env): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'personalize.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': env.account },
          ArnLike: { 'aws:SourceArn': `arn:${env.partition}:personalize:${env.region}:${env.account}:*` },
        },
      },
    ],
  };
}

/**
 * Least privilege: read the pipeline's prefix, list only under it, write only the segment output folder.
 * No AWS managed FullAccess policy anywhere.
 */
export function accessPolicy(spec: Spec, env: Env): Record<string, unknown> {
  const bucket = bucketArn(env, spec.storage.bucket);
  const prefix = prefixOf(spec);
  const statements: Record<string, unknown>[] = [
    { Sid: 'ListPipelinePrefix', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket, Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } } },
    { Sid: 'ReadPipelineObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucket}/${prefix}*` },
    { Sid: 'WriteSegments', Effect: 'Allow', Action: 's3:PutObject', Resource: `${bucket}/${prefix}output/*` },
  ];
  if (spec.storage.kmsKeyArn) {
    // What Personalize needs of the role with a KMS-encrypted bucket (granting-personalize-key-access.html).
    statements.push({ Sid: 'UseBucketKey', Effect: 'Allow', Action: ROLE_KEY_ACTIONS, Resource: spec.storage.kmsKeyArn });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The role's name carries the region: a role is global, its trust policy names one region's Personalize, so the
 * same pipeline name in two regions needs two roles (IAM role names are at most 64 characters).
 */
export function roleName(spec: Spec, env: Pick<Env, 'region'>): string {
  const full = `${spec.name}-personalize-${env.region}`;
  return full.length <= 64 ? full : `${spec.name}-p-${env.region}`;
}

/** IAM role descriptions take Latin-1 only ([\t\n\r\u0020-\u007E\u00A1-\u00FF], botocore's roleDescriptionType), up to 1,000. */
export function roleDescription(text: string): string {
  return text.replace(/[^\t\n\r\u0020-\u007E\u00A1-\u00FF]/g, '?').slice(0, 1000);
}

export const roleStep: StepDefinition = {
  id: 'role',
  kind: 'role',
  title: 'IAM role',
  deps: [],
  desired({ spec, env }) {
    const name = roleName(spec, env);
    const inputs = { name, trust: trustPolicy(env), access: accessPolicy(spec, env) };
    return { name, inputs, inputsHash: inputsHashOf(inputs) };
  },
  tagging: (ctx, desired) => ({
    read: async () => (await ctx.aws.iam.getRole(desired.name))?.tags ?? {},
    async write(set, remove) {
      if (Object.keys(set).length > 0) await ctx.aws.iam.tagRole(desired.name, set);
      if (remove.length > 0) await ctx.aws.iam.untagRole(desired.name, remove);
    },
  }),
  async observe(ctx, desired, record) {
    const role = await ctx.aws.iam.getRole(desired.name);
    const arn = role?.arn ?? `arn:${ctx.env.partition}:iam::${ctx.env.account}:role/${desired.name}`;
    const notes = await checkKey(ctx, arn);
    if (!role) return { exists: false, ...(notes.length ? { notes } : {}) };
    const drift = record?.inputsHash && record.inputsHash !== desired.inputsHash ? ['policy documents changed (updated in place)'] : undefined;
    return {
      exists: true,
      name: desired.name,
      arn: role.arn,
      phase: 'active',
      status: 'exists',
      tags: role.tags,
      ...(drift ? { drift, updatable: true } : {}),
      ...(notes.length ? { notes } : {}),
    };
  },
  async apply(ctx, desired) {
    const { aws, spec } = ctx;
    const name = desired.name;
    const previous = ctx.state.step('role')?.name;
    if (previous && previous !== name) {
      // A renamed role (segflow 0.1 named roles without the region): the old one is destroy's to delete.
      await ctx.state.update((s) => {
        s.orphans = [...(s.orphans ?? []).filter((o) => !(o.kind === 'role' && o.name === previous)), { kind: 'role', arn: ctx.state.step('role')?.arn ?? previous, name: previous }];
      });
    }
    await ctx.state.setStep('role', { phase: 'intent', name, inputsHash: desired.inputsHash, inputs: desired.inputs });
    const trust = JSON.stringify(desired.inputs['trust']);
    let arn: string;
    let adopted = false;
    try {
      arn = await aws.iam.createRole({
        name,
        trustPolicy: trust,
        description: roleDescription(`segflow pipeline ${spec.name}: Personalize access to s3://${spec.storage.bucket}/${prefixOf(spec)}`),
        tags: tagsFor(spec, 'role'),
      });
    } catch (e) {
      if (!isAwsError(e, 'already-exists')) throw awsFailure('role', `creating role ${name}`, e);
      adopted = true;
      try {
        await aws.iam.updateAssumeRolePolicy(name, trust);
        arn = (await aws.iam.getRole(name))?.arn ?? `arn:${ctx.env.partition}:iam::${ctx.env.account}:role/${name}`;
      } catch (e2) {
        throw awsFailure('role', `updating role ${name}`, e2);
      }
    }
    try {
      await aws.iam.putRolePolicy(name, ROLE_POLICY_NAME, JSON.stringify(desired.inputs['access']));
    } catch (e) {
      throw awsFailure('role', `attaching the access policy to ${name}`, e);
    }
    await ctx.state.patchStep('role', { phase: 'done', arn });
    return { arn, adopted };
  },
  async status(ctx, record) {
    if (!record.name) return undefined;
    return (await ctx.aws.iam.getRole(record.name)) ? { exists: true, status: 'exists', phase: 'active' } : { exists: false };
  },
  async destroy(ctx) {
    const names = new Set([
      ctx.state.step('role')?.name ?? roleName(ctx.spec, ctx.env),
      roleName(ctx.spec, ctx.env),
      // The name segflow 0.1 gave the role, before it carried the region.
      longLivedName(ctx.spec, 'personalize'),
      ...(ctx.state.current.orphans ?? []).filter((o) => o.kind === 'role' && o.name).map((o) => o.name!),
    ]);
    const deleted: string[] = [];
    for (const name of names) {
      ctx.progress('role', { message: `deleting role ${name}` });
      try {
        if (!(await ctx.aws.iam.getRole(name))) continue;
        for (const policy of await ctx.aws.iam.listRolePolicies(name)) await ctx.aws.iam.deleteRolePolicy(name, policy);
        for (const attached of await ctx.aws.iam.listAttachedRolePolicies(name)) await ctx.aws.iam.detachRolePolicy(name, attached.arn);
        await ctx.aws.iam.deleteRole(name);
      } catch (e) {
        throw awsFailure('role', `deleting role ${name}`, e);
      }
      deleted.push(`role ${name}`);
    }
    return { deleted };
  },
};
