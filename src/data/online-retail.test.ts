import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../util/paths.js';
import { prepareData } from './prepare.js';
import { withTempDir } from '../../test/support/data-fixtures.js';
import { testSpec } from '../../test/support/spec.js';

const FILE = join(packageRoot, 'examples/data/online-retail.csv.gz');

describe('prepare: Online Retail (real data)', () => {
  it('matches the reference counts of ../shared/data/online-retail/SOURCE.md', { skip: !existsSync(FILE) }, async () => {
    await withTempDir(async (dir) => {
      const spec = testSpec({
        source: FILE,
        testStart: '2011-11-02T00:00:00Z',
        queries: { items: { sample: 500, seed: 10 } },
        segments: { numResults: { fractionOfUsers: 0.01 } },
        interactions: {
          columns: { USER_ID: 'CustomerID', ITEM_ID: 'StockCode', TIMESTAMP: 'InvoiceDate' },
          where: "CustomerID IS NOT NULL AND Quantity > 0 AND InvoiceNo NOT LIKE 'C%'",
          minInteractionsPerUser: 4,
        },
      });
      const r = await prepareData(spec, { cwd: dir });
      assert.equal(r.stats.rowsRead, 541909);
      assert.equal(r.stats.rowsRead - r.stats.dropped.find((d) => d.step === 'where')!.rows, 397924);
      assert.equal(r.stats.trainUsers, 3834);
      assert.equal(r.stats.trainItems, 3614);
      assert.equal(r.stats.testItems, 2662);
      assert.equal(r.stats.k, 38);
      assert.equal(r.stats.queries, 500);
      const lines = (await readFile(join(r.workDir, 'interactions.csv'), 'utf8')).split('\n', 200);
      // Ids come out as written: 12347 (not 12346.0), stock codes like 85123A stay strings.
      assert.ok(
        lines.slice(1, 100).every((l) => /^\d{5},[0-9A-Za-z]+,\d+$/.test(l)),
        lines.slice(1, 4).join(' / '),
      );
      assert.ok(lines.some((l) => /^\d{5},\d+[A-Z],/.test(l)));
    });
  });

  it('keeps a cost basis that predicts exactly the users of a higher minimum and of a shorter window', { skip: !existsSync(FILE) }, async () => {
    await withTempDir(async (dir) => {
      const spec = (over: { min?: number; trainStart?: string } = {}) => {
        const s = testSpec({
          source: FILE,
          testStart: '2011-11-02T00:00:00Z',
          interactions: {
            columns: { USER_ID: 'CustomerID', ITEM_ID: 'StockCode', TIMESTAMP: 'InvoiceDate' },
            where: "CustomerID IS NOT NULL AND Quantity > 0 AND InvoiceNo NOT LIKE 'C%'",
            minInteractionsPerUser: over.min ?? 4,
          },
        });
        if (over.trainStart) Object.assign(s.split!, { trainStart: over.trainStart, trainStartEpoch: Date.parse(over.trainStart) / 1000 });
        return s;
      };
      const base = (await prepareData(spec(), { cwd: dir })).stats;
      const basis = base.costBasis!;
      assert.equal(basis.exact, true);
      const atLeast = (t: number) => basis.usersByInteractionCount.filter((h) => h.count >= t);
      const sum = (rows: Array<{ users: number; trainRows: number }>, k: 'users' | 'trainRows') => rows.reduce((n, h) => n + h[k], 0);
      assert.equal(sum(atLeast(4), 'users'), base.trainUsers);
      assert.equal(sum(atLeast(4), 'trainRows'), base.trainRows);

      const raised = (await prepareData(spec({ min: 17 }), { cwd: dir })).stats;
      assert.equal(raised.trainUsers, sum(atLeast(17), 'users'));
      assert.equal(raised.trainRows, sum(atLeast(17), 'trainRows'));

      assert.deepEqual(
        basis.windows.map((w) => w.days),
        [180, 90, 30],
        'the data spans about 11 months before testStart',
      );
      const window = basis.windows.find((w) => w.days === 90)!;
      const shorter = (await prepareData(spec({ trainStart: window.start }), { cwd: dir })).stats;
      assert.equal(shorter.trainUsers, window.trainUsers);
      assert.equal(shorter.trainRows, window.trainRows);
      assert.ok(shorter.dropped.find((d) => d.step === 'trainStart')!.rows > 0);
      assert.ok(shorter.minTimestamp >= window.start);
    });
  });
});
