import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  ListMultipartUploadsCommand,
  PutBucketLifecycleConfigurationCommand,
} from '@aws-sdk/client-s3';
import { withEmulator } from '../../test/support/emulator.js';

test('lifecycle configuration: stored and returned as S3 states it; NoSuchLifecycleConfiguration; rules are checked', async () => {
  await withEmulator(async (_e, c) => {
    const Bucket = 'lifecycle-b';
    await c.s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await assert.rejects(c.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })), { name: 'NoSuchLifecycleConfiguration' });
    const rule = { ID: 'abort', Filter: { Prefix: 'p/' }, Status: 'Enabled' as const, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } };
    await c.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [rule] } }));
    assert.deepEqual((await c.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules, [rule]);
    // A rule without an action, and two rules with one ID, are refused; the stored configuration stays.
    await assert.rejects(
      c.s3.send(
        new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [{ ID: 'x', Filter: { Prefix: '' }, Status: 'Enabled' }] } }),
      ),
      (e: Error) => e.name === 'InvalidRequest' && /At least one action/.test(e.message),
    );
    await assert.rejects(c.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [rule, rule] } })), {
      name: 'InvalidArgument',
    });
    assert.equal((await c.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules?.length, 1);
    await c.s3.send(new DeleteBucketLifecycleCommand({ Bucket }));
    await assert.rejects(c.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })), { name: 'NoSuchLifecycleConfiguration' });
  });
});

test('ListMultipartUploads: in-progress uploads by key under a prefix, every page; an aborted one is gone', async () => {
  await withEmulator(
    async (_e, c) => {
      const Bucket = 'uploads-b';
      await c.s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      const ids: Record<string, string> = {};
      for (const Key of ['p/b', 'p/a', 'q/c', 'p/d/e']) ids[Key] = (await c.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }))).UploadId!;
      const all = async (Prefix: string) => {
        const seen: string[] = [];
        let KeyMarker: string | undefined;
        let UploadIdMarker: string | undefined;
        for (let pages = 0; ; pages++) {
          const page = await c.s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix, KeyMarker, UploadIdMarker }));
          seen.push(...(page.Uploads ?? []).map((u) => `${u.Key}=${u.UploadId === ids[u.Key!] ? 'id' : '?'}`));
          if (!page.IsTruncated) return seen;
          assert.ok(pages < 5);
          KeyMarker = page.NextKeyMarker;
          UploadIdMarker = page.NextUploadIdMarker;
        }
      };
      assert.deepEqual(await all('p/'), ['p/a=id', 'p/b=id', 'p/d/e=id']);
      const delimited = await c.s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'p/d', Delimiter: '/' }));
      assert.deepEqual(
        delimited.CommonPrefixes?.map((p) => p.Prefix),
        ['p/d/'],
      );
      assert.equal(delimited.Uploads, undefined);
      await c.s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'p/a', UploadId: ids['p/a'] }));
      assert.deepEqual(await all(''), ['p/b=id', 'p/d/e=id', 'q/c=id']);
    },
    { pageSize: 2 },
  );
});
