/**
 * S3Port over @aws-sdk/client-s3: the bucket and its configuration here, objects in s3-object-port.ts.
 * Each configuration's "there is none" error (NoSuchBucketPolicy, NoSuchTagSet, ...) reads as undefined, as does
 * a bucket that is not there.
 */
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { CallCounter } from './call-counter.js';
import { isAwsError } from './errors.js';
import { PortCalls, tagRecord } from './port-call.js';
import type { BucketEncryption, PublicAccessBlock, S3Port } from './ports.js';
import { sdkS3ObjectPort, type S3Tuning } from './s3-object-port.js';

export function sdkS3Port(client: S3Client, calls: CallCounter, region: string, tuning?: S3Tuning): S3Port {
  return { ...bucketPort(client, region), ...sdkS3ObjectPort(client, calls, tuning) };
}

type BucketPort = Pick<
  S3Port,
  | 'headBucket'
  | 'createBucket'
  | 'deleteBucket'
  | 'getBucketPolicy'
  | 'putBucketPolicy'
  | 'deleteBucketPolicy'
  | 'getPublicAccessBlock'
  | 'putPublicAccessBlock'
  | 'getBucketEncryption'
  | 'putBucketEncryption'
  | 'getBucketTagging'
  | 'putBucketTagging'
  | 'getBucketVersioning'
  | 'getBucketLifecycleRuleIds'
  | 'putBucketLifecycle'
  | 'listMultipartUploads'
  | 'abortMultipartUpload'
>;

function bucketPort(client: S3Client, region: string): BucketPort {
  const c = new PortCalls('s3');
  return {
    async headBucket(bucket) {
      try {
        await c.run('HeadBucket', () => client.send(new HeadBucketCommand({ Bucket: bucket })));
        return 'owned';
      } catch (e) {
        if (isAwsError(e, 'not-found')) return 'absent';
        // HEAD answers carry no body: a 403 is the name taken by another account (or no permission to see it).
        if (isAwsError(e) && e.status === 403) return 'forbidden';
        throw e;
      }
    },
    async createBucket(bucket) {
      try {
        await c.run('CreateBucket', () =>
          client.send(
            new CreateBucketCommand({
              Bucket: bucket,
              // us-east-1 takes no LocationConstraint (sending one is an error there); every other region needs it.
              ...(region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {}),
            }),
          ),
        );
        return 'created';
      } catch (e) {
        if (isAwsError(e) && e.code === 'BucketAlreadyOwnedByYou') return 'owned';
        throw e; // BucketAlreadyExists: the name is someone else's (kind already-exists)
      }
    },
    deleteBucket: (bucket) => c.remove('DeleteBucket', () => client.send(new DeleteBucketCommand({ Bucket: bucket }))),

    getBucketPolicy: (bucket) => c.read('GetBucketPolicy', async () => (await client.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? ''),
    async putBucketPolicy(bucket, policy) {
      await c.run('PutBucketPolicy', () => client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy })));
    },
    deleteBucketPolicy: (bucket) => c.remove('DeleteBucketPolicy', () => client.send(new DeleteBucketPolicyCommand({ Bucket: bucket }))),

    getPublicAccessBlock: (bucket) =>
      c.read('GetPublicAccessBlock', async () => {
        const b = (await client.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration ?? {};
        const block: PublicAccessBlock = {
          blockPublicAcls: b.BlockPublicAcls === true,
          ignorePublicAcls: b.IgnorePublicAcls === true,
          blockPublicPolicy: b.BlockPublicPolicy === true,
          restrictPublicBuckets: b.RestrictPublicBuckets === true,
        };
        return block;
      }),
    async putPublicAccessBlock(bucket, block) {
      await c.run('PutPublicAccessBlock', () =>
        client.send(
          new PutPublicAccessBlockCommand({
            Bucket: bucket,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: block.blockPublicAcls,
              IgnorePublicAcls: block.ignorePublicAcls,
              BlockPublicPolicy: block.blockPublicPolicy,
              RestrictPublicBuckets: block.restrictPublicBuckets,
            },
          }),
        ),
      );
    },

    getBucketEncryption: (bucket) =>
      c.read('GetBucketEncryption', async () => {
        const rule = (await client.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration?.Rules?.[0];
        const sse = rule?.ApplyServerSideEncryptionByDefault;
        // aws:kms:dsse is KMS too, as far as segflow's questions go (which key, bucket key or not).
        const encryption: BucketEncryption = { algorithm: sse?.SSEAlgorithm?.startsWith('aws:kms') ? 'aws:kms' : 'AES256' };
        if (sse?.KMSMasterKeyID) encryption.kmsKeyArn = sse.KMSMasterKeyID;
        if (rule?.BucketKeyEnabled !== undefined) encryption.bucketKeyEnabled = rule.BucketKeyEnabled;
        return encryption;
      }),
    async putBucketEncryption(bucket, encryption) {
      await c.run('PutBucketEncryption', () =>
        client.send(
          new PutBucketEncryptionCommand({
            Bucket: bucket,
            ServerSideEncryptionConfiguration: {
              Rules: [
                {
                  ApplyServerSideEncryptionByDefault: {
                    SSEAlgorithm: encryption.algorithm,
                    ...(encryption.kmsKeyArn ? { KMSMasterKeyID: encryption.kmsKeyArn } : {}),
                  },
                  ...(encryption.bucketKeyEnabled !== undefined ? { BucketKeyEnabled: encryption.bucketKeyEnabled } : {}),
                },
              ],
            },
          }),
        ),
      );
    },

    getBucketTagging: (bucket) =>
      c.read('GetBucketTagging', async () => tagRecord((await client.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet)),
    async putBucketTagging(bucket, tags) {
      const TagSet = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
      await c.run('PutBucketTagging', () => client.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet } })));
    },
    getBucketVersioning: (bucket) =>
      c
        .read('GetBucketVersioning', async () => (await client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status)
        // A bucket that never had versioning answers without a Status.
        .then((s) => (s === 'Enabled' || s === 'Suspended' ? s : undefined)),
    getBucketLifecycleRuleIds: (bucket) =>
      c.read('GetBucketLifecycleConfiguration', async () =>
        ((await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules ?? []).map((r) => r.ID ?? ''),
      ),
    async putBucketLifecycle(bucket, rules) {
      const Rules = rules.map((r) => ({
        ID: r.id,
        Filter: { Prefix: r.prefix },
        Status: 'Enabled' as const,
        ...(r.abortIncompleteUploadsAfterDays !== undefined
          ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: r.abortIncompleteUploadsAfterDays } }
          : {}),
        ...(r.expireAfterDays !== undefined ? { Expiration: { Days: r.expireAfterDays } } : {}),
      }));
      await c.run('PutBucketLifecycleConfiguration', () =>
        client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules } })),
      );
    },
    listMultipartUploads: async (bucket, prefix) => {
      const uploads = await c.pages(
        'ListMultipartUploads',
        (token) => {
          const [KeyMarker, UploadIdMarker] = token ? (JSON.parse(token) as [string, string]) : [undefined, undefined];
          return client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker, UploadIdMarker }));
        },
        (p) => p.Uploads,
        (p) => (p.IsTruncated ? JSON.stringify([p.NextKeyMarker ?? '', p.NextUploadIdMarker ?? '']) : undefined),
      );
      return uploads.map((u) => ({ key: u.Key ?? '', uploadId: u.UploadId ?? '', ...(u.Initiated ? { initiated: u.Initiated } : {}) }));
    },
    abortMultipartUpload: (bucket, key, uploadId) =>
      c.remove('AbortMultipartUpload', () => client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))),
  };
}
