import type { DataAttribute } from '../spec/types.js';
import { inputError } from '../util/errors.js';
import type { Field } from './classify.js';
import { type Db, sqlIdent, sqlString } from './duckdb.js';
import type { SourceSpec } from './source.js';
import { stageSource, type StageResult } from './stage.js';

/**
 * Item and user metadata: the id plus attributes, categorical (text; several values '|' separated, as Personalize
 * expects) or numeric (DOUBLE). Several source rows for one id collapse to one (the smallest value of each
 * attribute, so the result never depends on read order). Leaves the table `table` ("<ID>", <attribute names>).
 */
export interface MetadataSpec {
  /** ITEM_ID or USER_ID. */
  id: 'ITEM_ID' | 'USER_ID';
  idColumn: string;
  attributes: DataAttribute[];
}

/** Personalize's longest categorical value (user-dataset-requirements.html, item-dataset-requirements.html). */
export const MAX_CATEGORICAL_LENGTH = 1000;

export async function stageMetadata(db: Db, table: string, src: SourceSpec, meta: MetadataSpec): Promise<StageResult & { rows: number }> {
  const fields: Field[] = [
    { name: meta.id, column: meta.idColumn, kind: 'id' },
    ...meta.attributes.map((a) => ({ name: a.name, column: a.column, kind: a.type === 'numeric' ? ('numeric' as const) : ('attribute' as const) })),
  ];
  const staged = await stageSource(db, `${table}0`, src, fields);
  const attrs = meta.attributes.map((a) => `min(${sqlIdent(a.name)}) AS ${sqlIdent(a.name)}`);
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${table} AS
    SELECT "${meta.id}"${attrs.length ? ', ' + attrs.join(', ') : ''} FROM ${table}0 WHERE __status = 0 GROUP BY "${meta.id}"`);
  await db.exec(`DROP TABLE ${table}0`);
  const { n } = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
  return { ...staged, rows: n };
}

/**
 * Categorical values longer than Personalize accepts fail the whole import job after it was paid for: refuse
 * them here, naming the attribute, the id and the length.
 */
export async function checkCategoricalLengths(db: Db, table: string, dataset: string, meta: MetadataSpec): Promise<void> {
  const problems: string[] = [];
  for (const a of meta.attributes.filter((x) => x.type === 'categorical')) {
    const rows = await db.rows<{ id: string; len: number }>(
      `SELECT "${meta.id}" AS id, length(${sqlIdent(a.name)}) AS len FROM ${table}
       WHERE length(${sqlIdent(a.name)}) > ${MAX_CATEGORICAL_LENGTH} ORDER BY len DESC, id LIMIT 3`,
    );
    for (const r of rows) problems.push(`${a.name} of ${meta.id} ${r.id} has ${r.len} characters`);
  }
  if (problems.length > 0) {
    throw inputError(
      'DATA_ATTRIBUTE_TOO_LONG',
      `data.${dataset}: categorical values of at most ${MAX_CATEGORICAL_LENGTH} characters are accepted by Personalize`,
      [...problems, 'shorten or drop the attribute (several values are separated by |; the limit is for the whole value)'],
    );
  }
}

/** <dataset>.csv sorted by id so the bytes (and the fingerprint of the output) never vary; `where` narrows the rows. */
export async function writeMetadataCsv(db: Db, table: string, meta: MetadataSpec, path: string, where = 'true'): Promise<number> {
  const cols = [`"${meta.id}"`, ...meta.attributes.map((a) => sqlIdent(a.name))].join(', ');
  await db.exec(`COPY (SELECT ${cols} FROM ${table} WHERE ${where} ORDER BY "${meta.id}") TO ${sqlString(path)} (HEADER, DELIMITER ',')`);
  return (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).n;
}
