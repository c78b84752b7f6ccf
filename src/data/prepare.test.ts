import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Spec } from '../spec/types.js';
import type { GroundTruthFile, PrepareManifest } from './artifacts.js';
import { prepareData, prepareFingerprint } from './prepare.js';
import { makeRows, type Row, toCsv, toJsonl, withTempDir, writeFixture } from '../../test/support/data-fixtures.js';
import { testSpec } from '../../test/support/spec.js';

async function trainRows(workDir: string): Promise<string[]> {
  const text = await readFile(join(workDir, 'interactions.csv'), 'utf8');
  const [header, ...lines] = text.trim().split('\n');
  assert.equal(header, 'USER_ID,ITEM_ID,TIMESTAMP');
  return lines;
}

async function run(spec: Spec, cwd: string, threads?: number) {
  return prepareData(spec, { cwd, ...(threads !== undefined && { threads }) });
}

const SPLIT = Date.UTC(2020, 0, 1) / 1000;

describe('prepare: filters and the split', () => {
  it('keeps train rows before testStart only, epoch seconds, sorted by user and time', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      const src = await writeFixture(dir, 'events.csv', toCsv(rows));
      const r = await run(testSpec({ source: src }), dir);
      const lines = await trainRows(r.workDir);
      const expected = rows.filter((x) => x.ts < SPLIT);
      const unique = new Set(expected.map((x) => `${x.user},${x.item},${x.ts}`));
      assert.deepEqual(new Set(lines), unique);
      assert.equal(lines.length, unique.size);
      assert.equal(r.stats.trainRows, unique.size);
      assert.equal(r.stats.rowsRead, rows.length);
      const sorted = [...lines].sort((a, b) => {
        const [ua, , ta] = a.split(','),
          [ub, , tb] = b.split(',');
        return ua! < ub! ? -1 : ua! > ub! ? 1 : Number(ta) - Number(tb);
      });
      assert.deepEqual(
        lines.map((l) => l.split(',').slice(0, 1).concat(l.split(',')[2]!)),
        sorted.map((l) => l.split(',').slice(0, 1).concat(l.split(',')[2]!)),
      );
    });
  });

  it('applies where over source columns, dedupe, and the user and item minimums', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      // u0 gets 3 duplicates of one row; user "lonely" has 2 rows; item "rare" occurs once.
      const extra: Row[] = [
        rows[0]!,
        rows[0]!,
        rows[0]!,
        { user: 'lonely', item: 'i1', ts: rows[0]!.ts },
        { user: 'lonely', item: 'i2', ts: rows[0]!.ts },
        { user: 'u1', item: 'rare', ts: rows[0]!.ts },
      ];
      const all = [...rows, ...extra];
      const csv = 'user,item,ts,qty\n' + all.map((x, k) => `${x.user},${x.item},${x.ts},${k % 10 === 0 ? -1 : 1}`).join('\n') + '\n';
      const src = await writeFixture(dir, 'events.csv', csv);
      const spec = testSpec({ source: src, interactions: { where: 'qty > 0', minInteractionsPerUser: 3, minInteractionsPerItem: 2 } });
      const r = await run(spec, dir);
      const step = (name: string) => r.stats.dropped.find((d) => d.step === name)?.rows;
      const kept = all.filter((_, k) => k % 10 !== 0);
      assert.equal(step('where'), all.length - kept.length);
      const distinct = [...new Set(kept.map((x) => `${x.user},${x.item},${x.ts}`))];
      assert.equal(step('dedupe'), kept.length - distinct.length);
      const perUser = new Map<string, number>();
      for (const d of distinct) perUser.set(d.split(',')[0]!, (perUser.get(d.split(',')[0]!) ?? 0) + 1);
      const afterUsers = distinct.filter((d) => perUser.get(d.split(',')[0]!)! >= 3);
      assert.equal(step('minInteractionsPerUser'), distinct.length - afterUsers.length);
      const perItem = new Map<string, number>();
      for (const d of afterUsers) perItem.set(d.split(',')[1]!, (perItem.get(d.split(',')[1]!) ?? 0) + 1);
      const afterItems = afterUsers.filter((d) => perItem.get(d.split(',')[1]!)! >= 2);
      assert.equal(r.stats.interactions, afterItems.length);
      const lines = await trainRows(r.workDir);
      assert.ok(!lines.some((l) => l.startsWith('lonely,')));
      assert.ok(!lines.some((l) => l.split(',')[1] === 'rare'));
    });
  });

  it('JSON lines: where over a numeric field that is not mapped', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows(60, 60);
      const text = rows.map((x, k) => JSON.stringify({ user: x.user, item: x.item, ts: x.ts, rating: k % 5 })).join('\n') + '\n';
      const src = await writeFixture(dir, 'events.jsonl', text);
      const r = await run(testSpec({ source: src, interactions: { where: 'rating >= 2' } }), dir);
      assert.equal(r.stats.dropped.find((d) => d.step === 'where')?.rows, rows.filter((_, k) => k % 5 < 2).length);
      const lines = new Set(await trainRows(r.workDir));
      const expected = new Set(rows.filter((x, k) => k % 5 >= 2 && x.ts < SPLIT).map((x) => `${x.user},${x.item},${x.ts}`));
      assert.deepEqual(lines, expected);
    });
  });

  it('without dedupe keeps exact duplicates', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      const early = rows.find((x) => x.ts < SPLIT)!;
      const src = await writeFixture(dir, 'events.csv', toCsv([...rows, early, early]));
      const r = await run(testSpec({ source: src, interactions: { dedupe: false } }), dir);
      const line = `${early.user},${early.item},${early.ts}`;
      assert.equal((await trainRows(r.workDir)).filter((l) => l === line).length, 3);
    });
  });

  it('keeps only warm users in the test set, and the ground truth lists them', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      const cold: Row[] = Array.from({ length: 5 }, (_, k) => ({ user: 'newcomer', item: `i${k}`, ts: SPLIT + 3600 * (k + 1) }));
      const src = await writeFixture(dir, 'events.jsonl', toJsonl([...rows, ...cold]));
      const r = await run(testSpec({ source: src, queries: { items: { sample: 500, seed: 10 } }, segments: { numResults: { fractionOfUsers: 0.01 } } }), dir);
      assert.equal(r.stats.dropped.find((d) => d.step === 'cold test users')?.rows, 5);
      const truth = JSON.parse(await readFile(join(r.workDir, 'ground-truth.json'), 'utf8')) as GroundTruthFile;
      const trainUsers = new Set(rows.filter((x) => x.ts < SPLIT).map((x) => x.user));
      for (const q of truth.queries) {
        assert.ok(q.users.length > 0);
        for (const u of q.users) assert.ok(trainUsers.has(u), `${u} is warm`);
        assert.deepEqual(q.users, [...q.users].sort());
        const item = (q.query as { itemId: string }).itemId;
        const expected = new Set(rows.filter((x) => x.ts >= SPLIT && x.item === item).map((x) => x.user));
        assert.deepEqual(new Set(q.users), expected);
      }
      assert.equal(truth.k, Math.max(1, Math.floor(trainUsers.size * 0.01)));
      assert.equal(truth.trainUserCount, trainUsers.size);

      const r2 = await run(testSpec({ source: src, split: { ...testSpec({ source: src }).split!, warmUsersOnly: false } }), dir);
      assert.equal(r2.stats.testRows, r.stats.testRows + 5);
    });
  });
});

describe('prepare: timestamps', () => {
  const forms: Array<[string, (r: Row) => string, string?]> = [
    ['epoch seconds', (r) => String(r.ts)],
    ['epoch milliseconds', (r) => String(r.ts * 1000)],
    ['ISO-8601 with Z', (r) => new Date(r.ts * 1000).toISOString()],
    ['ISO-8601 with an offset', (r) => new Date(r.ts * 1000 + 2 * 3600_000).toISOString().replace('Z', '+02:00')],
    [
      'ISO-8601 without a zone (UTC)',
      (r) =>
        new Date(r.ts * 1000)
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, ''),
    ],
    [
      'timestampFormat',
      (r) => {
        const d = new Date(r.ts * 1000);
        const p = (n: number) => String(n).padStart(2, '0');
        return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
      },
      '%d/%m/%Y %H:%M:%S',
    ],
  ];
  for (const [name, format, strptime] of forms) {
    it(`reads ${name} as UTC epoch seconds`, async () => {
      await withTempDir(async (dir) => {
        const rows = makeRows(40, 60);
        const src = await writeFixture(dir, 'events.csv.gz', toCsv(rows, format));
        const spec = testSpec({ source: src, interactions: { ...(strptime && { timestampFormat: strptime }) } });
        const r = await run(spec, dir);
        const expected = new Set(rows.filter((x) => x.ts < SPLIT).map((x) => `${x.user},${x.item},${x.ts}`));
        assert.deepEqual(new Set(await trainRows(r.workDir)), expected);
      });
    });
  }
});

describe('prepare: sampling', () => {
  it('samples the same items in the same order on every run and for any thread count', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows(80, 40, 200);
      const src = await writeFixture(dir, 'events.csv', toCsv(rows));
      const spec = testSpec({ source: src, queries: { items: { sample: 20, seed: 3 } } });
      const outputs: string[] = [];
      for (const [k, threads] of [1, 4, 2].entries()) {
        const cwd = join(dir, `run${k}`);
        const r = await run(spec, cwd, threads);
        const files = ['interactions.csv', 'batch-input.jsonl', 'ground-truth.json'];
        outputs.push((await Promise.all(files.map((f) => readFile(join(r.workDir, f), 'utf8')))).join('\n---\n'));
      }
      assert.equal(outputs[0], outputs[1]);
      assert.equal(outputs[0], outputs[2]);
      const batch = outputs[0]!
        .split('\n---\n')[1]!
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { itemId: string });
      assert.equal(batch.length, 20);
      assert.equal(new Set(batch.map((b) => b.itemId)).size, 20);
      const testItems = new Set(rows.filter((x) => x.ts >= SPLIT).map((x) => x.item));
      for (const b of batch) assert.ok(testItems.has(b.itemId));

      const other = await run(testSpec({ source: src, queries: { items: { sample: 20, seed: 4 } } }), join(dir, 'seed4'));
      const batch4 = (await readFile(join(other.workDir, 'batch-input.jsonl'), 'utf8')).trim().split('\n');
      assert.notDeepEqual(
        batch4,
        batch.map((b) => JSON.stringify(b)),
      );
    });
  });
});

describe('prepare: fingerprints and atomic outputs', () => {
  it('does no work when nothing changed, and re-runs after a spec or a data change', async () => {
    await withTempDir(async (dir) => {
      const src = await writeFixture(dir, 'events.csv', toCsv(makeRows()));
      const spec = testSpec({ source: src, name: 'test-pipeline' });
      const first = await run(spec, dir);
      assert.equal(first.upToDate, false);
      const second = await run(spec, dir);
      assert.equal(second.upToDate, true);
      assert.equal(second.fingerprint, first.fingerprint);
      assert.deepEqual(second.stats, first.stats);

      const changedSpec = await run(testSpec({ source: src, name: 'test-pipeline', interactions: { minInteractionsPerUser: 2 } }), dir);
      assert.equal(changedSpec.upToDate, false);
      assert.notEqual(changedSpec.fingerprint, first.fingerprint);

      await writeFixture(dir, 'events.csv', toCsv(makeRows(61)));
      const changedData = await run(testSpec({ source: src, name: 'test-pipeline', interactions: { minInteractionsPerUser: 2 } }), dir);
      assert.equal(changedData.upToDate, false);
      assert.notEqual(changedData.fingerprint, changedSpec.fingerprint);
      assert.equal(changedData.stats.users, 61);

      const manifest = JSON.parse(await readFile(join(dir, '.segflow/work/test-pipeline/manifest.json'), 'utf8')) as PrepareManifest;
      assert.equal(manifest.fingerprint, changedData.fingerprint);
      for (const f of ['interactions.csv', 'batch-input.jsonl', 'ground-truth.json', 'stats.json']) assert.ok(manifest.outputs[f]);
    });
  });

  it('prepares from a handed-in fingerprint only when prepareFingerprint computed it for this very spec', async () => {
    await withTempDir(async (dir) => {
      const src = await writeFixture(dir, 'events.csv', toCsv(makeRows()));
      const other = await writeFixture(dir, 'other.csv', toCsv(makeRows(61)));
      const spec = testSpec({ source: src });
      const own = await prepareFingerprint(spec, { cwd: dir });
      assert.equal((await prepareData(spec, { cwd: join(dir, 'a'), fingerprint: own })).fingerprint, own.fingerprint);
      const lookAlike = await prepareData(spec, { cwd: join(dir, 'b'), fingerprint: { fingerprint: 'f'.repeat(64) } });
      assert.equal(lookAlike.fingerprint, own.fingerprint);
      const otherSpec = testSpec({ source: other });
      const forOther = await prepareData(otherSpec, { cwd: join(dir, 'c'), fingerprint: own });
      assert.equal(forOther.fingerprint, (await prepareFingerprint(otherSpec, { cwd: dir })).fingerprint);
      assert.equal(forOther.stats.users, 61);
    });
  });

  it('leaves the previous outputs whole (and no temporary files) when a run fails', async () => {
    await withTempDir(async (dir) => {
      const src = await writeFixture(dir, 'events.csv', toCsv(makeRows()));
      const good = await run(testSpec({ source: src }), dir);
      const before = await readFile(join(good.workDir, 'interactions.csv'), 'utf8');
      const manifestBefore = await readFile(join(good.workDir, 'manifest.json'), 'utf8');
      // A failing run: the test set becomes empty (pre-flight failure after the data was read).
      await assert.rejects(
        run(testSpec({ source: src, testStart: '2030-01-01T00:00:00Z' }), dir),
        (e: Error & { code?: string }) => e.code === 'DATA_PREFLIGHT',
      );
      // An aborted run.
      const controller = new AbortController();
      controller.abort(new Error('stop'));
      await assert.rejects(
        prepareData(testSpec({ source: src, interactions: { minInteractionsPerUser: 2 } }), { cwd: dir, signal: controller.signal }),
        (e: Error & { code?: string }) => e.code === 'RUN_INTERRUPTED',
      );
      assert.equal(await readFile(join(good.workDir, 'interactions.csv'), 'utf8'), before);
      assert.equal(await readFile(join(good.workDir, 'manifest.json'), 'utf8'), manifestBefore);
      const leftovers = (await readdir(good.workDir)).filter((f) => f.startsWith('.'));
      assert.deepEqual(leftovers, []);
      assert.equal((await run(testSpec({ source: src }), dir)).upToDate, true);
    });
  });
});
