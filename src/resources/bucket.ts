import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { errorName, isAlreadyExists, isNotFound } from '../aws/errors.js';
import { awsTags, inputsHashOf, prefixOf } from './naming.js';
import { awsFailure, readOrAbsent } from './lifecycle.js';
import type { StepDefinition } from './types.js';

/**
 * TLS-only for everyone; and Personalize (acting for this account only) may read the pipeline's prefix and write
 * its output folder, which batch workflows require besides the role.
 */
export function bucketPolicy(bucket: string, prefix: string, account: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'PersonalizeReadsPipelinePrefix',
        Effect: 'Allow',
        Principal: { Service: 'personalize.amazonaws.com' },
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/${prefix}*`],
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
      {
        Sid: 'PersonalizeWritesSegments',
        Effect: 'Allow',
        Principal: { Service: 'personalize.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${bucket}/${prefix}output/*`,
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
    ],
  });
}

export const bucketStep: StepDefinition = {
  id: 'bucket',
  kind: 'bucket',
  title: 'S3 bucket',
  deps: [],
  desired(ctx) {
    const { spec } = ctx;
    const inputs = { bucket: spec.storage.bucket, kmsKeyArn: spec.storage.kmsKeyArn ?? null, policy: JSON.parse(bucketPolicy(spec.storage.bucket, prefixOf(spec), ctx.account)), publicAccessBlock: true };
    return { name: spec.storage.bucket, inputs, inputsHash: inputsHashOf(inputs) };
  },
  read({ aws, state }, desired) {
    return readOrAbsent(async () => {
      await aws.s3.send(new HeadBucketCommand({ Bucket: desired.name }));
      const recorded = state.step('bucket');
      // Policy, encryption and access block are re-applied in place when they changed (e.g. a new prefix).
      const drift = recorded?.inputsHash && recorded.inputsHash !== desired.inputsHash ? ['bucket configuration changed (updated in place)'] : undefined;
      return { exists: true, name: desired.name, arn: `arn:aws:s3:::${desired.name}`, phase: 'active', status: 'exists', ...(drift ? { drift } : {}) };
    });
  },
  async apply(ctx, desired) {
    const { aws, spec } = ctx;
    const Bucket = desired.name;
    const previous = ctx.state.step('bucket')?.name;
    if (previous && previous !== Bucket) {
      // storage.bucket changed: the old bucket is no longer ours to use, but destroy must still remove it.
      await ctx.state.update((s) => {
        s.orphans = [...(s.orphans ?? []).filter((o) => o.arn !== `arn:aws:s3:::${previous}`), { kind: 'bucket', arn: `arn:aws:s3:::${previous}`, name: previous }];
      });
    }
    await ctx.state.setStep('bucket', { phase: 'intent', name: Bucket, inputsHash: desired.inputsHash, inputs: desired.inputs });
    let adopted = false;
    try {
      await aws.s3.send(
        new CreateBucketCommand({
          Bucket,
          ...(aws.region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: aws.region as never } } : {}),
        }),
      );
    } catch (e) {
      if (!isAlreadyExists(e)) throw awsFailure('bucket', `creating bucket ${Bucket}`, e);
      adopted = true;
    }
    try {
      await aws.s3.send(
        new PutPublicAccessBlockCommand({
          Bucket,
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
        }),
      );
      await aws.s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [
              {
                ApplyServerSideEncryptionByDefault: spec.storage.kmsKeyArn
                  ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: spec.storage.kmsKeyArn }
                  : { SSEAlgorithm: 'AES256' },
                BucketKeyEnabled: Boolean(spec.storage.kmsKeyArn),
              },
            ],
          },
        }),
      );
      await aws.s3.send(new PutBucketPolicyCommand({ Bucket, Policy: bucketPolicy(Bucket, prefixOf(spec), ctx.account) }));
      try {
        await aws.s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: awsTags(spec, 'bucket') } }));
      } catch (e) {
        // The local emulator does not implement bucket tagging; on AWS a failure here is real.
        if (!(spec.target.kind === 'local' && errorName(e) === 'NotImplemented')) throw e;
      }
    } catch (e) {
      throw awsFailure('bucket', `configuring bucket ${Bucket}`, e);
    }
    const arn = `arn:aws:s3:::${Bucket}`;
    await ctx.state.patchStep('bucket', { phase: 'done', arn });
    return { arn, adopted };
  },
  async destroy(ctx, record) {
    if (!record.name) return;
    await emptyBucket(ctx.aws.s3, record.name, '');
    try {
      await ctx.aws.s3.send(new DeleteBucketCommand({ Bucket: record.name }));
    } catch (e) {
      if (!isNotFound(e)) throw awsFailure('bucket', `deleting bucket ${record.name}`, e);
    }
  },
};

/** Deletes every object under `prefix` (1000 per request). Absent bucket: nothing to do. */
export async function emptyBucket(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    let page;
    try {
      page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined }));
    } catch (e) {
      if (isNotFound(e)) return deleted;
      throw e;
    }
    const keys = (page.Contents ?? []).map((o) => o.Key).filter((k): k is string => Boolean(k));
    if (keys.length === 0) return deleted;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
    deleted += keys.length;
  }
}
