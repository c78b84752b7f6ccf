import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { withEmulator } from '../../test/support/emulator.js';

const create = (s3: S3Client, Bucket: string) => s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
const body = async (s3: S3Client, Bucket: string, Key: string, VersionId?: string) =>
  (await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body!.transformToString();

async function failure(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string; headers: Record<string, string> }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message, headers: err.$response?.headers ?? {} };
  }
  throw new Error('expected the request to fail');
}

test('versioning: versions, delete markers, reads and deletes by version id, and a bucket that is empty only without versions', async () => {
  await withEmulator(async (_emu, { s3 }) => {
    const Bucket = 'versioned';
    await create(s3, Bucket);
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status, undefined);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v0' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status, 'Enabled');
    const v1 = (await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v1' }))).VersionId!;
    const v2 = (await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v2' }))).VersionId!;
    assert.ok(v1 && v2 && v1 !== v2 && v1 !== 'null');
    assert.equal(await body(s3, Bucket, 'k'), 'v2');
    assert.equal(await body(s3, Bucket, 'k', v1), 'v1');
    assert.equal(await body(s3, Bucket, 'k', 'null'), 'v0');
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    assert.deepEqual(
      listed.Versions?.map((v) => [v.VersionId, v.IsLatest]),
      [
        [v2, true],
        [v1, false],
        ['null', false],
      ],
    );

    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    assert.equal(del.DeleteMarker, true);
    const marker = del.VersionId!;
    const gone = await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'k' })));
    assert.deepEqual([gone.name, gone.status, gone.headers['x-amz-delete-marker']], ['NoSuchKey', 404, 'true']);
    const onMarker = await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: marker })));
    assert.deepEqual([onMarker.status, onMarker.headers['x-amz-delete-marker']], [405, 'true']);
    assert.equal((await failure(s3.send(new HeadObjectCommand({ Bucket, Key: 'k', VersionId: 'no-such-version' })))).status, 404);
    assert.equal((await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: 'no-such-version' })))).name, 'NoSuchVersion');
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket }))).KeyCount, 0);
    const withMarker = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    assert.deepEqual(
      withMarker.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest]),
      [[marker, true]],
    );
    assert.equal(withMarker.Versions?.length, 3);
    assert.equal((await failure(s3.send(new DeleteBucketCommand({ Bucket })))).name, 'BucketNotEmpty');

    // Removing the delete marker brings the newest version back.
    const undo = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: marker }));
    assert.deepEqual([undo.DeleteMarker, undo.VersionId], [true, marker]);
    assert.equal(await body(s3, Bucket, 'k'), 'v2');
    // Removing the current version by id makes the previous one current.
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: v2 }));
    assert.equal(await body(s3, Bucket, 'k'), 'v1');

    // Suspended: new writes are the "null" version, replacing only that one.
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    assert.equal((await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 's1' }))).VersionId, 'null');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 's2' }));
    const suspended = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    assert.deepEqual(
      suspended.Versions?.map((v) => v.VersionId),
      ['null', v1],
    );
    assert.equal(await body(s3, Bucket, 'k', 'null'), 's2');

    const all = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    const objects = [...(all.Versions ?? []), ...(all.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId! }));
    const result = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: objects } }));
    assert.equal(result.Deleted?.length, objects.length);
    assert.equal(result.Errors, undefined);
    await s3.send(new DeleteBucketCommand({ Bucket }));
  });
});

test('ListObjectVersions pages by key and version id markers', async () => {
  await withEmulator(
    async (_emu, { s3 }) => {
      const Bucket = 'paged-versions';
      await create(s3, Bucket);
      await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      for (const key of ['a', 'b']) for (let i = 0; i < 3; i++) await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: `${key}${i}` }));
      await s3.send(new DeleteObjectCommand({ Bucket, Key: 'a' }));
      const first = await s3.send(new ListObjectVersionsCommand({ Bucket }));
      assert.equal(first.IsTruncated, true);
      assert.equal(first.NextKeyMarker, 'a');
      const pages = [];
      let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
      for (;;) {
        const page = await s3.send(new ListObjectVersionsCommand({ Bucket, ...markers }));
        pages.push(page);
        assert.ok([...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].length <= 2);
        if (!page.IsTruncated) break;
        markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
      }
      const seen = pages.flatMap((p) => [...(p.Versions ?? []), ...(p.DeleteMarkers ?? [])].map((v) => `${v.Key}:${v.VersionId}`));
      assert.equal(seen.length, 7);
      assert.equal(new Set(seen).size, 7);
    },
    { pageSize: 2 },
  );
});

test('versioning configuration is validated; once enabled a bucket is never unversioned again', async () => {
  await withEmulator(async (_emu, { s3 }) => {
    const Bucket = 'vconf';
    await create(s3, Bucket);
    assert.equal(
      (await failure(s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Off' as never } })))).name,
      'MalformedXML',
    );
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status, 'Suspended');
  });
});

test('bucket tagging: put replaces the set, get answers NoSuchTagSet without tags, AWS limits apply', async () => {
  await withEmulator(async (_emu, { s3 }) => {
    const Bucket = 'tagged';
    await create(s3, Bucket);
    assert.equal((await failure(s3.send(new GetBucketTaggingCommand({ Bucket })))).name, 'NoSuchTagSet');
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket,
        Tagging: {
          TagSet: [
            { Key: 'team', Value: 'growth' },
            { Key: 'managed-by', Value: 'segflow' },
          ],
        },
      }),
    );
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet, [
      { Key: 'team', Value: 'growth' },
      { Key: 'managed-by', Value: 'segflow' },
    ]);
    await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'only', Value: '' }] } }));
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet, [{ Key: 'only', Value: '' }]);
    const dup = await failure(
      s3.send(
        new PutBucketTaggingCommand({
          Bucket,
          Tagging: {
            TagSet: [
              { Key: 'x', Value: '1' },
              { Key: 'x', Value: '2' },
            ],
          },
        }),
      ),
    );
    assert.deepEqual([dup.name, dup.status], ['InvalidTag', 400]);
    assert.equal((await failure(s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'aws:x', Value: '1' }] } })))).name, 'InvalidTag');
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    assert.equal((await failure(s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: many } })))).name, 'InvalidTag');
    await s3.send(new DeleteBucketTaggingCommand({ Bucket }));
    assert.equal((await failure(s3.send(new GetBucketTaggingCommand({ Bucket })))).name, 'NoSuchTagSet');
  });
});

test('DeleteObjects reports per key what the bucket policy denies the caller and deletes the rest', async () => {
  await withEmulator(async (emu, { s3 }) => {
    const Bucket = 'guarded';
    await create(s3, Bucket);
    for (const Key of ['a', 'protected/b', 'c']) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'KeepProtected', Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${Bucket}/protected/*` }],
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(policy) }));
    const result = await s3.send(
      new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'a' }, { Key: 'protected/b' }, { Key: 'c', ETag: '"0000"' }] } }),
    );
    assert.deepEqual(
      result.Deleted?.map((d) => d.Key),
      ['a'],
    );
    assert.deepEqual(
      result.Errors?.map((e) => [e.Key, e.Code]),
      [
        ['protected/b', 'AccessDenied'],
        ['c', 'PreconditionFailed'],
      ],
    );
    assert.equal(
      result.Errors?.[0]?.Message,
      `User: arn:aws:iam::000000000000:root is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::${Bucket}/protected/b" with an explicit deny in a resource-based policy`,
    );
    assert.equal((await failure(s3.send(new DeleteObjectCommand({ Bucket, Key: 'protected/b' })))).status, 403);
    assert.equal(await body(s3, Bucket, 'protected/b'), 'protected/b');
    assert.equal(await body(s3, Bucket, 'c'), 'c');
    assert.ok(emu.calls().services.s3?.DeleteObjects);
  });
});
