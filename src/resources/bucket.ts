import type { S3Port } from '../aws/ports.js';
import { isAwsError } from '../aws/errors.js';
import { SegflowError } from '../util/errors.js';
import type { Env, StepContext, StepDefinition } from './types.js';
import { bucketArn, inputsHashOf, prefixOf, tagsFor } from './naming.js';
import { awsFailure } from './lifecycle.js';

/**
 * TLS-only for everyone; and Personalize (acting for this account only) may read the pipeline's prefix and write
 * its output folder, which batch workflows require besides the role.
 */
export function bucketPolicy(env: Env, bucket: string, prefix: string): string {
  const arn = bucketArn(env, bucket);
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'PersonalizeReadsPipelinePrefix',
        Effect: 'Allow',
        Principal: { Service: 'personalize.amazonaws.com' },
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: [arn, `${arn}/${prefix}*`],
        Condition: { StringEquals: { 'aws:SourceAccount': env.account } },
      },
      {
        Sid: 'PersonalizeWritesSegments',
        Effect: 'Allow',
        Principal: { Service: 'personalize.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `${arn}/${prefix}output/*`,
        Condition: { StringEquals: { 'aws:SourceAccount': env.account } },
      },
    ],
  });
}

async function bucketAccess(ctx: StepContext, bucket: string) {
  const access = await ctx.aws.s3.headBucket(bucket);
  if (access === 'forbidden') {
    throw new SegflowError('PLAN_BUCKET_FORBIDDEN', `storage.bucket ${bucket} exists but this identity may not use it (S3 answers 403 Forbidden)`, [
      'bucket names are global: another account probably owns it; choose another storage.bucket',
    ]);
  }
  return access;
}

export const bucketStep: StepDefinition = {
  id: 'bucket',
  kind: 'bucket',
  title: 'S3 bucket',
  deps: [],
  desired({ spec, env }) {
    const inputs = { bucket: spec.storage.bucket, kmsKeyArn: spec.storage.kmsKeyArn ?? null, policy: JSON.parse(bucketPolicy(env, spec.storage.bucket, prefixOf(spec))), publicAccessBlock: true };
    return { name: spec.storage.bucket, inputs, inputsHash: inputsHashOf(inputs) };
  },
  async observe(ctx, desired, record) {
    if ((await bucketAccess(ctx, desired.name)) === 'absent') return { exists: false };
    // Policy, encryption and access block are re-applied in place when they changed (e.g. a new prefix).
    const drift = record?.inputsHash && record.inputsHash !== desired.inputsHash ? ['bucket configuration changed (updated in place)'] : undefined;
    return { exists: true, name: desired.name, arn: bucketArn(ctx.env, desired.name), phase: 'active', status: 'exists', ...(drift ? { drift } : {}) };
  },
  async apply(ctx, desired) {
    const { aws, spec } = ctx;
    const bucket = desired.name;
    const arn = bucketArn(ctx.env, bucket);
    const previous = ctx.state.step('bucket')?.name;
    if (previous && previous !== bucket) {
      // storage.bucket changed: the old bucket is no longer ours to use, but destroy must still remove it.
      const old = bucketArn(ctx.env, previous);
      await ctx.state.update((s) => {
        s.orphans = [...(s.orphans ?? []).filter((o) => o.arn !== old), { kind: 'bucket', arn: old, name: previous }];
      });
    }
    await ctx.state.setStep('bucket', { phase: 'intent', name: bucket, inputsHash: desired.inputsHash, inputs: desired.inputs });
    let adopted = false;
    try {
      adopted = (await aws.s3.createBucket(bucket)) === 'owned';
    } catch (e) {
      throw awsFailure('bucket', `creating bucket ${bucket}`, e);
    }
    try {
      await aws.s3.putPublicAccessBlock(bucket, { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true });
      await aws.s3.putBucketEncryption(
        bucket,
        spec.storage.kmsKeyArn ? { algorithm: 'aws:kms', kmsKeyArn: spec.storage.kmsKeyArn, bucketKeyEnabled: true } : { algorithm: 'AES256', bucketKeyEnabled: false },
      );
      await aws.s3.putBucketPolicy(bucket, bucketPolicy(ctx.env, bucket, prefixOf(spec)));
      try {
        await aws.s3.putBucketTagging(bucket, tagsFor(spec, 'bucket'));
      } catch (e) {
        // The local emulator may not implement bucket tagging; on AWS a failure here is real.
        if (!(spec.target.kind === 'local' && isAwsError(e) && e.code === 'NotImplemented')) throw e;
      }
    } catch (e) {
      throw awsFailure('bucket', `configuring bucket ${bucket}`, e);
    }
    await ctx.state.patchStep('bucket', { phase: 'done', arn });
    return { arn, adopted };
  },
  async status(ctx, record) {
    if (!record.name) return undefined;
    return (await ctx.aws.s3.headBucket(record.name)) === 'owned' ? { exists: true, status: 'exists', phase: 'active' } : { exists: false };
  },
  async destroy(ctx) {
    const { spec } = ctx;
    const old = (ctx.state.current.orphans ?? []).filter((o) => o.kind === 'bucket' && o.name && o.name !== spec.storage.bucket).map((o) => o.name!);
    if (ctx.keepData) {
      return {
        kept: [...old.map((b) => `bucket s3://${b} (an earlier storage.bucket; --keep-data)`), `bucket s3://${spec.storage.bucket} (--keep-data)`],
        stillBilling: [`S3 storage of s3://${spec.storage.bucket} (kept with --keep-data)`],
      };
    }
    const deleted: string[] = [];
    for (const bucket of [...old, spec.storage.bucket]) {
      ctx.progress('bucket', { message: `emptying and deleting s3://${bucket}` });
      try {
        await emptyBucket(ctx.aws.s3, bucket, '');
        await ctx.aws.s3.deleteBucket(bucket);
      } catch (e) {
        throw awsFailure('bucket', `deleting bucket ${bucket}`, e);
      }
      deleted.push(`bucket ${bucket}`);
    }
    return { deleted };
  },
};

/** Deletes every object under `prefix`. An absent bucket has nothing to delete. */
export async function emptyBucket(s3: S3Port, bucket: string, prefix: string): Promise<number> {
  if ((await s3.headBucket(bucket)) !== 'owned') return 0;
  const objects = await s3.listObjects(bucket, prefix);
  if (objects.length === 0) return 0;
  const { deleted, errors } = await s3.deleteObjects(bucket, objects.map((o) => ({ key: o.key })));
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new SegflowError('AWS_CALL_FAILED', `could not delete ${errors.length} object(s) in s3://${bucket}, e.g. ${first.key}: ${first.code}: ${first.message}`);
  }
  return deleted;
}
