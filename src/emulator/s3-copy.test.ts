import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateKeyCommand, PutKeyPolicyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { failure, withEmulator } from '../../test/support/emulator.js';

const ROOT = 'arn:aws:iam::000000000000:root';
const MiB = 1024 * 1024;

const create = (s3: S3Client, Bucket: string) => s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
const text = async (s3: S3Client, Bucket: string, Key: string, VersionId?: string) =>
  (await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body!.transformToString();
const copy = (s3: S3Client, Bucket: string, Key: string, CopySource: string, more: Partial<ConstructorParameters<typeof CopyObjectCommand>[0]> = {}) =>
  s3.send(new CopyObjectCommand({ Bucket, Key, CopySource, ...more }));

test("CopyObject: within a bucket and across buckets; COPY keeps metadata and Content-Type, REPLACE takes the request's", async () => {
  await withEmulator(async (emu, { s3 }) => {
    await create(s3, 'src-bucket');
    await create(s3, 'dst-bucket');
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'src-bucket',
        Key: 'runs/r1/segments.csv',
        Body: 'query,rank,user\n',
        ContentType: 'text/csv',
        Metadata: { run: 'r1' },
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    const within = await copy(s3, 'src-bucket', 'latest/segments.csv', 'src-bucket/runs/r1/segments.csv', { Metadata: { ignored: 'yes' } });
    assert.equal(within.CopyObjectResult?.ETag, put.ETag);
    assert.ok(within.CopyObjectResult?.LastModified instanceof Date);
    assert.equal(within.CopyObjectResult?.ChecksumSHA256, put.ChecksumSHA256, 'the source checksum is copied');
    assert.equal(within.ServerSideEncryption, 'AES256');
    assert.equal(within.VersionId, undefined, 'an unversioned bucket names no versions');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'src-bucket', Key: 'latest/segments.csv' }));
    assert.deepEqual([head.ContentType, head.Metadata, head.ETag], ['text/csv', { run: 'r1' }, put.ETag]);
    assert.equal(await text(s3, 'src-bucket', 'latest/segments.csv'), 'query,rank,user\n');

    // Across buckets, with a key that needs URL-encoding, and REPLACE.
    await s3.send(new PutObjectCommand({ Bucket: 'src-bucket', Key: 'a b/ü?.csv', Body: 'x' }));
    const source = `src-bucket/${encodeURIComponent('a b/ü?.csv')}`;
    await copy(s3, 'dst-bucket', 'copied.csv', source, { MetadataDirective: 'REPLACE', ContentType: 'text/plain', Metadata: { owner: 'kim' } });
    const replaced = await s3.send(new HeadObjectCommand({ Bucket: 'dst-bucket', Key: 'copied.csv' }));
    assert.deepEqual([replaced.ContentType, replaced.Metadata], ['text/plain', { owner: 'kim' }]);
    await copy(s3, 'dst-bucket', 'slash.csv', `/${source}`);
    assert.equal(await text(s3, 'dst-bucket', 'slash.csv'), 'x', 'a leading slash is allowed');

    // A multipart source becomes a single-part copy: its ETag is the MD5 of the body.
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'src-bucket', Key: 'big' }));
    const parts = [randomBytes(5 * MiB), randomBytes(1024)];
    const etags = [];
    for (const [i, Body] of parts.entries())
      etags.push((await s3.send(new UploadPartCommand({ Bucket: 'src-bucket', Key: 'big', UploadId, PartNumber: i + 1, Body }))).ETag);
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'src-bucket',
        Key: 'big',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const big = await copy(s3, 'dst-bucket', 'big', 'src-bucket/big', { ChecksumAlgorithm: 'CRC32' });
    assert.equal(big.CopyObjectResult?.ETag, `"${createHash('md5').update(Buffer.concat(parts)).digest('hex')}"`);
    assert.ok(big.CopyObjectResult?.ChecksumCRC32, 'x-amz-checksum-algorithm computes that checksum');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'dst-bucket', Key: 'big' }))).ContentLength, 5 * MiB + 1024);
    assert.equal(emu.calls().services.s3?.CopyObject, 4);
  });
});

test('CopyObject on versioned buckets: a new version id, x-amz-copy-source-version-id, an older version restored', async () => {
  await withEmulator(async (_emu, { s3 }) => {
    await create(s3, 'versioned');
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'versioned', VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'k', Body: 'one' }))).VersionId!;
    const v2 = (await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'k', Body: 'two' }))).VersionId!;
    const latest = await copy(s3, 'versioned', 'latest', 'versioned/k');
    assert.equal(latest.CopySourceVersionId, v2);
    assert.ok(latest.VersionId && ![v1, v2].includes(latest.VersionId));
    // "Copy a previous version of the object into the same bucket": it becomes the current version.
    const restored = await copy(s3, 'versioned', 'k', `versioned/k?versionId=${v1}`);
    assert.equal(restored.CopySourceVersionId, v1);
    assert.equal(await text(s3, 'versioned', 'k'), 'one');
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'versioned', Prefix: 'k' }));
    assert.deepEqual(
      versions.Versions?.map((v) => v.VersionId),
      [restored.VersionId, v2, v1],
    );

    // A delete marker: the current version is gone (404), and a marker named by id cannot be copied (400).
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'k' }))).VersionId!;
    assert.deepEqual(await failure(copy(s3, 'versioned', 'x', 'versioned/k')), {
      name: 'NoSuchKey',
      status: 404,
      message: 'The specified key does not exist.',
    });
    assert.deepEqual(await failure(copy(s3, 'versioned', 'x', `versioned/k?versionId=${marker}`)), {
      name: 'InvalidRequest',
      status: 400,
      message: 'The source of a copy request may not specifically refer to a delete marker by version id.',
    });
    assert.equal((await failure(copy(s3, 'versioned', 'x', 'versioned/k?versionId=nope'))).name, 'NoSuchVersion');
    assert.equal((await failure(copy(s3, 'versioned', 'x', 'versioned/k?versionId='))).name, 'InvalidArgument');
  });
});

test('CopyObject is authorized as a read of the source and a write of the destination', async () => {
  await withEmulator(async (_emu, { s3 }) => {
    await create(s3, 'src-bucket');
    await create(s3, 'dst-bucket');
    await s3.send(new PutObjectCommand({ Bucket: 'src-bucket', Key: 'secret/a', Body: 'a' }));
    await s3.send(new PutObjectCommand({ Bucket: 'src-bucket', Key: 'open/b', Body: 'b' }));
    const deny = (Bucket: string, Action: string, Resource: string, extra: object = {}) =>
      s3.send(
        new PutBucketPolicyCommand({
          Bucket,
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action, Resource, ...extra }] }),
        }),
      );
    await deny('src-bucket', 's3:GetObject', 'arn:aws:s3:::src-bucket/secret/*');
    assert.deepEqual(await failure(copy(s3, 'dst-bucket', 'a', 'src-bucket/secret/a')), {
      name: 'AccessDenied',
      status: 403,
      message: `User: ${ROOT} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::src-bucket/secret/a" with an explicit deny in a resource-based policy`,
    });
    await copy(s3, 'dst-bucket', 'b', 'src-bucket/open/b');

    await deny('dst-bucket', 's3:PutObject', 'arn:aws:s3:::dst-bucket/locked/*');
    assert.deepEqual(await failure(copy(s3, 'dst-bucket', 'locked/b', 'src-bucket/open/b')), {
      name: 'AccessDenied',
      status: 403,
      message: `User: ${ROOT} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::dst-bucket/locked/b" with an explicit deny in a resource-based policy`,
    });
    // The s3:x-amz-copy-source condition key lets a bucket policy say where copies may come from.
    await deny('dst-bucket', 's3:PutObject', 'arn:aws:s3:::dst-bucket/*', { Condition: { StringNotLike: { 's3:x-amz-copy-source': 'src-bucket/open/*' } } });
    await copy(s3, 'dst-bucket', 'c', 'src-bucket/open/b');
    await s3.send(new PutObjectCommand({ Bucket: 'src-bucket', Key: 'other/c', Body: 'c' }));
    assert.equal((await failure(copy(s3, 'dst-bucket', 'c', 'src-bucket/other/c'))).name, 'AccessDenied');

    // With a version id the source read is s3:GetObjectVersion.
    await deny('src-bucket', 's3:GetObjectVersion', 'arn:aws:s3:::src-bucket/*');
    assert.match((await failure(copy(s3, 'dst-bucket', 'd', 'src-bucket/open/b?versionId=null'))).message, /s3:GetObjectVersion/);
    await copy(s3, 'dst-bucket', 'd', 'src-bucket/open/b');
  });
});

test('CopyObject refuses: missing source, malformed copy source, failed copy-source conditions, a copy onto itself, sources over the size limit', async () => {
  await withEmulator(
    async (_emu, { s3 }) => {
      await create(s3, 'one');
      const put = await s3.send(new PutObjectCommand({ Bucket: 'one', Key: 'k', Body: 'k' }));
      assert.deepEqual(await failure(copy(s3, 'one', 'x', 'one/absent')), { name: 'NoSuchKey', status: 404, message: 'The specified key does not exist.' });
      assert.deepEqual(await failure(copy(s3, 'one', 'x', 'no-such-bucket/k')), {
        name: 'NoSuchBucket',
        status: 404,
        message: 'The specified bucket does not exist',
      });
      assert.equal((await failure(copy(s3, 'no-such-bucket', 'x', 'one/k'))).name, 'NoSuchBucket');
      for (const [source, message] of [
        ['one', 'Invalid copy source object key'],
        ['one/', 'Invalid copy source object key'],
        ['/one', 'Invalid copy source object key'],
        ['%2Fk', 'Invalid copy source bucket name'],
        ['one/%zz', 'Invalid copy source encoding'],
      ] as const) {
        assert.deepEqual(await failure(copy(s3, 'one', 'x', source)), { name: 'InvalidArgument', status: 400, message }, source);
      }
      assert.equal((await failure(copy(s3, 'one', 'x', 'one/k', { MetadataDirective: 'MOVE' as never }))).name, 'InvalidArgument');

      // x-amz-copy-source-if-*: 412 PreconditionFailed when a condition does not hold.
      const precondition = { name: 'PreconditionFailed', status: 412, message: 'At least one of the pre-conditions you specified did not hold' };
      assert.deepEqual(await failure(copy(s3, 'one', 'x', 'one/k', { CopySourceIfMatch: '"0000"' })), precondition);
      assert.deepEqual(await failure(copy(s3, 'one', 'x', 'one/k', { CopySourceIfNoneMatch: put.ETag })), precondition);
      const past = new Date(Date.now() - 3_600_000);
      assert.deepEqual(await failure(copy(s3, 'one', 'x', 'one/k', { CopySourceIfUnmodifiedSince: past })), precondition);
      assert.deepEqual(await failure(copy(s3, 'one', 'x', 'one/k', { CopySourceIfModifiedSince: new Date(Date.now() + 3_600_000) })), precondition);
      // If-Match true wins over If-Unmodified-Since false, as the model documents.
      await copy(s3, 'one', 'x', 'one/k', { CopySourceIfMatch: put.ETag, CopySourceIfUnmodifiedSince: past });
      // If-Match / If-None-Match name the destination, as for PutObject.
      assert.deepEqual(await failure(copy(s3, 'one', 'x', 'one/k', { IfNoneMatch: '*' })), precondition);
      assert.equal((await failure(copy(s3, 'one', 'absent', 'one/k', { IfMatch: put.ETag }))).name, 'NoSuchKey');
      await copy(s3, 'one', 'x', 'one/k', { IfMatch: put.ETag });

      assert.deepEqual(await failure(copy(s3, 'one', 'k', 'one/k')), {
        name: 'InvalidRequest',
        status: 400,
        message:
          "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      });
      await copy(s3, 'one', 'k', 'one/k', { MetadataDirective: 'REPLACE', Metadata: { touched: '1' } });
      assert.deepEqual((await s3.send(new HeadObjectCommand({ Bucket: 'one', Key: 'k' }))).Metadata, { touched: '1' });

      // maxObjectBytes is 6 MiB here: a 7 MiB object (made of parts) is too big to copy in one request.
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'one', Key: 'big' }));
      const etags = [];
      for (const [i, size] of [5 * MiB, 2 * MiB].entries())
        etags.push((await s3.send(new UploadPartCommand({ Bucket: 'one', Key: 'big', UploadId, PartNumber: i + 1, Body: Buffer.alloc(size) }))).ETag);
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'one',
          Key: 'big',
          UploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      );
      assert.deepEqual(await failure(copy(s3, 'one', 'big-copy', 'one/big')), {
        name: 'InvalidRequest',
        status: 400,
        message: `The specified copy source is larger than the maximum allowable size for a copy source: ${6 * MiB}`,
      });
    },
    { maxObjectBytes: 6 * MiB },
  );
});

test("CopyObject encryption: the destination bucket default applies; SSE-KMS needs kms:Decrypt on the source key and kms:GenerateDataKey on the copy's", async () => {
  await withEmulator(async (_emu, { s3, kms }) => {
    await create(s3, 'plain');
    await create(s3, 'sealed');
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'sealed',
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key.Arn } }] },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'p', Body: 'p' }));
    const sealed = await copy(s3, 'sealed', 'p', 'plain/p');
    assert.deepEqual([sealed.ServerSideEncryption, sealed.SSEKMSKeyId], ['aws:kms', key.Arn]);
    // With a default encryption configuration, a copy onto itself is legal (S3 re-encrypts it).
    await copy(s3, 'sealed', 'p', 'sealed/p');
    const back = await copy(s3, 'plain', 'q', 'sealed/p');
    assert.deepEqual([back.ServerSideEncryption, back.SSEKMSKeyId], ['AES256', undefined], "the source's encryption is not carried over");
    const requested = await copy(s3, 'plain', 'r', 'plain/p', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId });
    assert.deepEqual([requested.ServerSideEncryption, requested.SSEKMSKeyId], ['aws:kms', key.KeyId]);
    assert.deepEqual(
      await failure(copy(s3, 'plain', 's', 'plain/p', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: '11111111-2222-3333-4444-555555555555' })),
      {
        name: 'KMS.NotFoundException',
        status: 400,
        message: 'Invalid keyId 11111111-2222-3333-4444-555555555555',
      },
    );

    // A key policy that lets the account administer the key but not use it: neither read nor write through S3.
    const admin = {
      Sid: 'Admin',
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: ['kms:PutKeyPolicy', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:ScheduleKeyDeletion'],
      Resource: '*',
    };
    await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [admin] }) }));
    assert.deepEqual(await failure(copy(s3, 'plain', 't', 'sealed/p')), {
      name: 'AccessDenied',
      status: 403,
      message: `User: ${ROOT} is not authorized to perform: kms:Decrypt on resource: "${key.Arn}" because no identity-based policy allows the kms:Decrypt action`,
    });
    await kms.send(
      new PutKeyPolicyCommand({
        KeyId: key.KeyId,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ ...admin, Action: ['kms:PutKeyPolicy', 'kms:Decrypt', 'kms:ScheduleKeyDeletion'] }] }),
      }),
    );
    await copy(s3, 'plain', 't', 'sealed/p');
    assert.match((await failure(copy(s3, 'sealed', 'u', 'plain/p'))).message, /not authorized to perform: kms:GenerateDataKey on resource/);

    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    assert.deepEqual(await failure(copy(s3, 'plain', 'v', 'sealed/p')), {
      name: 'KMS.KMSInvalidStateException',
      status: 400,
      message: `${key.Arn} is pending deletion.`,
    });
  });
});
