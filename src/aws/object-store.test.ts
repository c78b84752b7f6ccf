import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import { isSegflowError } from '../util/errors.js';
import { s3ObjectStore } from './object-store.js';

/** An S3Client stand-in: answers each command by its name. */
function fakeS3(answer: (name: string, input: Record<string, unknown>) => unknown) {
  const s3 = { send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => answer(cmd.constructor.name, cmd.input) };
  return s3ObjectStore({ s3: s3 as unknown as S3Client, label: 'test' });
}

const awsError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

test('list pages to the end, sorted, with bare ETags; head maps 404 to absent; download streams the body', async () => {
  const tokens: unknown[] = [];
  const store = fakeS3((name, input) => {
    if (name === 'ListObjectsV2Command') {
      tokens.push(input['ContinuationToken']);
      return input['ContinuationToken'] === undefined
        ? { IsTruncated: true, NextContinuationToken: 't2', Contents: [{ Key: 'p/b.csv', ETag: '"e2"', Size: 2 }] }
        : { IsTruncated: false, Contents: [{ Key: 'p/a.csv', ETag: '"e1"', Size: 1 }] };
    }
    if (name === 'HeadObjectCommand') {
      if (input['Key'] === 'gone') throw awsError('NotFound', 404);
      return { ETag: '"abc"', ContentLength: 7 };
    }
    if (name === 'GetObjectCommand') return { Body: Readable.from([Buffer.from('hello')]) };
    throw new Error(name);
  });
  assert.deepEqual(await store.list('b', 'p/'), [
    { key: 'p/a.csv', etag: 'e1', size: 1 },
    { key: 'p/b.csv', etag: 'e2', size: 2 },
  ]);
  assert.deepEqual(tokens, [undefined, 't2']);
  assert.deepEqual(await store.head('b', 'k'), { etag: 'abc', size: 7 });
  assert.equal(await store.head('b', 'gone'), 'absent');
  const dir = await mkdtemp(join(tmpdir(), 'segflow-os-'));
  try {
    await store.download('b', 'k', join(dir, 'f'));
    assert.equal(await readFile(join(dir, 'f'), 'utf8'), 'hello');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('access denied is DATA_SOURCE_ACCESS (exit 2) naming bucket and key; a missing bucket DATA_SOURCE_MISSING', async () => {
  for (const [name, status] of [['AccessDenied', 403], ['Forbidden', 403]] as const) {
    const store = fakeS3(() => {
      throw awsError(name, status);
    });
    await assert.rejects(store.head('my-lake', 'events/a.csv'), (e: unknown) => {
      assert.ok(isSegflowError(e));
      assert.equal(e.code, 'DATA_SOURCE_ACCESS');
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /s3:\/\/my-lake\/events\/a\.csv: access denied \(bucket my-lake, key events\/a\.csv/);
      return true;
    });
    await assert.rejects(store.list('my-lake', 'events/'), (e: unknown) => isSegflowError(e) && e.code === 'DATA_SOURCE_ACCESS' && /bucket my-lake/.test(e.message));
  }
  const noBucket = fakeS3(() => {
    throw awsError('NoSuchBucket', 404);
  });
  await assert.rejects(noBucket.list('nope', 'x/'), (e: unknown) => isSegflowError(e) && e.code === 'DATA_SOURCE_MISSING' && /bucket nope does not exist/.test(e.message));
  const other = fakeS3(() => {
    throw awsError('InternalError', 500);
  });
  await assert.rejects(other.download('b', 'k', '/nonexistent/x'), (e: unknown) => isSegflowError(e) && e.code === 'DATA_SOURCE_READ' && e.exitCode === 1);
});
