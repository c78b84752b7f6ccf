import { isAwsError } from '../aws/errors.js';
import type { RoleInfo } from '../aws/ports.js';
import type { Spec } from '../spec/types.js';
import { SegflowError } from '../util/errors.js';
import type { Env, StepContext, StepDefinition } from './types.js';
import { TAG_PIPELINE, bucketArn, inputsHashOf, longLivedName, prefixOf, tagsFor } from './naming.js';
import { checkExternalRole, externalRoleName } from './role-external.js';
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

/** The boundary the role segflow creates must carry (iam.permissionsBoundary), if any. */
function boundaryOf(spec: Spec): string | undefined {
  return spec.iam?.permissionsBoundary;
}

/** The role segflow created for this pipeline carries its tag; any other role with that name is someone else's. */
export function isOurRole(spec: Spec, role: RoleInfo): boolean {
  return role.tags[TAG_PIPELINE] === spec.name;
}

function foreignRole(spec: Spec, role: RoleInfo): SegflowError {
  return new SegflowError(
    'PLAN_ROLE_FOREIGN',
    `IAM role ${role.name} exists and segflow did not create it for pipeline ${spec.name} (it has no tag ${TAG_PIPELINE}=${spec.name}): segflow will not adopt, change or delete it`,
    [
      'rename the pipeline (name: in the spec), so that segflow creates a role of its own',
      `or use this role as it is, never changed by segflow: iam: { roleArn: ${role.arn} } (plan then checks that it trusts Personalize and can reach the data)`,
      `if segflow did create it for this pipeline and the tag was removed, put the tag back: ${TAG_PIPELINE}=${spec.name}`,
    ],
  );
}

/** Reads the role by name; a role that is not this pipeline's is a refusal. */
async function ownRole(ctx: StepContext, name: string): Promise<RoleInfo | undefined> {
  const role = await ctx.aws.iam.getRole(name);
  if (role && !isOurRole(ctx.spec, role)) throw foreignRole(ctx.spec, role);
  return role;
}

export const roleStep: StepDefinition = {
  id: 'role',
  kind: 'role',
  title: 'IAM role',
  deps: [],
  desired({ spec, env }) {
    const external = spec.iam?.roleArn;
    if (external) {
      // Only what the role must allow: its name and ARN are the user's, segflow never writes it.
      const inputs = { external, needs: accessPolicy(spec, env) };
      return { name: externalRoleName(external), inputs, inputsHash: inputsHashOf(inputs) };
    }
    const name = roleName(spec, env);
    const boundary = boundaryOf(spec);
    const inputs = { name, trust: trustPolicy(env), access: accessPolicy(spec, env), ...(boundary ? { boundary } : {}) };
    return { name, inputs, inputsHash: inputsHashOf(inputs) };
  },
  tagging: (ctx, desired) =>
    ctx.spec.iam?.roleArn
      ? undefined // the user's role: its tags are its owner's
      : {
          read: async () => (await ctx.aws.iam.getRole(desired.name))?.tags ?? {},
          async write(set, remove) {
            if (Object.keys(set).length > 0) await ctx.aws.iam.tagRole(desired.name, set);
            if (remove.length > 0) await ctx.aws.iam.untagRole(desired.name, remove);
          },
        },
  async observe(ctx, desired, record) {
    const external = ctx.spec.iam?.roleArn;
    if (external) {
      const { role, notes } = await checkExternalRole(ctx, external);
      notes.push(...(await checkKey(ctx, external)));
      return {
        exists: true,
        name: desired.name,
        arn: role?.arn ?? external,
        phase: 'active',
        status: 'exists (iam.roleArn, not managed by segflow)',
        ...(notes.length ? { notes } : {}),
      };
    }
    const role = await ownRole(ctx, desired.name);
    const arn = role?.arn ?? `arn:${ctx.env.partition}:iam::${ctx.env.account}:role/${desired.name}`;
    const notes = await checkKey(ctx, arn);
    if (!role) return { exists: false, ...(notes.length ? { notes } : {}) };
    const drift: string[] = [];
    if (record?.inputsHash && record.inputsHash !== desired.inputsHash) drift.push('policy documents changed (updated in place)');
    const boundary = boundaryOf(ctx.spec);
    if (boundary && role.permissionsBoundary !== boundary)
      drift.push(`permissions boundary: ${role.permissionsBoundary ?? '(none)'} -> ${boundary} (set in place)`);
    return {
      exists: true,
      name: desired.name,
      arn: role.arn,
      phase: 'active',
      status: 'exists',
      tags: role.tags,
      ...(drift.length ? { drift: [...new Set(drift)], updatable: true } : {}),
      ...(notes.length ? { notes } : {}),
    };
  },
  async apply(ctx, desired) {
    const { aws, spec } = ctx;
    const name = desired.name;
    const previous = ctx.state.step('role');
    if (previous?.name && previous.name !== name && !previous.outputs?.['external']) {
      // A renamed role (segflow 0.1 named roles without the region), or one replaced by iam.roleArn: destroy's to delete.
      await ctx.state.update((s) => {
        s.orphans = [
          ...(s.orphans ?? []).filter((o) => !(o.kind === 'role' && o.name === previous.name)),
          { kind: 'role', arn: previous.arn ?? previous.name!, name: previous.name! },
        ];
      });
    }
    const external = spec.iam?.roleArn;
    if (external) {
      await checkExternalRole(ctx, external);
      await ctx.state.setStep('role', {
        phase: 'done',
        name,
        arn: external,
        inputsHash: desired.inputsHash,
        inputs: desired.inputs,
        outputs: { external: true },
      });
      return { arn: external, adopted: true, note: 'iam.roleArn: used as it is, never changed by segflow' };
    }
    await ctx.state.setStep('role', { phase: 'intent', name, inputsHash: desired.inputsHash, inputs: desired.inputs });
    const trust = JSON.stringify(desired.inputs['trust']);
    const boundary = boundaryOf(spec);
    let arn: string;
    let adopted = false;
    try {
      arn = await aws.iam.createRole({
        name,
        trustPolicy: trust,
        description: roleDescription(`segflow pipeline ${spec.name}: Personalize access to s3://${spec.storage.bucket}/${prefixOf(spec)}`),
        tags: tagsFor(spec, 'role'),
        ...(boundary ? { permissionsBoundary: boundary } : {}),
      });
    } catch (e) {
      if (!isAwsError(e, 'already-exists')) throw awsFailure('role', `creating role ${name}`, e);
      adopted = true;
      try {
        // Created by an interrupted run of this pipeline (it carries the tag), or someone else's: then nothing is touched.
        const role = await ownRole(ctx, name);
        arn = role?.arn ?? `arn:${ctx.env.partition}:iam::${ctx.env.account}:role/${name}`;
        if (boundary && role?.permissionsBoundary !== boundary) await aws.iam.putRolePermissionsBoundary(name, boundary);
        await aws.iam.updateAssumeRolePolicy(name, trust);
      } catch (e2) {
        if (e2 instanceof SegflowError) throw e2;
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
  /**
   * Deletes the roles segflow created for this pipeline (its current name, the name segflow 0.1 gave it, and any it
   * replaced), each only if it carries the pipeline's tag; a role given as iam.roleArn is never touched.
   */
  async destroy(ctx) {
    const external = ctx.spec.iam?.roleArn ? externalRoleName(ctx.spec.iam.roleArn) : undefined;
    const recorded = ctx.state.step('role');
    const names = new Set([
      ...(recorded?.name && !recorded.outputs?.['external'] ? [recorded.name] : []),
      // The names this pipeline gives its role (now, and in segflow 0.1, before it carried the region); with
      // iam.roleArn only those the state says segflow made, since its CI policy may read no other role.
      ...(external ? [] : [roleName(ctx.spec, ctx.env), longLivedName(ctx.spec, 'personalize')]),
      ...(ctx.state.current.orphans ?? []).filter((o) => o.kind === 'role' && o.name).map((o) => o.name!),
    ]);
    if (external) names.delete(external);
    const deleted: string[] = [];
    const kept: string[] = external ? [`role ${external} (iam.roleArn: not segflow's, left as it is)`] : [];
    for (const name of names) {
      try {
        const role = await ctx.aws.iam.getRole(name);
        if (!role) continue;
        if (!isOurRole(ctx.spec, role)) {
          kept.push(`role ${name}: not created by segflow for this pipeline (no tag ${TAG_PIPELINE}=${ctx.spec.name}), left as it is`);
          continue;
        }
        ctx.progress('role', { message: `deleting role ${name}` });
        for (const policy of await ctx.aws.iam.listRolePolicies(name)) await ctx.aws.iam.deleteRolePolicy(name, policy);
        for (const attached of await ctx.aws.iam.listAttachedRolePolicies(name)) await ctx.aws.iam.detachRolePolicy(name, attached.arn);
        await ctx.aws.iam.deleteRole(name);
      } catch (e) {
        if (external && isAwsError(e, 'access-denied')) {
          kept.push(`role ${name}: segflow made it before iam.roleArn, and these credentials may not delete it (${e.code}); delete it by hand`);
          continue;
        }
        throw awsFailure('role', `deleting role ${name}`, e);
      }
      deleted.push(`role ${name}`);
    }
    return { deleted, kept };
  },
};
