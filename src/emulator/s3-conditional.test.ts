import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { withEmulator } from '../../test/support/emulator.js';

/**
 * Conditional requests exactly as the S3 User Guide's "Conditional write behavior" and "conditional deletes" pages
 * describe them; the in-flight cases hold a PutObject body open while another request completes.
 */
const Bucket = 'cond';

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    const err = e as { name: string; $metadata?: { httpStatusCode?: number } };
    return `${err.$metadata?.httpStatusCode} ${err.name}`;
  }
}

const put = (s3: S3Client, Key: string, Body: string, extra: { IfNoneMatch?: string; IfMatch?: string } = {}) =>
  s3.send(new PutObjectCommand({ Bucket, Key, Body, ...extra }));
const read = async (s3: S3Client, Key: string) => (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();

/** A PutObject whose body stays open until `finish` is called, so other requests can complete meanwhile. */
function slowPut(
  s3: S3Client,
  Key: string,
  conditions: { IfNoneMatch?: string; IfMatch?: string },
): { done: Promise<string>; finish: () => void; started: Promise<void> } {
  const stream = new PassThrough();
  const payload = Buffer.from('slow body');
  let started!: () => void;
  const startedP = new Promise<void>((ok) => (started = ok));
  stream.once('resume', () => setTimeout(started, 50));
  const done = outcome(s3.send(new PutObjectCommand({ Bucket, Key, Body: stream, ContentLength: payload.length, ...conditions })));
  stream.write(payload.subarray(0, 4));
  return { done, started: startedP, finish: () => stream.end(payload.subarray(4)) };
}

test('PutObject: If-None-Match: * creates only, If-Match replaces only that ETag, an absent key is 404', async () => {
  await withEmulator(async (_emu, { s3 }) => {
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    assert.equal(await outcome(put(s3, 'lock', 'first', { IfNoneMatch: '*' })), 'ok');
    assert.equal(await outcome(put(s3, 'lock', 'second', { IfNoneMatch: '*' })), '412 PreconditionFailed');
    assert.equal(await read(s3, 'lock'), 'first');
    const { ETag } = await s3.send(new HeadObjectCommand({ Bucket, Key: 'lock' }));
    assert.equal(await outcome(put(s3, 'lock', 'cas', { IfMatch: '"00000000000000000000000000000000"' })), '412 PreconditionFailed');
    assert.equal(await outcome(put(s3, 'lock', 'cas', { IfMatch: ETag })), 'ok');
    assert.equal(await read(s3, 'lock'), 'cas');
    assert.equal(await outcome(put(s3, 'absent', 'x', { IfMatch: ETag })), '404 NoSuchKey');
    assert.equal(await outcome(put(s3, 'star', 'x', { IfNoneMatch: '"abc"' })), '501 NotImplemented');
  });
});

test('conditional writes against a versioned bucket see only the current version; a delete marker counts as absent', async () => {
  await withEmulator(async (_emu, { s3 }) => {
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await put(s3, 'k', 'v1');
    const { ETag } = await s3.send(new HeadObjectCommand({ Bucket, Key: 'k' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    assert.equal(await outcome(put(s3, 'k', 'again', { IfMatch: ETag })), '404 NoSuchKey');
    assert.equal(await outcome(put(s3, 'k', 'again', { IfNoneMatch: '*' })), 'ok');
  });
});

test('in flight: the first conditional write to finish wins (412 for the later one); a delete meanwhile is 409 or 404', async () => {
  await withEmulator(async (_emu, { s3 }) => {
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    // Two writers race for the same lock; the one that finishes first gets it.
    const slow = slowPut(s3, 'race', { IfNoneMatch: '*' });
    await slow.started;
    assert.equal(await outcome(put(s3, 'race', 'fast', { IfNoneMatch: '*' })), 'ok');
    slow.finish();
    assert.equal(await slow.done, '412 PreconditionFailed');
    assert.equal(await read(s3, 'race'), 'fast');

    // If-None-Match, and a delete of the key succeeds while the write is in flight: 409 ConditionalRequestConflict.
    const creating = slowPut(s3, 'gone', { IfNoneMatch: '*' });
    await creating.started;
    await put(s3, 'gone', 'briefly');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'gone' }));
    creating.finish();
    assert.equal(await creating.done, '409 ConditionalRequestConflict');

    // If-Match, and the object is deleted while the write is in flight: 404.
    await put(s3, 'cas', 'v1');
    const { ETag } = await s3.send(new HeadObjectCommand({ Bucket, Key: 'cas' }));
    const replacing = slowPut(s3, 'cas', { IfMatch: ETag });
    await replacing.started;
    await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'cas' }] } }));
    replacing.finish();
    assert.equal(await replacing.done, '404 NoSuchKey');

    // If-Match, and another write changes the ETag first: 412.
    await put(s3, 'cas2', 'v1');
    const tag2 = (await s3.send(new HeadObjectCommand({ Bucket, Key: 'cas2' }))).ETag;
    const stale = slowPut(s3, 'cas2', { IfMatch: tag2 });
    await stale.started;
    assert.equal(await outcome(put(s3, 'cas2', 'v2', { IfMatch: tag2 })), 'ok');
    stale.finish();
    assert.equal(await stale.done, '412 PreconditionFailed');
    assert.equal(await read(s3, 'cas2'), 'v2');
  });
});

test('CompleteMultipartUpload evaluates conditions when it completes; a delete since CreateMultipartUpload conflicts', async () => {
  await withEmulator(async (_emu, { s3 }) => {
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const upload = async (Key: string) => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'part' }));
      return (conditions: { IfNoneMatch?: string; IfMatch?: string }) =>
        outcome(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] }, ...conditions })));
    };
    const complete = await upload('mpu');
    await put(s3, 'mpu', 'written during the upload');
    assert.equal(await complete({ IfNoneMatch: '*' }), '412 PreconditionFailed');

    await put(s3, 'mpu2', 'exists');
    const tag = (await s3.send(new HeadObjectCommand({ Bucket, Key: 'mpu2' }))).ETag;
    const completeIfMatch = await upload('mpu2');
    const completeIfNone = await upload('mpu2');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'mpu2' }));
    assert.equal(await completeIfMatch({ IfMatch: tag }), '404 NoSuchKey');
    assert.equal(await completeIfNone({ IfNoneMatch: '*' }), '409 ConditionalRequestConflict');

    const plain = await upload('mpu3');
    assert.equal(await plain({ IfNoneMatch: '*' }), 'ok');
  });
});

test('conditional deletes and reads', async () => {
  await withEmulator(async (_emu, { s3 }) => {
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await put(s3, 'd', 'x');
    const { ETag } = await s3.send(new HeadObjectCommand({ Bucket, Key: 'd' }));
    assert.equal(await outcome(s3.send(new DeleteObjectCommand({ Bucket, Key: 'd', IfMatch: '"0000"' }))), '412 PreconditionFailed');
    assert.equal(await outcome(s3.send(new GetObjectCommand({ Bucket, Key: 'd', IfMatch: '"0000"' }))), '412 PreconditionFailed');
    assert.match(await outcome(s3.send(new HeadObjectCommand({ Bucket, Key: 'd', IfNoneMatch: ETag }))), /^304 /);
    assert.equal(await outcome(s3.send(new DeleteObjectCommand({ Bucket, Key: 'd', IfMatch: ETag }))), 'ok');
    assert.equal(await outcome(s3.send(new DeleteObjectCommand({ Bucket, Key: 'd', IfMatch: '*' }))), '404 NoSuchKey');
    await put(s3, 'e', 'y');
    assert.equal(await outcome(s3.send(new DeleteObjectCommand({ Bucket, Key: 'e', IfMatch: '*' }))), 'ok');
  });
});

test('a bucket policy can require conditional writes (s3:if-none-match), as S3 documents', async () => {
  await withEmulator(async (_emu, { s3 }) => {
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RequireIfNoneMatch',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${Bucket}/*`,
          Condition: { Null: { 's3:if-none-match': 'true' } },
        },
      ],
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(policy) }));
    assert.equal(await outcome(put(s3, 'k', 'plain')), '403 AccessDenied');
    assert.equal(await outcome(put(s3, 'k', 'conditional', { IfNoneMatch: '*' })), 'ok');
  });
});
