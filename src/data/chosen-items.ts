import type { ItemQueries, ItemsSource, QuerySource } from '../spec/types.js';
import { inputError } from '../util/errors.js';
import type { Field } from './classify.js';
import { type Db, sqlString } from './duckdb.js';
import { sourceColumns, sourceLabel, type SourceSpec } from './source.js';
import { stageSource, type StageResult } from './stage.js';

/**
 * The items a marketer chose (queries.items ids, source or where), staged as the table `<table>(i VARCHAR,
 * ord BIGINT)`: one row per distinct id, `ord` its delivery order, so that a list that grows at its end changes only
 * the last batch segment job. ids: as listed; source: in file order; where: by first interaction (new products
 * come last), then id. Ids are read like every other id (trimmed, at most 256 characters).
 */
export type ChosenItems = Exclude<ItemQueries, { kind: 'sample' }>;

export interface ChosenResult {
  /** Listed more than once (kept once, at the first place). */
  duplicates: number;
  /** The source's read counts, for bad-row reporting (source and where kinds). */
  staged?: StageResult;
  /** The source's label, for messages. */
  label?: string;
}

export interface ChosenSources {
  /** queries.items.source, opened (S3 objects materialized). */
  querySource?: SourceSpec;
  /** data.items' source, opened, with its spec (queries.items.where reads its columns). */
  items?: { source: SourceSpec; spec: ItemsSource };
}

export async function stageChosenItems(db: Db, table: string, q: ChosenItems, sources: ChosenSources): Promise<ChosenResult> {
  if (q.kind === 'ids') return stageIds(db, table, q.ids);
  if (q.kind === 'source') {
    if (!sources.querySource) throw new Error('queries.items.source was not opened');
    return stageFromSource(db, table, sources.querySource, await idColumn(db, sources.querySource, q.source), 'file');
  }
  if (!sources.items) throw inputError('DATA_ITEMS_REQUIRED', 'queries.items.where selects items of data.items, which the spec does not declare');
  const { source, spec } = sources.items;
  const where = spec.where ? `(${spec.where}) AND (${q.where})` : q.where;
  // An item has several rows in its source often enough (one per variant, per day): not a repeat worth telling.
  return { ...(await stageFromSource(db, table, { ...source, where }, spec.columns.ITEM_ID, 'first-interaction')), duplicates: 0 };
}

async function stageIds(db: Db, table: string, ids: string[]): Promise<ChosenResult> {
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${table}_raw (i VARCHAR, ord BIGINT)`);
  for (let k = 0; k < ids.length; k += 5000) {
    const values = ids.slice(k, k + 5000).map((id, j) => `(${sqlString(id.trim())}, ${k + j})`);
    await db.exec(`INSERT INTO ${table}_raw VALUES ${values.join(', ')}`);
  }
  return firstOfEach(db, table, `${table}_raw`, ids.length);
}

/** Keeps the first row of each id, renumbered 0..n-1 in `ord` order; returns how many repeats were dropped. */
async function firstOfEach(db: Db, table: string, raw: string, rows: number): Promise<ChosenResult> {
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${table} AS
    SELECT i, row_number() OVER (ORDER BY ord) - 1 AS ord FROM (SELECT i, min(ord) AS ord FROM ${raw} WHERE i IS NOT NULL AND i <> '' GROUP BY i)`);
  await db.exec(`DROP TABLE ${raw}`);
  const { n } = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
  return { duplicates: rows - n };
}

/**
 * The id column of a query file: the one named, else ITEM_ID, else the only column. A file of several columns
 * without ITEM_ID is ambiguous and refused, naming its columns.
 */
async function idColumn(db: Db, src: SourceSpec, spec: QuerySource): Promise<string> {
  const columns = (await sourceColumns(db, src)).map((c) => c.name);
  if (spec.column !== undefined) return spec.column;
  if (columns.includes('ITEM_ID')) return 'ITEM_ID';
  if (columns.length === 1) return columns[0]!;
  throw inputError('DATA_QUERY_COLUMN', `queries.items.source ${sourceLabel(src)} has ${columns.length} columns and none is ITEM_ID: name the id column`, [
    `columns: ${columns.join(', ')}`,
    'set queries.items.column, or keep one column (or name it ITEM_ID)',
  ]);
}

async function stageFromSource(db: Db, table: string, src: SourceSpec, column: string, order: 'file' | 'first-interaction'): Promise<ChosenResult> {
  const fields: Field[] = [{ name: 'ITEM_ID', column, kind: 'id' }];
  const stage = () => stageSource(db, `${table}_src`, src, fields);
  const staged = order === 'file' ? await db.inScanOrder(stage) : await stage();
  // In scan order (files as listed, then their lines): rowid is the row's place in the source.
  const ord = order === 'file' ? 'rowid' : `coalesce((SELECT min(t) FROM train WHERE train.i = s."ITEM_ID"), 9223372036854775807)`;
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${table}_raw AS
    SELECT "ITEM_ID" AS i, ${ord} AS o FROM ${table}_src s WHERE __status = 0`);
  await db.exec(`DROP TABLE ${table}_src`);
  // Ties (where: items never interacted with, or first interacted with at the same second) by id.
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${table}_ranked AS SELECT i, row_number() OVER (ORDER BY o, i) AS ord FROM ${table}_raw`);
  await db.exec(`DROP TABLE ${table}_raw`);
  const kept = staged.rowsRead - staged.filtered - staged.badRows;
  return { ...(await firstOfEach(db, table, `${table}_ranked`, kept)), staged, label: sourceLabel(src) };
}
