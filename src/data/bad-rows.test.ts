import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SegflowError } from '../util/errors.js';
import { prepareData } from './prepare.js';
import { makeRows, toCsv, toJsonl, withTempDir, writeFixture } from '../../test/support/data-fixtures.js';
import { testSpec } from '../../test/support/spec.js';

/** Inserts `bad` lines after the given 1-based data-line positions; returns the file text and their line numbers. */
function withBadLines(good: string, header: boolean, bad: Array<[number, string]>): { text: string; lines: number[] } {
  const lines = good.trim().split('\n');
  const out: string[] = [];
  const at: number[] = [];
  const offset = header ? 1 : 0;
  let k = 0;
  lines.forEach((line, idx) => {
    out.push(line);
    for (const [after, text] of bad) {
      if (idx - offset + 1 === after) {
        out.push(text);
        at.push(out.length);
        k++;
      }
    }
  });
  assert.equal(k, bad.length);
  return { text: out.join('\n') + '\n', lines: at };
}

async function failure(p: Promise<unknown>): Promise<SegflowError> {
  try {
    await p;
  } catch (e) {
    return e as SegflowError;
  }
  assert.fail('expected a failure');
}

describe('prepare: bad rows', () => {
  it('CSV: fails by default (exit 2), naming the lines of wrong column counts, missing ids and bad timestamps', async () => {
    await withTempDir(async (dir) => {
      const { text, lines } = withBadLines(toCsv(makeRows()), true, [
        [5, 'u1,i1'], // too few columns
        [100, ',i3,1577836800'], // missing user
        [200, 'u2,i4,yesterday'], // unparsable timestamp
        [300, 'u3,i5,1,extra'], // too many columns
      ]);
      const src = await writeFixture(dir, 'events.csv', text);
      const e = await failure(prepareData(testSpec({ source: src }), { cwd: dir }));
      assert.equal(e.code, 'DATA_BAD_ROWS');
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /4 bad interactions rows/);
      for (const line of lines)
        assert.ok(
          e.details.some((d) => d.startsWith(`line ${line}:`)),
          `line ${line} named in ${e.details.join(' / ')}`,
        );
      assert.ok(e.details.some((d) => d.includes("USER_ID (column 'user') is missing")));
      assert.ok(e.details.some((d) => d.includes('does not parse: yesterday')));
    });
  });

  it('JSON lines: names malformed lines and missing keys, with physical line numbers (blank lines count)', async () => {
    await withTempDir(async (dir) => {
      const good = toJsonl(makeRows());
      const { text, lines } = withBadLines(good, false, [
        [10, '{"user": "u1", "item": '], // malformed
        [20, ''], // blank: not a row, but it counts as a line
        [30, '{"user": "u1", "ts": 1577836800}'], // missing item
      ]);
      const src = await writeFixture(dir, 'events.jsonl.gz', text);
      const e = await failure(prepareData(testSpec({ source: src }), { cwd: dir }));
      assert.equal(e.code, 'DATA_BAD_ROWS');
      assert.match(e.message, /2 bad interactions rows/);
      assert.ok(
        e.details.some((d) => d.startsWith(`line ${lines[0]}: not valid JSON`)),
        e.details.join(' / '),
      );
      assert.ok(
        e.details.some((d) => d.startsWith(`line ${lines[2]}: ITEM_ID`)),
        e.details.join(' / '),
      );
    });
  });

  it('skip: drops bad rows, counts them with examples, and fails beyond maxBadRows', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      const { text, lines } = withBadLines(toCsv(rows), true, [
        [7, 'u1,i2,not-a-time'],
        [8, 'u1,,1577836800'],
      ]);
      const src = await writeFixture(dir, 'events.csv', text);
      const r = await prepareData(testSpec({ source: src, interactions: { onBadRows: 'skip', maxBadRows: 2 } }), { cwd: dir });
      assert.equal(r.stats.badRows, 2);
      assert.equal(r.stats.rowsRead, rows.length + 2);
      assert.deepEqual(
        r.stats.badRowExamples?.map((b) => b.line),
        lines,
      );
      assert.equal(r.stats.dropped.find((d) => d.step === 'bad rows')?.rows, 2);
      assert.ok(r.stats.warnings.some((w) => w.includes('skipped 2 bad rows')));

      const e = await failure(prepareData(testSpec({ source: src, interactions: { onBadRows: 'skip', maxBadRows: 1 } }), { cwd: dir }));
      assert.equal(e.code, 'DATA_TOO_MANY_BAD_ROWS');
      assert.equal(e.exitCode, 2);
    });
  });

  it('rows the where clause drops are not bad', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      const csv = 'user,item,ts\n' + rows.map((r) => `${r.user},${r.item},${r.ts}`).join('\n') + '\n,i1,garbage\n';
      const src = await writeFixture(dir, 'events.csv', csv);
      const r = await prepareData(testSpec({ source: src, interactions: { where: 'user IS NOT NULL' } }), { cwd: dir });
      assert.equal(r.stats.badRows, 0);
      assert.equal(r.stats.dropped.find((d) => d.step === 'where')?.rows, 1);
    });
  });

  it('a missing column or a broken where is invalid input', async () => {
    await withTempDir(async (dir) => {
      const src = await writeFixture(dir, 'events.csv', toCsv(makeRows()));
      const e1 = await failure(
        prepareData(testSpec({ source: src, interactions: { columns: { USER_ID: 'customer', ITEM_ID: 'item', TIMESTAMP: 'ts' } } }), { cwd: dir }),
      );
      assert.equal(e1.code, 'DATA_MISSING_COLUMN');
      assert.match(e1.message, /'customer'.*columns: user, item, ts/);
      const e2 = await failure(prepareData(testSpec({ source: src, interactions: { where: 'nope > 1' } }), { cwd: dir }));
      assert.equal(e2.code, 'DATA_READ');
      assert.equal(e2.exitCode, 2);
    });
  });
});
