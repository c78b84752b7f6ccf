import assert from 'node:assert/strict';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ObjectInfo, S3Port } from '../aws/ports.js';
import { prepareData, prepareFingerprint } from '../data/index.js';
import type { Spec } from '../spec/types.js';
import { workDir } from '../util/paths.js';
import { ensurePrepared, prepareStep } from './prepare.js';
import type { StepContext } from './types.js';
import { makeRows, toCsv, withTempDir, writeFixture } from '../../test/support/data-fixtures.js';
import { testSpec } from '../../test/support/spec.js';

/** An in-memory bucket behind the S3Port methods prepare reads sources with, counting every list and head. */
function countingS3(objects: Record<string, string>) {
  const info = (key: string): ObjectInfo => ({ key, etag: `"${key.length}-${objects[key]!.length}"`, size: Buffer.byteLength(objects[key]!) });
  const port = {
    lists: 0,
    heads: 0,
    async listObjects(_bucket: string, prefix: string) {
      port.lists++;
      return Object.keys(objects)
        .filter((k) => k.startsWith(prefix))
        .map(info);
    },
    async headObject(_bucket: string, key: string) {
      port.heads++;
      return key in objects ? info(key) : undefined;
    },
    async downloadObject(_bucket: string, key: string, file: string) {
      if (!(key in objects)) return undefined;
      await writeFile(file, objects[key]!);
      return info(key);
    },
  };
  return port;
}

/** What ensurePrepared reads of a command's context, with the real src/data behind DataPort. */
function contextFor(spec: Spec, cwd: string, s3: ReturnType<typeof countingS3>, planOnly: boolean): StepContext {
  return {
    spec,
    state: { setStep: async () => undefined },
    cwd,
    workDir: workDir(spec.name, cwd),
    aws: { s3: s3 as unknown as S3Port, label: 'test' },
    data: { prepareFingerprint, prepareData },
    signal: new AbortController().signal,
    progress: () => undefined,
    planOnly,
  } as unknown as StepContext;
}

describe('ensurePrepared', () => {
  it('a plan of changed data lists its S3 sources once: prepareData takes the fingerprint the plan computed', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      const s3 = countingS3({ 'events/part-1.csv': toCsv(rows.slice(0, 1200)), 'events/part-2.csv': toCsv(rows.slice(1200)) });
      const spec = testSpec({ source: 's3://lake/events/part-*.csv' });
      const prepared = await ensurePrepared(contextFor(spec, dir, s3, true));
      assert.equal(prepared.workDir, workDir('demo', join(dir, '.segflow/plan-staging')), 'a plan prepares changed data in its staging directory');
      assert.deepEqual({ lists: s3.lists, heads: s3.heads }, { lists: 1, heads: 0 });
    });
  });

  it('the apply after that plan moves the files the plan prepared into the work dir, and its prepare step says so', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      const s3 = countingS3({ 'events/part-1.csv': toCsv(rows.slice(0, 1200)), 'events/part-2.csv': toCsv(rows.slice(1200)) });
      const spec = testSpec({ source: 's3://lake/events/part-*.csv' });
      const planned = await ensurePrepared(contextFor(spec, dir, s3, true));
      const ctx = contextFor(spec, dir, s3, false);
      const applied = await ensurePrepared(ctx);
      assert.equal(applied.reusedFrom, planned.workDir);
      assert.equal(applied.workDir, workDir('demo', dir));
      assert.equal(applied.fingerprint, planned.fingerprint);
      assert.deepEqual(applied.manifest.outputs, planned.manifest.outputs);
      assert.equal(s3.lists, 2, 'the sources are listed once by each command');
      const desired = prepareStep.desired({ spec, prepared: applied } as Parameters<typeof prepareStep.desired>[0]);
      const done = await prepareStep.apply({ ...ctx, prepared: applied }, desired, undefined);
      assert.match(done.note ?? '', /training rows, prepared by `segflow plan` and reused$/);
    });
  });

  it('a plan of a changed local file hashes it once, into the work dir cache (none in the staging directory)', async () => {
    await withTempDir(async (dir) => {
      const spec = testSpec({ source: await writeFixture(dir, 'events.csv', toCsv(makeRows())) });
      const prepared = await ensurePrepared(contextFor(spec, dir, countingS3({}), true));
      await access(join(workDir('demo', dir), 'source-hashes.json'));
      await assert.rejects(access(join(prepared.workDir, 'source-hashes.json')), { code: 'ENOENT' });
    });
  });
});
