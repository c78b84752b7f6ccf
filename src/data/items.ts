import type { ItemsSource } from '../spec/types.js';
import type { Field } from './classify.js';
import { type Db, sqlIdent, sqlString } from './duckdb.js';
import { stageSource, type StageResult } from './stage.js';

/**
 * Item metadata: ITEM_ID plus categorical attributes ('|' separates several values, as Personalize expects).
 * Several source rows for one item collapse to one (the smallest value of each attribute, so the result never
 * depends on read order). Leaves the table `items` ("ITEM_ID", <attribute names>).
 */
export async function stageItems(db: Db, src: ItemsSource): Promise<StageResult & { items: number }> {
  const fields: Field[] = [
    { name: 'ITEM_ID', column: src.columns.ITEM_ID, kind: 'id' },
    ...src.attributes.map((a) => ({ name: a.name, column: a.column, kind: 'attribute' as const })),
  ];
  const staged = await stageSource(db, 'items0', src, fields);
  const attrs = src.attributes.map((a) => `min(${sqlIdent(a.name)}) AS ${sqlIdent(a.name)}`);
  await db.exec(`CREATE OR REPLACE TEMP TABLE items AS
    SELECT "ITEM_ID"${attrs.length ? ', ' + attrs.join(', ') : ''} FROM items0 WHERE __status = 0 GROUP BY "ITEM_ID"`);
  await db.exec(`DROP TABLE items0`);
  const { n } = await db.one<{ n: number }>(`SELECT count(*) AS n FROM items`);
  return { ...staged, items: n };
}

/** items.csv, sorted by ITEM_ID so the bytes (and the fingerprint of the output) never vary. */
export async function writeItemsCsv(db: Db, src: ItemsSource, path: string): Promise<void> {
  const cols = ['"ITEM_ID"', ...src.attributes.map((a) => sqlIdent(a.name))].join(', ');
  await db.exec(`COPY (SELECT ${cols} FROM items ORDER BY "ITEM_ID") TO ${sqlString(path)} (HEADER, DELIMITER ',')`);
}
