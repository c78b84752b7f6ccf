import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from '../../src/model/csv.js';
import { parseInteractions } from '../../src/model/dataset.js';
import type { AttributeCase } from './attribute-bench.js';
import { notebookSplit } from './protocol.js';
import { loadRetailEvents, loadRetailKinds } from './retail-data.js';
import { prepareReviews } from './seed-scale.js';

const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Online Retail, train < 2011-11-02 <= test (warm users), KIND from the items' descriptions. */
export async function retailKindsCase(source: string, scratch: string): Promise<AttributeCase> {
  const events = await loadRetailEvents(source, scratch);
  const kinds = await loadRetailKinds(source);
  const split = Date.parse('2011-11-02T00:00:00Z') / 1000;
  const { train, trainCsv } = notebookSplit(events, split, 0);
  const trainCsvPath = join(scratch, 'kinds-train.csv');
  writeFileSync(trainCsvPath, trainCsv);
  const itemsCsv = join(scratch, 'kinds-items.csv');
  writeFileSync(itemsCsv, ['ITEM_ID,KIND', ...train.itemIds.map((i) => `${csvField(i)},${csvField(kinds.get(i) ?? '')}`)].join('\n') + '\n');
  const warm = new Set(train.userIds);
  const byKind = new Map<string, { items: string[]; truth: Set<string> }>();
  for (const kind of new Set(kinds.values())) byKind.set(kind, { items: train.itemIds.filter((i) => kinds.get(i) === kind), truth: new Set() });
  for (let r = 0; r < events.user.length; r++) {
    if (events.time[r]! < split) continue;
    const user = events.userIds[events.user[r]!]!;
    const kind = kinds.get(events.itemIds[events.item[r]!]!);
    if (kind && warm.has(user)) byKind.get(kind)!.truth.add(user);
  }
  const values = [...byKind.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([value, v]) => ({ value, items: v.items, truth: [...v.truth].sort() }));
  return { name: 'kinds', train, trainCsv: trainCsvPath, itemsCsv, column: 'KIND', values };
}

/**
 * sample-data's items (asin,title,brand,category; category '|' separated from the top level down) as a
 * Personalize items CSV (ITEM_ID,CATEGORY) without the top level, which every item shares.
 */
function personalizeItems(sampleItems: string, out: string): Map<string, string[]> {
  const categories = new Map<string, string[]>();
  const lines = ['ITEM_ID,CATEGORY'];
  let idCol = -1;
  let catCol = -1;
  readCsv(
    readFileSync(sampleItems, 'utf8'),
    (f) => {
      const values = f[catCol]!.split('|').slice(1);
      categories.set(f[idCol]!, values);
      lines.push(`${f[idCol]},${csvField(values.join('|'))}`);
    },
    (h) => {
      idCol = h.indexOf('asin');
      catCol = h.indexOf('category');
    },
  );
  writeFileSync(out, lines.join('\n') + '\n');
  return categories;
}

export async function syntheticAttributesCase(scratch: string): Promise<AttributeCase> {
  const prep = await prepareReviews(scratch, 'attr', 1_000_000, 7, true);
  const itemsCsv = join(scratch, 'attr-items-personalize.csv');
  const categoryOf = personalizeItems(prep.itemsCsv!, itemsCsv);
  const train = parseInteractions(readFileSync(prep.trainCsv, 'utf8'));
  const byValue = new Map<string, { items: string[]; truth: Set<string> }>();
  const entry = (c: string) => byValue.get(c) ?? byValue.set(c, { items: [], truth: new Set() }).get(c)!;
  for (const item of train.itemIds) for (const c of categoryOf.get(item) ?? []) entry(c).items.push(item);
  for (const [item, users] of prep.truth) for (const c of categoryOf.get(item) ?? []) for (const u of users) entry(c).truth.add(u);
  const values = [...byValue.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([value, v]) => ({ value, items: v.items, truth: [...v.truth].sort() }));
  return { name: 'attr', train, trainCsv: prep.trainCsv, itemsCsv, column: 'CATEGORY', values };
}
