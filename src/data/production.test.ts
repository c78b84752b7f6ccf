import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Segmentation, Spec } from '../spec/types.js';
import type { PrepareManifest } from './artifacts.js';
import { prepareData } from './prepare.js';
import { makeRows, toCsv, withTempDir, writeFixture } from '../../test/support/data-fixtures.js';
import { primarySegmentation, testMetadata, testSpec } from '../../test/support/spec.js';

/** A production spec (no split) over `src`, with these segmentations (default: the primary one, chosen ids). */
function production(src: string, segmentations: Segmentation[], over: Partial<Spec> = {}): Spec {
  const { split: _split, ...spec } = testSpec({ source: src, segmentations, ...over });
  return spec;
}

const ids = (list: string[], keepUnknown = false): Segmentation =>
  primarySegmentation('demo', { queries: { items: { kind: 'ids', ids: list, keepUnknown } }, segments: { numResults: { count: 5 } } });

async function lines(dir: string, file: string): Promise<string[]> {
  return (await readFile(join(dir, file), 'utf8')).trim().split('\n');
}

describe('prepare: production runs', () => {
  it('trains on every interaction (no split), writes no ground truth, and keeps chosen ids in their order, leaving unknown ones out', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      const src = await writeFixture(dir, 'events.csv', toCsv(rows));
      const r = await prepareData(production(src, [ids(['i7', 'nope', 'i3', 'i7', 'i30'])]), { cwd: dir });
      assert.equal(r.stats.mode, 'production');
      assert.equal(r.stats.trainRows, new Set(rows.map((x) => `${x.user},${x.item},${x.ts}`)).size, 'every distinct interaction is training data');
      assert.equal(r.stats.testRows, 0);
      const seg = r.stats.segmentations![0]!;
      assert.deepEqual(await lines(r.workDir, 'batch-input.jsonl'), ['{"itemId":"i7"}', '{"itemId":"i3"}', '{"itemId":"i30"}']);
      assert.deepEqual(seg.unknown, { count: 1, kept: false, examples: ['nope'] });
      assert.equal(seg.duplicates, 1);
      assert.equal(seg.groundTruth, false);
      const manifest = JSON.parse(await readFile(join(r.workDir, 'manifest.json'), 'utf8')) as PrepareManifest;
      assert.equal(manifest.outputs['ground-truth.json'], undefined);
      assert.ok(
        r.stats.warnings.some((w) => /1 chosen item never occurs in the training interactions \(e\.g\. nope\): left out/.test(w)),
        r.stats.warnings.join('\n'),
      );

      const kept = await prepareData(production(src, [ids(['i7', 'nope'], true)]), { cwd: dir });
      assert.deepEqual(await lines(kept.workDir, 'batch-input.jsonl'), ['{"itemId":"i7"}', '{"itemId":"nope"}']);
      assert.equal(kept.stats.segmentations![0]!.coldQueries, 1);
    });
  });

  it('cuts 1,200 item queries into jobs of 500, 500 and 200; attribute queries into jobs of 10', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows(60, 40, 1300).concat(
        Array.from({ length: 1300 }, (_, i) => ({ user: `u${i % 60}`, item: `i${i}`, ts: Date.UTC(2019, 5, 1) / 1000 + i })),
      );
      const src = await writeFixture(dir, 'events.csv', toCsv(rows));
      const all = Array.from({ length: 1200 }, (_, i) => `i${i}`);
      const items = await writeFixture(dir, 'items.csv', 'item,cat\n' + Array.from({ length: 1300 }, (_, i) => `i${i},c${i % 25}`).join('\n') + '\n');
      const categories = primarySegmentation('cats', { recipe: 'aws-item-attribute-affinity', queries: { topAttributeValues: { top: 25, attribute: 'CAT' } } });
      const spec = production(src, [ids(all), { ...categories, primary: false }], {
        data: { ...testSpec({ source: src }).data, items: testMetadata(items, 'csv', { ITEM_ID: 'item' }, [['CAT', 'cat']]) },
      });
      const r = await prepareData(spec, { cwd: dir });
      const [products, cats] = r.stats.segmentations!;
      assert.deepEqual(products!.chunks, [
        { file: 'batch-input.jsonl', queries: 500 },
        { file: 'batch-input-2.jsonl', queries: 500 },
        { file: 'batch-input-3.jsonl', queries: 200 },
      ]);
      assert.equal((await lines(r.workDir, 'batch-input-3.jsonl'))[0], '{"itemId":"i1000"}', 'chunks keep the list order');
      assert.deepEqual(products!.attributeAlternative, [{ attribute: 'CAT', values: 25 }]);
      assert.equal(cats!.dir, 'segmentations/cats/');
      assert.deepEqual(
        cats!.chunks.map((c) => c.queries),
        [10, 10, 5],
      );
      assert.equal((await lines(r.workDir, 'segmentations/cats/batch-input-3.jsonl')).length, 5);

      // One more id at the end changes the last chunk only.
      const manifest = async () => JSON.parse(await readFile(join(r.workDir, 'manifest.json'), 'utf8')) as PrepareManifest;
      const before = await manifest();
      const grown = await prepareData(production(src, [ids([...all, 'i1200']), { ...categories, primary: false }], { data: spec.data }), { cwd: dir });
      const after = await manifest();
      assert.equal(grown.stats.segmentations![0]!.chunks[2]!.queries, 201);
      const changed = ['batch-input.jsonl', 'batch-input-2.jsonl', 'batch-input-3.jsonl'].filter((f) => before.outputs[f]!.sha256 !== after.outputs[f]!.sha256);
      assert.deepEqual(changed, ['batch-input-3.jsonl']);
    });
  });

  it('where: every item of data.items matching the condition, ordered by first interaction; lastDays keeps the newest days', async () => {
    await withTempDir(async (dir) => {
      const day = 86_400;
      const t0 = Date.UTC(2021, 0, 1) / 1000;
      const rows = [];
      for (let u = 0; u < 150; u++) for (let k = 0; k < 40; k++) rows.push({ user: `u${u}`, item: `i${(u + k) % 20}`, ts: t0 + (k * 3 + (u % 3)) * day });
      // i90 appears late, i91 early: where-order follows the first interaction, not the id.
      rows.push({ user: 'u1', item: 'i91', ts: t0 }, { user: 'u2', item: 'i90', ts: t0 + 110 * day });
      const src = await writeFixture(dir, 'events.csv', toCsv(rows));
      const items = await writeFixture(
        dir,
        'items.csv',
        'item,kind,launched\n' + ['i90,new,2021-03-01', 'i91,new,2020-12-01', 'i5,old,2019-01-01', 'i99,new,2021-04-01'].join('\n') + '\n',
      );
      const where: Segmentation = primarySegmentation('demo', { queries: { items: { kind: 'where', where: "kind = 'new'", keepUnknown: false } } });
      const data = { ...testSpec({ source: src }).data, items: testMetadata(items, 'csv', { ITEM_ID: 'item' }, [['KIND', 'kind']]) };
      const r = await prepareData(production(src, [where], { data }), { cwd: dir });
      assert.deepEqual(await lines(r.workDir, 'batch-input.jsonl'), ['{"itemId":"i91"}', '{"itemId":"i90"}']);
      assert.deepEqual(r.stats.segmentations![0]!.unknown?.examples, ['i99']);

      const recent = await prepareData(production(src, [where], { data: { ...data, interactions: { ...data.interactions, lastDays: 30 } } }), { cwd: dir });
      assert.equal(recent.stats.windowStart, '2021-03-31T00:00:00.000Z', 'the 30 days before the newest interaction (2021-04-30)');
      assert.ok(recent.stats.trainRows < r.stats.trainRows);
      assert.ok(recent.stats.dropped.some((d) => d.step === 'lastDays' && d.rows > 0));
      assert.deepEqual(await lines(recent.workDir, 'batch-input.jsonl'), ['{"itemId":"i90"}'], 'i91 was only bought before the window: unknown now');
    });
  });

  it('several query files (a glob): their queries in file order, then line order, whatever DuckDB does in parallel', async () => {
    await withTempDir(async (dir) => {
      const src = await writeFixture(dir, 'events.csv', toCsv(makeRows()));
      // Four files of 3,000 ids each: enough for DuckDB's threads to read them side by side.
      const expected: string[] = [];
      await mkdir(join(dir, 'campaigns'));
      for (let f = 1; f <= 4; f++) {
        const ids = Array.from({ length: 3000 }, (_, i) => `w${f}-${(i * 7919) % 3000}`);
        expected.push(...ids);
        await writeFixture(dir, `campaigns/week-${f}.csv`, 'ITEM_ID\n' + ids.join('\n') + '\n');
      }
      const seg = primarySegmentation('demo', {
        queries: {
          items: { kind: 'source', keepUnknown: true, source: { source: [join(dir, 'campaigns', '*.csv')], format: 'csv', onBadRows: 'fail', maxBadRows: 0 } },
        },
      });
      for (let run = 0; run < 3; run++) {
        const r = await prepareData(production(src, [seg]), { cwd: join(dir, `run-${run}`) });
        const seg0 = r.stats.segmentations![0]!;
        const queries: string[] = [];
        for (const c of seg0.chunks) queries.push(...(await lines(r.workDir, join(seg0.dir, c.file))).map((l) => (JSON.parse(l) as { itemId: string }).itemId));
        assert.equal(queries.length, expected.length);
        assert.ok(
          queries.every((q, i) => q === expected[i]),
          `run ${run}: first difference at ${queries.findIndex((q, i) => q !== expected[i])}`,
        );
      }
    });
  });

  it('a query file: its ITEM_ID column, or the only one; several columns without ITEM_ID are refused naming them; bad rows name their line', async () => {
    await withTempDir(async (dir) => {
      const src = await writeFixture(dir, 'events.csv', toCsv(makeRows()));
      const from = (file: string, column?: string): Segmentation =>
        primarySegmentation('demo', {
          queries: {
            items: {
              kind: 'source',
              keepUnknown: false,
              source: { source: [file], format: 'csv', onBadRows: 'fail', maxBadRows: 0, ...(column ? { column } : {}) },
            },
          },
        });
      const named = await writeFixture(dir, 'named.csv', 'title,ITEM_ID\nfirst,i4\nsecond,i2\n');
      const r = await prepareData(production(src, [from(named)]), { cwd: dir });
      assert.deepEqual(await lines(r.workDir, 'batch-input.jsonl'), ['{"itemId":"i4"}', '{"itemId":"i2"}']);
      const only = await writeFixture(dir, 'only.csv', 'sku\ni9\ni1\n');
      assert.deepEqual(await lines((await prepareData(production(src, [from(only)]), { cwd: dir })).workDir, 'batch-input.jsonl'), [
        '{"itemId":"i9"}',
        '{"itemId":"i1"}',
      ]);
      const ambiguous = await writeFixture(dir, 'two.csv', 'sku,title\ni9,x\n');
      await assert.rejects(prepareData(production(src, [from(ambiguous)]), { cwd: dir }), (e: Error & { code?: string; details?: string[] }) => {
        assert.equal(e.code, 'DATA_QUERY_COLUMN');
        assert.match(String(e.details), /columns: sku, title/);
        return true;
      });
      assert.deepEqual(await lines((await prepareData(production(src, [from(ambiguous, 'sku')]), { cwd: dir })).workDir, 'batch-input.jsonl'), [
        '{"itemId":"i9"}',
      ]);
      const bad = await writeFixture(dir, 'bad.csv', `ITEM_ID\ni3\n${'x'.repeat(300)}\n`);
      await assert.rejects(prepareData(production(src, [from(bad)]), { cwd: dir }), (e: Error & { code?: string; details?: string[] }) => {
        assert.equal(e.code, 'DATA_BAD_ROWS');
        assert.match(String(e.details), /line 3/);
        return true;
      });
      const none = await writeFixture(dir, 'none.csv', 'ITEM_ID\nnope1\nnope2\n');
      await assert.rejects(
        prepareData(production(src, [from(none)]), { cwd: dir }),
        (e: Error & { code?: string }) =>
          e.code === 'DATA_NO_QUERIES' && /all 2 never occur in the training interactions \(e\.g\. nope1, nope2\)/.test(e.message),
      );
    });
  });
});
