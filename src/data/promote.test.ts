import assert from 'node:assert/strict';
import { access, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import type { Segmentation, Spec } from '../spec/types.js';
import type { PrepareManifest } from './artifacts.js';
import { prepareData } from './prepare.js';
import { makeRows, type Row, toCsv, withTempDir, writeFixture } from '../../test/support/data-fixtures.js';
import { primarySegmentation, testMetadata, testSpec } from '../../test/support/spec.js';

/**
 * apply after a plan of changed data: the plan prepared into its staging directory (ensurePrepared passes
 * `.segflow/plan-staging` as cwd), the apply finds its own work dir stale and may move the staged outputs in.
 */
const stagingOf = (dir: string) => join(dir, '.segflow/plan-staging');

async function manifestOf(workDir: string): Promise<PrepareManifest> {
  return JSON.parse(await readFile(join(workDir, 'manifest.json'), 'utf8')) as PrepareManifest;
}

/** Every file under dir, relative, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Each file's bytes (manifest.json without its createdAt), to compare two work dirs. */
async function contents(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await filesUnder(dir)) {
    const text = await readFile(join(dir, f), 'utf8');
    out[f] = f === 'manifest.json' ? JSON.stringify({ ...(JSON.parse(text) as PrepareManifest), createdAt: '' }) : text;
  }
  return out;
}

async function inodes(workDir: string, files: string[]): Promise<Record<string, number>> {
  return Object.fromEntries(await Promise.all(files.map(async (f) => [f, (await stat(join(workDir, f))).ino] as const)));
}

/**
 * A production pipeline whose outputs take every shape: interactions.csv, items.csv, `chosen` item queries at the
 * root (1,200: three chunks of 500, 500 and 200) and attribute queries in three chunks under segmentations/cats/.
 */
async function chunkedPipeline(dir: string) {
  const rows = makeRows(60, 40, 1300).concat(
    Array.from({ length: 1300 }, (_, i) => ({ user: `u${i % 60}`, item: `i${i}`, ts: Date.UTC(2019, 5, 1) / 1000 + i })),
  );
  const src = await writeFixture(dir, 'events.csv', toCsv(rows));
  const items = await writeFixture(dir, 'items.csv', 'item,cat\n' + Array.from({ length: 1300 }, (_, i) => `i${i},c${i % 25}`).join('\n') + '\n');
  const cats = primarySegmentation('cats', { recipe: 'aws-item-attribute-affinity', queries: { topAttributeValues: { top: 25, attribute: 'CAT' } } });
  const spec = (chosen: number): Spec => {
    const ids = Array.from({ length: chosen }, (_, i) => `i${i}`);
    const products: Segmentation = primarySegmentation('demo', { queries: { items: { kind: 'ids', ids, keepUnknown: false } } });
    const { split: _split, ...production } = testSpec({
      source: src,
      segmentations: [products, { ...cats, primary: false }],
      data: { ...testSpec({ source: src }).data, items: testMetadata(items, 'csv', { ITEM_ID: 'item' }, [['CAT', 'cat']]) },
    });
    return production;
  };
  return { rows, src, spec };
}

describe('prepare: apply reuses what the plan prepared', () => {
  it('moves the staged outputs in (no DuckDB run), byte for byte what a fresh prepare writes, and says what changed', async () => {
    await withTempDir(async (dir) => {
      const { rows, src, spec } = await chunkedPipeline(dir);
      await prepareData(spec(1200), { cwd: dir });
      assert.ok((await manifestOf(join(dir, '.segflow/work/demo'))).outputs['batch-input-3.jsonl'], 'the last apply has a third chunk');
      // The data changed, and the next run asks for fewer queries: its third chunk is stale.
      await writeFixture(dir, 'events.csv', toCsv(rows.filter((r: Row) => r.user !== 'u59')));
      const next = spec(900);
      const planned = await prepareData(next, { cwd: stagingOf(dir) });
      const staged = await manifestOf(planned.workDir);
      assert.ok(staged.outputs['segmentations/cats/batch-input-3.jsonl'] && staged.outputs['items.csv'] && staged.outputs['batch-input-2.jsonl']);
      const before = await inodes(planned.workDir, Object.keys(staged.outputs));

      const progress: string[] = [];
      const applied = await prepareData(next, { cwd: dir, staged: stagingOf(dir), onProgress: (m) => progress.push(m) });
      assert.equal(applied.reusedFrom, planned.workDir);
      assert.equal(applied.upToDate, false);
      assert.equal(applied.fingerprint, planned.fingerprint);
      assert.equal(applied.changes.length, 1, applied.changes.join('\n'));
      assert.ok(applied.changes[0]!.startsWith(`${src} changed (sha256 `), applied.changes[0]);
      assert.ok(
        progress.some((m) => /reused the data `segflow plan` prepared/.test(m)),
        progress.join('\n'),
      );
      // A rename keeps the inode; a DuckDB run writes new files, and cannot get these numbers while the staged
      // files still hold them. The manifest is written anew (last), as a prepare does, listing the same outputs (its
      // inode says nothing: the staged manifest is deleted first, and the file system may give its number again).
      const after = await inodes(applied.workDir, Object.keys(staged.outputs));
      assert.deepEqual(after, Object.fromEntries(Object.keys(staged.outputs).map((f) => [f, before[f]])));
      assert.deepEqual((await manifestOf(applied.workDir)).outputs, staged.outputs);
      await assert.rejects(access(planned.workDir), { code: 'ENOENT' }, 'the staged copy is gone');
      await assert.rejects(access(join(applied.workDir, 'batch-input-3.jsonl')), { code: 'ENOENT' }, 'the stale chunk of the last apply is gone');

      const fresh = await prepareData(next, { cwd: join(dir, 'fresh') });
      assert.equal(fresh.reusedFrom, undefined);
      assert.deepEqual(await contents(applied.workDir), await contents(fresh.workDir));
      assert.deepEqual(applied.stats, fresh.stats);
      assert.equal((await prepareData(next, { cwd: dir, staged: stagingOf(dir) })).upToDate, true, 'what follows sees an ordinary prepare');
    });
  });

  const damage: Array<[string, (file: string) => Promise<void>]> = [
    ['truncated', (f) => truncate(f, 10)],
    ['changed, same size', async (f) => writeFile(f, (await readFile(f, 'utf8')).replace(/^USER_ID/, 'USER_ID'.toLowerCase()))],
    ['deleted', (f) => rm(f)],
  ];
  for (const [how, hurt] of damage) {
    it(`does not adopt a staged prepare with an output ${how}: prepares again`, async () => {
      await withTempDir(async (dir) => {
        const spec = testSpec({ source: await writeFixture(dir, 'events.csv', toCsv(makeRows())) });
        const planned = await prepareData(spec, { cwd: stagingOf(dir) });
        const file = join(planned.workDir, 'interactions.csv');
        const ino = (await stat(file)).ino;
        await hurt(file);
        const progress: string[] = [];
        const applied = await prepareData(spec, { cwd: dir, staged: stagingOf(dir), onProgress: (m) => progress.push(m) });
        assert.equal(applied.reusedFrom, undefined);
        assert.ok(
          progress.some((m) => /incomplete or changed since; preparing again/.test(m)),
          progress.join('\n'),
        );
        assert.notEqual((await stat(join(applied.workDir, 'interactions.csv'))).ino, ino);
        const fresh = await prepareData(spec, { cwd: join(dir, 'fresh') });
        assert.deepEqual(await contents(applied.workDir), await contents(fresh.workDir));
      });
    });
  }

  it('does not adopt a staged prepare of another fingerprint, and leaves it alone', async () => {
    await withTempDir(async (dir) => {
      const src = await writeFixture(dir, 'events.csv', toCsv(makeRows()));
      const planned = await prepareData(testSpec({ source: src, interactions: { minInteractionsPerUser: 2 } }), { cwd: stagingOf(dir) });
      const stagedBefore = await contents(planned.workDir);
      const spec = testSpec({ source: src });
      const applied = await prepareData(spec, { cwd: dir, staged: stagingOf(dir) });
      assert.equal(applied.reusedFrom, undefined);
      assert.notEqual(applied.fingerprint, planned.fingerprint);
      assert.equal((await manifestOf(applied.workDir)).fingerprint, applied.fingerprint);
      assert.deepEqual(await contents(planned.workDir), stagedBefore);
      const fresh = await prepareData(spec, { cwd: join(dir, 'fresh') });
      assert.deepEqual(await contents(applied.workDir), await contents(fresh.workDir));
    });
  });
});
