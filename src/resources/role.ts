import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { isAlreadyExists, isNotFound } from '../aws/errors.js';
import type { Spec } from '../spec/types.js';
import { awsTags, inputsHashOf, longLivedName, prefixOf } from './naming.js';
import { awsFailure, readOrAbsent } from './lifecycle.js';
import type { StepDefinition } from './types.js';

export const ROLE_POLICY_NAME = 'segflow-s3-access';

/** Only Personalize, only on behalf of this account (confused-deputy protection). */
export function trustPolicy(account: string, region: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'personalize.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:aws:personalize:${region}:${account}:*` },
        },
      },
    ],
  };
}

/**
 * Least privilege: read the pipeline's prefix, list only under it, write only the segment output folder.
 * No AWS managed FullAccess policy anywhere.
 */
export function accessPolicy(spec: Spec): Record<string, unknown> {
  const bucket = spec.storage.bucket;
  const prefix = prefixOf(spec);
  const statements: Record<string, unknown>[] = [
    { Sid: 'ListPipelinePrefix', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}`, Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } } },
    { Sid: 'ReadPipelineObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/${prefix}*` },
    { Sid: 'WriteSegments', Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/${prefix}output/*` },
  ];
  if (spec.storage.kmsKeyArn) {
    statements.push({ Sid: 'UseBucketKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: spec.storage.kmsKeyArn });
  }
  return { Version: '2012-10-17', Statement: statements };
}

export const roleStep: StepDefinition = {
  id: 'role',
  kind: 'role',
  title: 'IAM role',
  deps: [],
  desired(ctx) {
    const inputs = { trust: trustPolicy(ctx.account, ctx.aws.region), access: accessPolicy(ctx.spec) };
    return { name: longLivedName(ctx.spec, 'personalize'), inputs, inputsHash: inputsHashOf(inputs) };
  },
  read({ aws, state }, desired) {
    return readOrAbsent(async () => {
      const r = await aws.iam.send(new GetRoleCommand({ RoleName: desired.name }));
      const recorded = state.step('role');
      const drift =
        recorded?.inputsHash && recorded.inputsHash !== desired.inputsHash ? ['policy documents changed (updated in place)'] : undefined;
      return { exists: true, name: desired.name, arn: r.Role?.Arn, phase: 'active', status: 'exists', ...(drift ? { drift } : {}) };
    });
  },
  async apply(ctx, desired) {
    const { aws, spec } = ctx;
    const RoleName = desired.name;
    await ctx.state.setStep('role', { phase: 'intent', name: RoleName, inputsHash: desired.inputsHash, inputs: desired.inputs });
    const trust = JSON.stringify(desired.inputs['trust']);
    let arn: string | undefined;
    let adopted = false;
    try {
      const r = await aws.iam.send(
        new CreateRoleCommand({
          RoleName,
          AssumeRolePolicyDocument: trust,
          Description: `segflow pipeline ${spec.name}: Personalize access to s3://${spec.storage.bucket}/${prefixOf(spec)}`,
          Tags: awsTags(spec, 'role'),
        }),
      );
      arn = r.Role?.Arn;
    } catch (e) {
      if (!isAlreadyExists(e)) throw awsFailure('role', `creating role ${RoleName}`, e);
      adopted = true;
      try {
        await aws.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: trust }));
        arn = (await aws.iam.send(new GetRoleCommand({ RoleName }))).Role?.Arn;
      } catch (e2) {
        throw awsFailure('role', `updating role ${RoleName}`, e2);
      }
    }
    try {
      await aws.iam.send(
        new PutRolePolicyCommand({ RoleName, PolicyName: ROLE_POLICY_NAME, PolicyDocument: JSON.stringify(desired.inputs['access']) }),
      );
    } catch (e) {
      throw awsFailure('role', `attaching the access policy to ${RoleName}`, e);
    }
    arn ??= `arn:aws:iam::${ctx.account}:role/${RoleName}`;
    await ctx.state.patchStep('role', { phase: 'done', arn });
    return { arn, adopted };
  },
  async destroy({ aws }, record) {
    const RoleName = record.name;
    if (!RoleName) return;
    try {
      const policies = await aws.iam.send(new ListRolePoliciesCommand({ RoleName }));
      for (const PolicyName of policies.PolicyNames ?? []) {
        await aws.iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName }));
      }
      await aws.iam.send(new DeleteRoleCommand({ RoleName }));
    } catch (e) {
      if (!isNotFound(e)) throw awsFailure('role', `deleting role ${RoleName}`, e);
    }
  },
};
