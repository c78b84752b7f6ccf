import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAttributeExpression } from '../spec/attribute-expression.js';
import type { AttributeQuery } from '../spec/types.js';
import type { GroundTruthFile } from './artifacts.js';
import { prepareData } from './prepare.js';
import { makeRows, toCsv, withTempDir, writeFixture } from '../../test/support/data-fixtures.js';
import { testMetadata, testSpec } from '../../test/support/spec.js';

const SPLIT = Date.UTC(2020, 0, 1) / 1000;
const query = (e: string): AttributeQuery => {
  const r = parseAttributeExpression(e);
  if (!r.ok) throw new Error(r.error);
  return r.query;
};
// Items i0..i39: even ones are "Tea", odd ones "Coffee"; multiples of 5 also "Gift" ('|' separated, JSON list).
const category = (i: number) => [i % 2 ? 'Coffee' : 'Tea', ...(i % 5 === 0 ? ['Gift'] : [])];

describe('prepare: items and attribute queries', () => {
  it('writes items.csv with | separated categories and ground truth per attribute expression', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      const src = await writeFixture(dir, 'events.csv', toCsv(rows));
      const itemsText =
        Array.from({ length: 40 }, (_, i) => JSON.stringify({ asin: `i${i}`, category: category(i), brand: i < 3 ? 'Acme' : null })).join('\n') + '\n';
      const items = await writeFixture(dir, 'items.jsonl', itemsText);
      const queries = ['ITEMS.CATEGORY = "Tea"', 'ITEMS.CATEGORY = "Gift" AND ITEMS.CATEGORY = "Coffee"', 'ITEMS.BRAND = "Nobody"'].map(query);
      const base = testSpec({ source: src });
      const spec = testSpec({
        source: src,
        recipe: 'aws-item-attribute-affinity',
        queries: { attributes: queries },
        data: {
          interactions: base.data.interactions,
          items: testMetadata(items, 'jsonl', { ITEM_ID: 'asin' }, [
            ['CATEGORY', 'category'],
            ['BRAND', 'brand'],
          ]),
        },
      });
      const r = await prepareData(spec, { cwd: dir });
      const csv = (await readFile(join(r.workDir, 'items.csv'), 'utf8')).trim().split('\n');
      assert.equal(csv[0], 'ITEM_ID,CATEGORY,BRAND');
      assert.ok(csv.includes('i10,Tea|Gift,'), csv.slice(0, 5).join(' / '));
      assert.ok(csv.includes('i1,Coffee,Acme'));
      assert.equal(csv.length, 41);

      const batch = (await readFile(join(r.workDir, 'batch-input.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown);
      assert.deepEqual(
        batch,
        queries.map((q) => ({ itemAttributes: q.expression })),
      );

      const truth = JSON.parse(await readFile(join(r.workDir, 'ground-truth.json'), 'utf8')) as GroundTruthFile;
      assert.equal(truth.kind, 'attributes');
      const trainUsers = new Set(rows.filter((x) => x.ts < SPLIT).map((x) => x.user));
      const expected = (match: (i: number) => boolean) =>
        [...new Set(rows.filter((x) => x.ts >= SPLIT && trainUsers.has(x.user) && match(Number(x.item.slice(1)))).map((x) => x.user))].sort();
      assert.deepEqual(
        truth.queries[0]!.users,
        expected((i) => category(i).includes('Tea')),
      );
      assert.deepEqual(
        truth.queries[1]!.users,
        expected((i) => i % 2 === 1 && i % 5 === 0),
      );
      assert.deepEqual(truth.queries[2]!.users, []);
      assert.equal(r.stats.itemsSource?.items, 40);
    });
  });
});
