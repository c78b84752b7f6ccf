import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSegflowError } from '../util/errors.js';
import { segmentUsers, trainModel } from './index.js';

/**
 * Two taste groups: users g0-* buy items A0..A5 (category "Toys|Gifts"), users g1-* buy B0..B5 ("Food").
 * Every user buys 4 of their group's 6 items on consecutive days, so the group structure is the whole signal.
 */
function writeData(dir: string, opts: { reverse?: boolean } = {}) {
  const rows: string[] = [];
  for (let g = 0; g < 2; g++) {
    for (let n = 0; n < 30; n++) {
      for (let k = 0; k < 4; k++) {
        const item = `${g === 0 ? 'A' : 'B'}${(n + k) % 6}`;
        rows.push(`${1_600_000_000 + (n * 4 + k) * 86400},g${g}-${String(n).padStart(2, '0')},${item},purchase`);
      }
    }
  }
  if (opts.reverse) rows.reverse();
  const interactions = join(dir, 'interactions.csv');
  writeFileSync(interactions, ['TIMESTAMP,USER_ID,ITEM_ID,EVENT_TYPE', ...rows].join('\n') + '\n');
  const items = join(dir, 'items.csv');
  const itemRows = [0, 1, 2, 3, 4, 5].flatMap((k) => [`A${k},"Toys|Gifts",red`, `B${k},Food,blue`]);
  writeFileSync(items, ['ITEM_ID,CATEGORY,COLOUR', ...itemRows, 'UNUSED,Food,green'].join('\n') + '\n');
  return { interactions, items };
}

describe('trainModel / segmentUsers', () => {
  let dir: string;
  let files: { interactions: string; items: string };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'segflow-model-'));
    files = writeData(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('trains item affinity, reports progress and metrics, and writes the model atomically', async () => {
    const progress: number[] = [];
    const modelDir = join(dir, 'ia');
    const result = await trainModel({
      recipe: 'aws-item-affinity',
      interactionsCsv: files.interactions,
      modelDir,
      onProgress: (f) => progress.push(f),
    });
    assert.equal(result.users, 60);
    assert.equal(result.items, 12);
    assert.equal(result.interactions, 240);
    assert.ok(progress.length > 0 && progress.at(-1) === 1);
    const { coverage, hits_at_1_percent, recall_at_1_percent } = result.metrics;
    assert.ok(coverage > 0 && coverage <= 1, JSON.stringify(result.metrics));
    assert.ok(recall_at_1_percent >= 0 && recall_at_1_percent <= 1);
    assert.ok(hits_at_1_percent >= 0 && hits_at_1_percent <= 1); // k = max(1, floor(60 / 100)) = 1
    assert.ok(existsSync(join(modelDir, 'model.json')));
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('.tmp-')),
      [],
    );
  });

  it('segments by item: the item group first, then by score, ties by activity and id', async () => {
    const modelDir = join(dir, 'ia');
    const [a, b, unknown] = await segmentUsers(modelDir, [{ itemId: 'A0' }, { itemId: 'B3' }, { itemId: 'nope' }], 30);
    assert.ok(a && 'users' in a && b && 'users' in b);
    assert.equal(a.users.length, 30);
    assert.ok(
      a.users.every((u) => u.startsWith('g0-')),
      a.users.join(),
    );
    assert.ok(
      b.users.every((u) => u.startsWith('g1-')),
      b.users.join(),
    );
    assert.equal(new Set(a.users).size, 30);
    assert.ok(unknown && 'error' in unknown && /nope/.test(unknown.error));
    // more results than users: everybody, once
    const [all] = await segmentUsers(modelDir, [{ itemId: 'A0' }], 1000);
    assert.ok(all && 'users' in all && all.users.length === 60 && new Set(all.users).size === 60);
  });

  it('segments by attribute expression, reporting bad lines per line', async () => {
    const modelDir = join(dir, 'iaa');
    await trainModel({ recipe: 'aws-item-attribute-affinity', interactionsCsv: files.interactions, itemsCsv: files.items, modelDir });
    const results = await segmentUsers(
      modelDir,
      [
        { itemAttributes: 'ITEMS.CATEGORY = "Gifts"' },
        { itemAttributes: 'ITEMS.category = "Food" AND ITEMS.COLOUR = "blue"' },
        { itemAttributes: 'ITEMS.CATEGORY == "Food"' },
        { itemAttributes: 'ITEMS.SIZE = "XL"' },
        { itemAttributes: 'ITEMS.CATEGORY = "Nothing"' },
        { itemId: 'A0' },
      ],
      20,
    );
    const [gifts, food, malformed, unknownColumn, noMatch, wrongKind] = results;
    assert.ok(gifts && 'users' in gifts && gifts.users.every((u) => u.startsWith('g0-')));
    assert.ok(food && 'users' in food && food.users.every((u) => u.startsWith('g1-')));
    for (const r of [malformed, unknownColumn, noMatch, wrongKind]) assert.ok(r && 'error' in r, JSON.stringify(r));
    assert.match((unknownColumn as { error: string }).error, /SIZE/);
  });

  it('gives identical results for identical data, whatever the row order', async () => {
    const other = mkdtempSync(join(tmpdir(), 'segflow-model-'));
    try {
      const reversed = writeData(other, { reverse: true });
      const r1 = await trainModel({ recipe: 'aws-item-affinity', interactionsCsv: files.interactions, modelDir: join(other, 'm1') });
      const r2 = await trainModel({ recipe: 'aws-item-affinity', interactionsCsv: reversed.interactions, modelDir: join(other, 'm2') });
      assert.deepEqual(r1.metrics, r2.metrics);
      const queries = ['A0', 'A3', 'B1', 'B5'].map((itemId) => ({ itemId }));
      const s1 = await segmentUsers(join(other, 'm1'), queries, 7);
      const s2 = await segmentUsers(join(other, 'm2'), queries, 7);
      const s3 = await segmentUsers(join(other, 'm1'), queries, 7);
      assert.deepEqual(s1, s2);
      assert.deepEqual(s1, s3);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('uses hidden_dimension as the neighbourhood size (default 149)', async () => {
    type Meta = { hiddenDimension: number; model: { base: { kind: string; params?: { neighbours: number } } } };
    const read = (d: string) => JSON.parse(readFileSync(join(d, 'model.json'), 'utf8')) as Meta;
    const m32 = join(dir, 'hd32');
    await trainModel({ recipe: 'aws-item-affinity', interactionsCsv: files.interactions, modelDir: m32, hiddenDimension: 32, selectModel: false });
    assert.deepEqual([read(m32).hiddenDimension, read(m32).model.base.params?.neighbours], [32, 32]);
    const m149 = join(dir, 'hd149');
    await trainModel({ recipe: 'aws-item-affinity', interactionsCsv: files.interactions, modelDir: m149, selectModel: false });
    assert.deepEqual([read(m149).hiddenDimension, read(m149).model.base.params?.neighbours], [149, 149]);
  });

  it('rejects bad rows naming their lines, and a bad hidden_dimension', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,100\nu2,,200\nu3,i3,yesterday\nu4,i4\n');
    await assert.rejects(trainModel({ recipe: 'aws-item-affinity', interactionsCsv: bad, modelDir: join(dir, 'bad') }), (e: unknown) => {
      assert.ok(isSegflowError(e));
      assert.equal(e.code, 'DATA_BAD_ROWS');
      assert.match(e.message, /3 bad rows/);
      assert.match(e.details.join('\n'), /bad\.csv:3: empty ITEM_ID[\s\S]*:4: TIMESTAMP[\s\S]*:5: 2 fields/);
      return true;
    });
    assert.equal(existsSync(join(dir, 'bad')), false);
    await assert.rejects(
      trainModel({ recipe: 'aws-item-affinity', interactionsCsv: files.interactions, modelDir: join(dir, 'hd'), hiddenDimension: 8 }),
      /hidden_dimension/,
    );
    await assert.rejects(trainModel({ recipe: 'aws-item-attribute-affinity', interactionsCsv: files.interactions, modelDir: join(dir, 'no-items') }), /items/);
  });

  it('stops when aborted and leaves no model behind', async () => {
    const controller = new AbortController();
    const modelDir = join(dir, 'aborted');
    // abort once the worker reports that it is under way
    const p = trainModel({
      recipe: 'aws-item-affinity',
      interactionsCsv: files.interactions,
      modelDir,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await assert.rejects(p, (e: unknown) => (e as Error).name === 'AbortError');
    assert.equal(existsSync(modelDir), false);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('.tmp-')),
      [],
    );
  });
});
