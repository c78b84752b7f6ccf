import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateKeyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { failure, withEmulator } from '../../test/support/emulator.js';

/**
 * The caller's own use of an SSE-KMS key through S3: "To upload an object encrypted with an AWS KMS key, you need
 * kms:GenerateDataKey permissions on the key. To download an object encrypted with an AWS KMS key, you need
 * kms:Decrypt permissions" (S3 user guide, UsingKMSEncryption); a multipart upload needs both (mpuoverview).
 */
const ROOT = 'arn:aws:iam::000000000000:root';

test('SSE-KMS through S3: a write needs kms:GenerateDataKey, a read kms:Decrypt (HEAD neither), a multipart upload both, as the key policy says', async () => {
  await withEmulator(async (_emu, { s3, kms }) => {
    await s3.send(new CreateBucketCommand({ Bucket: 'sealed', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'sealed',
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key.Arn } }] },
      }),
    );
    // The default key policy delegates to the account: everything works.
    await s3.send(new PutObjectCommand({ Bucket: 'sealed', Key: 'a', Body: 'a' }));
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: 'sealed', Key: 'a' }))).Body!.transformToString(), 'a');

    const policy = (actions: string[]) =>
      kms.send(
        new PutKeyPolicyCommand({
          KeyId: key.KeyId,
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Sid: 'Account', Effect: 'Allow', Principal: { AWS: ROOT }, Action: ['kms:PutKeyPolicy', 'kms:DescribeKey', ...actions], Resource: '*' },
            ],
          }),
        }),
      );
    await policy(['kms:Decrypt']);
    assert.deepEqual(await failure(s3.send(new PutObjectCommand({ Bucket: 'sealed', Key: 'b', Body: 'b' }))), {
      name: 'AccessDenied',
      status: 403,
      message: `User: ${ROOT} is not authorized to perform: kms:GenerateDataKey on resource: "${key.Arn}" because no identity-based policy allows the kms:GenerateDataKey action`,
    });
    assert.match((await failure(s3.send(new CreateMultipartUploadCommand({ Bucket: 'sealed', Key: 'm' })))).message, /kms:GenerateDataKey/);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: 'sealed', Key: 'a' }))).Body!.transformToString(), 'a', 'reading needs only kms:Decrypt');

    await policy(['kms:GenerateDataKey']);
    await s3.send(new PutObjectCommand({ Bucket: 'sealed', Key: 'b', Body: 'b' }));
    assert.match((await failure(s3.send(new GetObjectCommand({ Bucket: 'sealed', Key: 'b' })))).message, /not authorized to perform: kms:Decrypt on resource/);
    assert.match(
      (await failure(s3.send(new CreateMultipartUploadCommand({ Bucket: 'sealed', Key: 'm' })))).message,
      /kms:Decrypt/,
      'a multipart upload needs both',
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'sealed', Key: 'b' }));
    assert.equal(head.SSEKMSKeyId, key.Arn, 'HEAD reads metadata without decrypting');
  });
});
