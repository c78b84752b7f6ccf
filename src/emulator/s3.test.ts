import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  ListObjectsCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  UploadPartCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { withEmulator } from '../../test/support/emulator.js';
import { addressOf } from './s3/router.js';

const B = 'segflow-bucket';
const create = { Bucket: B, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' as const } };

test('buckets: create, head, list, location constraint, delete only when empty', async () => {
  await withEmulator(async (_e, c) => {
    await c.s3.send(new CreateBucketCommand(create));
    await assert.rejects(c.s3.send(new CreateBucketCommand(create)), { name: 'BucketAlreadyOwnedByYou' });
    await assert.rejects(c.s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })), { name: 'InvalidBucketName' });
    const head = await c.s3.send(new HeadBucketCommand({ Bucket: B }));
    assert.equal(head.BucketRegion, 'eu-west-1');
    await assert.rejects(
      c.s3.send(new HeadBucketCommand({ Bucket: 'missing-bucket' })),
      (e: Error & { $metadata: { httpStatusCode?: number } }) => e.$metadata.httpStatusCode === 404,
    );
    assert.deepEqual(
      (await c.s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name),
      [B],
    );
    await c.s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'x' }));
    await assert.rejects(c.s3.send(new DeleteBucketCommand({ Bucket: B })), { name: 'BucketNotEmpty' });
    await c.s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'k' }));
    await c.s3.send(new DeleteBucketCommand({ Bucket: B }));
    await assert.rejects(c.s3.send(new GetObjectCommand({ Bucket: B, Key: 'k' })), { name: 'NoSuchBucket' });
  });
});

test('objects: put with metadata, get, ranges, head, conditional writes, stream bodies sent aws-chunked with CRC32 trailers', async () => {
  await withEmulator(async (_e, c) => {
    await c.s3.send(new CreateBucketCommand(create));
    const body = 'hello, segflow emulator';
    const put = await c.s3.send(new PutObjectCommand({ Bucket: B, Key: 'dir/a b+c.txt', Body: body, ContentType: 'text/plain', Metadata: { origin: 'test' } }));
    assert.equal(put.ETag, `"${createHash('md5').update(body).digest('hex')}"`);
    const got = await c.s3.send(new GetObjectCommand({ Bucket: B, Key: 'dir/a b+c.txt' }));
    assert.equal(await got.Body!.transformToString(), body);
    assert.equal(got.ContentType, 'text/plain');
    assert.deepEqual(got.Metadata, { origin: 'test' });
    const range = await c.s3.send(new GetObjectCommand({ Bucket: B, Key: 'dir/a b+c.txt', Range: 'bytes=7-13' }));
    assert.equal(await range.Body!.transformToString(), 'segflow');
    assert.equal(range.ContentRange, `bytes 7-13/${body.length}`);
    const suffix = await c.s3.send(new GetObjectCommand({ Bucket: B, Key: 'dir/a b+c.txt', Range: 'bytes=-8' }));
    assert.equal(await suffix.Body!.transformToString(), 'emulator');
    await assert.rejects(c.s3.send(new GetObjectCommand({ Bucket: B, Key: 'dir/a b+c.txt', Range: 'bytes=999-' })), { name: 'InvalidRange' });
    const head = await c.s3.send(new HeadObjectCommand({ Bucket: B, Key: 'dir/a b+c.txt' }));
    assert.equal(head.ContentLength, body.length);
    await assert.rejects(c.s3.send(new HeadObjectCommand({ Bucket: B, Key: 'nope' })), { name: 'NotFound' });
    await assert.rejects(c.s3.send(new GetObjectCommand({ Bucket: B, Key: 'nope' })), { name: 'NoSuchKey' });
    // Conditional writes.
    await assert.rejects(
      c.s3.send(new PutObjectCommand({ Bucket: B, Key: 'dir/a b+c.txt', Body: 'x', IfNoneMatch: '*' })),
      (e: Error & { $metadata: { httpStatusCode?: number } }) => {
        assert.equal(e.name, 'PreconditionFailed');
        return e.$metadata.httpStatusCode === 412;
      },
    );
    await c.s3.send(new PutObjectCommand({ Bucket: B, Key: 'new.txt', Body: 'x', IfNoneMatch: '*' }));
    await assert.rejects(c.s3.send(new PutObjectCommand({ Bucket: B, Key: 'new.txt', Body: 'y', IfMatch: '"0000"' })), { name: 'PreconditionFailed' });
    // A stream body: the SDK sends it aws-chunked with an x-amz-checksum-crc32 trailer.
    const data = randomBytes(300_000);
    await c.s3.send(
      new PutObjectCommand({
        Bucket: B,
        Key: 'stream.bin',
        Body: Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]),
        ContentLength: data.length,
      }),
    );
    const back = await c.s3.send(new GetObjectCommand({ Bucket: B, Key: 'stream.bin', ChecksumMode: 'ENABLED' }));
    assert.ok(Buffer.from(await back.Body!.transformToByteArray()).equals(data));
    assert.ok(back.ChecksumCRC32, 'the verified CRC32 is returned');
    for (const algorithm of ['CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const) {
      const r = await c.s3.send(
        new PutObjectCommand({ Bucket: B, Key: `sum-${algorithm}`, Body: Readable.from([data]), ContentLength: data.length, ChecksumAlgorithm: algorithm }),
      );
      assert.ok(r[`Checksum${algorithm}`], algorithm);
    }
  });
});

test('ListObjectsV2: prefixes, delimiters, continuation; DeleteObjects', async () => {
  await withEmulator(async (_e, c) => {
    await c.s3.send(new CreateBucketCommand(create));
    const keys = ['a/1', 'a/2', 'a/sub/3', 'b/1', 'c', 'd/x/y'];
    for (const Key of keys) await c.s3.send(new PutObjectCommand({ Bucket: B, Key, Body: Key }));
    const top = await c.s3.send(new ListObjectsV2Command({ Bucket: B, Delimiter: '/' }));
    assert.deepEqual(
      top.CommonPrefixes?.map((p) => p.Prefix),
      ['a/', 'b/', 'd/'],
    );
    assert.deepEqual(
      top.Contents?.map((o) => o.Key),
      ['c'],
    );
    const inA = await c.s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'a/', Delimiter: '/' }));
    assert.deepEqual(
      inA.Contents?.map((o) => o.Key),
      ['a/1', 'a/2'],
    );
    assert.deepEqual(
      inA.CommonPrefixes?.map((p) => p.Prefix),
      ['a/sub/'],
    );
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: c.s3 }, { Bucket: B, MaxKeys: 2 })) {
      pages++;
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
    }
    assert.deepEqual(seen, keys);
    assert.equal(pages, 3);
    const grouped: string[] = [];
    for await (const page of paginateListObjectsV2({ client: c.s3 }, { Bucket: B, MaxKeys: 1, Delimiter: '/' })) {
      grouped.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Contents ?? []).map((o) => o.Key!));
    }
    assert.deepEqual(grouped, ['a/', 'b/', 'c', 'd/']);
    const v1 = await c.s3.send(new ListObjectsCommand({ Bucket: B, Delimiter: '/', MaxKeys: 2 }));
    assert.deepEqual([v1.CommonPrefixes?.map((p) => p.Prefix), v1.IsTruncated, v1.NextMarker], [['a/', 'b/'], true, 'b/']);
    const v1next = await c.s3.send(new ListObjectsCommand({ Bucket: B, Delimiter: '/', Marker: v1.NextMarker }));
    assert.deepEqual([v1next.Contents?.map((o) => o.Key), v1next.CommonPrefixes?.map((p) => p.Prefix)], [['c'], ['d/']]);
    assert.equal((await c.s3.send(new GetBucketLocationCommand({ Bucket: B }))).LocationConstraint, 'eu-west-1');
    const del = await c.s3.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: keys.map((Key) => ({ Key })).concat([{ Key: 'never-existed' }]) } }));
    assert.equal(del.Deleted?.length, keys.length + 1);
    assert.equal((await c.s3.send(new ListObjectsV2Command({ Bucket: B }))).KeyCount, 0);
    await assert.rejects(c.s3.send(new ListObjectsV2Command({ Bucket: B, ContinuationToken: 'garbage!' })), { name: 'InvalidArgument' });
  });
});

test('multipart: lib-storage Upload with default checksums, part rules, abort', async () => {
  await withEmulator(async (_e, c, dataDir) => {
    await c.s3.send(new CreateBucketCommand(create));
    const data = randomBytes(11 * 1024 * 1024 + 123);
    const upload = new Upload({ client: c.s3, params: { Bucket: B, Key: 'big/data.bin', Body: Readable.from([data]) }, partSize: 5 * 1024 * 1024 });
    const done = await upload.done();
    assert.match(done.ETag ?? '', /^"[0-9a-f]{32}-3"$/);
    const got = await c.s3.send(new GetObjectCommand({ Bucket: B, Key: 'big/data.bin' }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(data));
    // Parts smaller than 5 MiB (except the last) are refused at completion.
    const { UploadId } = await c.s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'small' }));
    const p1 = await c.s3.send(new UploadPartCommand({ Bucket: B, Key: 'small', UploadId, PartNumber: 1, Body: 'tiny' }));
    const p2 = await c.s3.send(new UploadPartCommand({ Bucket: B, Key: 'small', UploadId, PartNumber: 2, Body: 'tail' }));
    const complete = (...parts: Array<{ PartNumber: number; ETag: string | undefined }>) =>
      c.s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: 'small', UploadId, MultipartUpload: { Parts: parts } }));
    const [first, second] = [
      { PartNumber: 1, ETag: p1.ETag },
      { PartNumber: 2, ETag: p2.ETag },
    ];
    await assert.rejects(complete(first, second), { name: 'EntityTooSmall' });
    await assert.rejects(complete(second, first), { name: 'InvalidPartOrder' });
    const one = await complete(first);
    assert.match(one.ETag ?? '', /-1"$/);
    const { UploadId: abortId } = await c.s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'aborted' }));
    await c.s3.send(new UploadPartCommand({ Bucket: B, Key: 'aborted', UploadId: abortId, PartNumber: 1, Body: 'x' }));
    await c.s3.send(new AbortMultipartUploadCommand({ Bucket: B, Key: 'aborted', UploadId: abortId }));
    await assert.rejects(c.s3.send(new UploadPartCommand({ Bucket: B, Key: 'aborted', UploadId: abortId, PartNumber: 2, Body: 'x' })), {
      name: 'NoSuchUpload',
    });
    // Part blobs of completed and aborted uploads are gone: only the two objects' bodies remain on disk.
    const blobDirs = await readdir(join(dataDir, 'blobs'));
    let files = 0;
    for (const d of blobDirs) files += (await readdir(join(dataDir, 'blobs', d))).length;
    assert.equal(files, 2);
  });
});

test('bucket configuration: public access block, policy (public policies blocked), default encryption', async () => {
  await withEmulator(async (_e, c) => {
    await c.s3.send(new CreateBucketCommand(create));
    await assert.rejects(c.s3.send(new GetPublicAccessBlockCommand({ Bucket: B })), { name: 'NoSuchPublicAccessBlockConfiguration' });
    const pab = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    await c.s3.send(new PutPublicAccessBlockCommand({ Bucket: B, PublicAccessBlockConfiguration: pab }));
    assert.deepEqual((await c.s3.send(new GetPublicAccessBlockCommand({ Bucket: B }))).PublicAccessBlockConfiguration, pab);
    const tlsOnly = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'TLS',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
    await c.s3.send(new PutBucketPolicyCommand({ Bucket: B, Policy: tlsOnly }));
    assert.equal((await c.s3.send(new GetBucketPolicyCommand({ Bucket: B }))).Policy, tlsOnly);
    const publicRead = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` }],
    });
    await assert.rejects(c.s3.send(new PutBucketPolicyCommand({ Bucket: B, Policy: publicRead })), { name: 'AccessDenied' });
    await assert.rejects(c.s3.send(new PutBucketPolicyCommand({ Bucket: B, Policy: '{not json' })), { name: 'MalformedPolicy' });
    await c.s3.send(new DeleteBucketPolicyCommand({ Bucket: B }));
    await assert.rejects(c.s3.send(new GetBucketPolicyCommand({ Bucket: B })), { name: 'NoSuchBucketPolicy' });
    const def = await c.s3.send(new GetBucketEncryptionCommand({ Bucket: B }));
    assert.equal(def.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'AES256');
    // The configuration is stored as given (S3 does not look the key up until an object is written with it).
    await c.s3.send(
      new PutBucketEncryptionCommand({
        Bucket: B,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/segflow' }, BucketKeyEnabled: true }],
        },
      }),
    );
    const enc = await c.s3.send(new GetBucketEncryptionCommand({ Bucket: B }));
    assert.equal(enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID, 'alias/segflow');
    // A write with a key that is not there fails (the emulator models no aliases); with a real key it is encrypted.
    await assert.rejects(c.s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'x' })), /Invalid keyId alias\/segflow/);
    const key = (await c.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await c.s3.send(
      new PutBucketEncryptionCommand({
        Bucket: B,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key.Arn } }] },
      }),
    );
    const put = await c.s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'x' }));
    assert.equal(put.ServerSideEncryption, 'aws:kms');
    assert.equal(put.SSEKMSKeyId, key.Arn);
  });
});

test('keys are opaque: path-like keys never touch paths in the data directory', async () => {
  await withEmulator(async (_e, c, dataDir) => {
    await c.s3.send(new CreateBucketCommand(create));
    const keys = ['../../escape.txt', '/abs/path', '..', '%2e%2e/x', 'a/../../b', 'nul\u0000byte', 'ünïcødé/ключ'];
    for (const Key of keys) await c.s3.send(new PutObjectCommand({ Bucket: B, Key, Body: Key }));
    for (const Key of keys) {
      const got = await c.s3.send(new GetObjectCommand({ Bucket: B, Key }));
      assert.equal(await got.Body!.transformToString(), Key);
    }
    const top = await readdir(dataDir);
    assert.deepEqual(
      top.filter((n) => !['blobs', 'tmp', 'state.json', 'emulator.lock'].includes(n)),
      [],
    );
    const listed = await c.s3.send(new ListObjectsV2Command({ Bucket: B }));
    assert.equal(listed.KeyCount, keys.length);
  });
});

test('addressing: path style, and virtual-hosted style for <bucket>.localhost', () => {
  assert.deepEqual(addressOf('127.0.0.1:4599', '/bkt/a/b%20c'), { bucket: 'bkt', key: 'a/b c' });
  assert.deepEqual(addressOf('127.0.0.1:4599', '/bkt/'), { bucket: 'bkt' });
  assert.deepEqual(addressOf('127.0.0.1:4599', '/'), {});
  assert.deepEqual(addressOf('bkt.localhost:4599', '/a/..%2F..%2Fx'), { bucket: 'bkt', key: 'a/../../x' });
  assert.deepEqual(addressOf('bkt.localhost', '/'), { bucket: 'bkt' });
});
