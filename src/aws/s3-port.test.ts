import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAwsError } from './errors.js';
import { createSdkClients } from './sdk-clients.js';
import { sdkS3Port } from './s3-port.js';
import { TEST_REGION, withEmulatorPorts } from '../../test/support/emulator-ports.js';

const B = 'segflow-ports-bucket';
const MiB = 1024 * 1024;

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'segflow-s3-port-'));
}

test('s3 port on the emulator: bucket, configuration, absence', async () => {
  await withEmulatorPorts(async ({ s3 }) => {
    assert.equal(await s3.headBucket(B), 'absent');
    assert.equal(await s3.getBucketPolicy(B), undefined);
    await s3.deleteBucket(B);
    assert.equal(await s3.createBucket(B), 'created');
    // Outside us-east-1, creating your own bucket again is BucketAlreadyOwnedByYou: the port says 'owned'.
    assert.equal(await s3.createBucket(B), 'owned');
    assert.equal(await s3.headBucket(B), 'owned');
    await assert.rejects(
      s3.createBucket('Bad_Name'),
      (e) => isAwsError(e, 'invalid-input') && e.code === 'InvalidBucketName' && e.operation === 'CreateBucket',
    );

    assert.equal(await s3.getBucketPolicy(B), undefined);
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${B}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
    });
    await s3.putBucketPolicy(B, policy);
    assert.equal(await s3.getBucketPolicy(B), policy);
    await assert.rejects(s3.putBucketPolicy(B, 'not json'), (e) => isAwsError(e, 'invalid-input') && e.code === 'MalformedPolicy');
    await s3.deleteBucketPolicy(B);
    await s3.deleteBucketPolicy(B);
    assert.equal(await s3.getBucketPolicy(B), undefined);

    assert.equal(await s3.getPublicAccessBlock(B), undefined);
    const block = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: false };
    await s3.putPublicAccessBlock(B, block);
    assert.deepEqual(await s3.getPublicAccessBlock(B), block);

    // Since 2023 every bucket has SSE-S3 by default.
    assert.deepEqual(await s3.getBucketEncryption(B), { algorithm: 'AES256', bucketKeyEnabled: false });
    await s3.putObject(B, 'k', { data: 'x' });
    // The configuration names a key that is only looked up when an object is written with it.
    const kms = `arn:aws:kms:${TEST_REGION}:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    await s3.putBucketEncryption(B, { algorithm: 'aws:kms', kmsKeyArn: kms, bucketKeyEnabled: true });
    assert.deepEqual(await s3.getBucketEncryption(B), { algorithm: 'aws:kms', kmsKeyArn: kms, bucketKeyEnabled: true });

    await assert.rejects(s3.deleteBucket(B), (e) => isAwsError(e, 'in-use') && e.code === 'BucketNotEmpty' && e.status === 409);
    await s3.deleteObject(B, 'k');
    await s3.deleteBucket(B);
    assert.equal(await s3.headBucket(B), 'absent');
  });
});

test('s3 port on the emulator: bucket tags, versioning state and object versions', async () => {
  await withEmulatorPorts(async ({ s3 }) => {
    await s3.createBucket(B);
    assert.equal(await s3.getBucketTagging(B), undefined);
    await s3.putBucketTagging(B, { 'segflow:pipeline': 'demo', team: 'growth' });
    assert.deepEqual(await s3.getBucketTagging(B), { 'segflow:pipeline': 'demo', team: 'growth' });
    assert.equal(await s3.getBucketVersioning(B), undefined);
    await s3.putObject(B, 'k', { data: 'one' });
    const versions = await s3.listObjectVersions(B, '');
    assert.deepEqual(
      versions.map((v) => [v.key, v.isDeleteMarker, v.isLatest]),
      [['k', false, true]],
    );
  });
});

test('s3 port on the emulator: objects, conditional writes, listing pages, batched deletes, bytes counted', async () => {
  const dir = await tempDir();
  await withEmulatorPorts(async (_ports, { endpoint }) => {
    const c = createSdkClients({ target: { kind: 'local', region: TEST_REGION }, endpoint, maxAttempts: 1 });
    const s3 = sdkS3Port(c.s3, c.calls, c.region, { listPageSize: 2 });
    try {
      await s3.createBucket(B);
      assert.equal(await s3.headObject(B, 'p/a.txt'), undefined);
      assert.equal(await s3.getObjectText(B, 'p/a.txt'), undefined);
      assert.equal(await s3.downloadObject(B, 'p/a.txt', join(dir, 'never')), undefined);
      await assert.rejects(stat(join(dir, 'never')));

      const put = await s3.putObject(B, 'p/a.txt', { data: 'hello' }, { metadata: { sha256: 'abc' }, contentType: 'text/plain', ifNoneMatch: '*' });
      assert.deepEqual(put.bytes, 5);
      assert.match(put.etag, /^"[0-9a-f]{32}"$/);
      const head = await s3.headObject(B, 'p/a.txt');
      assert.deepEqual([head?.key, head?.etag, head?.size, head?.metadata], ['p/a.txt', put.etag, 5, { sha256: 'abc' }]);
      const got = await s3.getObjectText(B, 'p/a.txt');
      assert.deepEqual([got?.text, got?.etag], ['hello', put.etag]);
      // S3's own clock, in whole seconds: what lock leases are judged by.
      assert.ok(got?.lastModified instanceof Date && Math.abs(got.lastModified.getTime() - Date.now()) < 5_000);
      assert.deepEqual(head?.lastModified, got.lastModified);

      // Conditional writes: create-only, and replace-only-this-version.
      await assert.rejects(
        s3.putObject(B, 'p/a.txt', { data: 'again' }, { ifNoneMatch: '*' }),
        (e) => isAwsError(e, 'precondition-failed') && e.status === 412 && e.code === 'PreconditionFailed',
      );
      await assert.rejects(s3.putObject(B, 'p/a.txt', { data: 'again' }, { ifMatch: '"0000"' }), (e) => isAwsError(e, 'precondition-failed'));
      const replaced = await s3.putObject(B, 'p/a.txt', { data: 'hello!' }, { ifMatch: put.etag });
      assert.equal(replaced.bytes, 6);

      const file = join(dir, 'b.csv');
      await writeFile(file, 'a,b\n1,2\n');
      assert.equal((await s3.putObject(B, 'p/b.csv', { file })).bytes, 8);
      const info = await s3.downloadObject(B, 'p/b.csv', join(dir, 'b.out'));
      assert.equal(info?.size, 8);
      assert.equal(await readFile(join(dir, 'b.out'), 'utf8'), 'a,b\n1,2\n');
      assert.equal(c.calls.bytesUploaded, 5 + 6 + 8);

      for (const k of ['p/c', 'p/d', 'p/e', 'q/x']) await s3.putObject(B, k, { data: k });
      const listed = await s3.listObjects(B, 'p/');
      assert.deepEqual(
        listed.map((o) => o.key),
        ['p/a.txt', 'p/b.csv', 'p/c', 'p/d', 'p/e'],
      );
      assert.deepEqual(
        listed.map((o) => o.size),
        [6, 8, 3, 3, 3],
      );
      assert.equal(c.calls.get('s3:ListObjectsV2'), 3, 'five keys at two per page');
      assert.equal((await s3.listObjects(B, '')).length, 6);
      assert.deepEqual(await s3.listObjects('no-such-bucket', ''), []);

      // DeleteObjects goes in batches of 1,000; keys that are not there count as deleted, as on S3.
      const many = Array.from({ length: 1001 }, (_, i) => ({ key: `p/missing-${i}` }));
      const before = c.calls.get('s3:DeleteObjects');
      assert.deepEqual(await s3.deleteObjects(B, [...listed.map((o) => ({ key: o.key })), ...many]), { deleted: 1006, errors: [] });
      assert.equal(c.calls.get('s3:DeleteObjects') - before, 2);
      assert.deepEqual(
        (await s3.listObjects(B, '')).map((o) => o.key),
        ['q/x'],
      );
      assert.deepEqual(await s3.deleteObjects('no-such-bucket', [{ key: 'a' }]), { deleted: 0, errors: [] });
      await s3.deleteObject(B, 'q/x');
      await s3.deleteObject(B, 'q/x');
      await s3.deleteObject('no-such-bucket', 'q/x');
      await assert.rejects(s3.putObject('no-such-bucket', 'k', { data: 'x' }), (e) => isAwsError(e, 'not-found') && e.code === 'NoSuchBucket');
    } finally {
      c.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test('s3 port on the emulator: big files go up in parts, conditions apply to the completed upload', async () => {
  const dir = await tempDir();
  await withEmulatorPorts(async (_ports, { endpoint }) => {
    const c = createSdkClients({ target: { kind: 'local', region: TEST_REGION }, endpoint, maxAttempts: 1 });
    const s3 = sdkS3Port(c.s3, c.calls, c.region, { multipartThreshold: 6 * MiB, partSize: 5 * MiB });
    try {
      await s3.createBucket(B);
      const file = join(dir, 'big.bin');
      await writeFile(file, Buffer.alloc(11 * MiB, 7));
      const put = await s3.putObject(B, 'big.bin', { file }, { metadata: { sha256: 'big' }, ifNoneMatch: '*' });
      assert.equal(put.bytes, 11 * MiB);
      assert.match(put.etag, /-3"$/);
      assert.deepEqual(
        [c.calls.get('s3:CreateMultipartUpload'), c.calls.get('s3:UploadPart'), c.calls.get('s3:CompleteMultipartUpload'), c.calls.get('s3:PutObject')],
        [1, 3, 1, 0],
      );
      assert.equal(c.calls.bytesUploaded, 11 * MiB);
      const head = await s3.headObject(B, 'big.bin');
      assert.deepEqual([head?.size, head?.metadata], [11 * MiB, { sha256: 'big' }]);
      await assert.rejects(s3.putObject(B, 'big.bin', { file }, { ifNoneMatch: '*' }), (e) => isAwsError(e, 'precondition-failed'));
      assert.equal(c.calls.get('s3:AbortMultipartUpload'), 1, 'the refused upload is aborted, not left to bill');
      assert.equal(c.calls.bytesUploaded, 11 * MiB, 'a refused upload adds no bytes');
    } finally {
      c.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
