import type { DataFormat } from '../spec/types.js';
import { type SourceRelation } from './source.js';
import { sqlIdent, sqlString } from './duckdb.js';

/**
 * One scan of a source classifies every row: 0 kept, 1 filtered out by `where`, 2 bad (malformed, a required
 * value missing, a timestamp that does not parse). Kept rows carry the mapped fields; the others only a status,
 * so filtered rows cost no memory.
 */
export const STATUS = { ok: 0, filtered: 1, bad: 2 } as const;

export interface Field {
  /** Output name: USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE or an attribute. */
  name: string;
  /** Source column. */
  column: string;
  /**
   * id: required text of at most 256 characters (Personalize's limit for USER_ID and ITEM_ID); text: required text
   * (EVENT_TYPE); timestamp: required, parsed to epoch seconds; value: a required number (EVENT_VALUE);
   * attribute: optional text (categorical); numeric: an optional number. A number that does not parse is bad.
   */
  kind: 'id' | 'text' | 'timestamp' | 'value' | 'attribute' | 'numeric';
}

/** Personalize's longest USER_ID / ITEM_ID (limits.html: "Maximum number of characters for USER_ID data values"). */
export const MAX_ID_LENGTH = 256;

const isNumber = (f: Field) => f.kind === 'value' || f.kind === 'numeric';

/**
 * TIMESTAMP to epoch seconds (UTC). With a strptime format: that format. Otherwise per value: a number is epoch
 * seconds, or epoch milliseconds when its magnitude is >= 1e11 (1e11 s is the year 5138, 1e11 ms is 1973);
 * anything else is read as ISO-8601 (a value without a zone is UTC, because the session zone is UTC).
 */
export function timestampSql(text: string, numeric: string, format?: string): string {
  if (format !== undefined) {
    return `TRY_CAST(floor(epoch(try_strptime(${text}, ${sqlString(format)}))) AS BIGINT)`;
  }
  return `CASE WHEN ${numeric} IS NOT NULL AND isfinite(${numeric})
    THEN TRY_CAST(floor(CASE WHEN abs(${numeric}) >= 1e11 THEN ${numeric} / 1000 ELSE ${numeric} END) AS BIGINT)
    ELSE TRY_CAST(floor(epoch(TRY_CAST(${text} AS TIMESTAMPTZ))) AS BIGINT) END`;
}

export interface ClassifyOptions {
  where?: string;
  timestampFormat?: string;
  /** Keep the raw line number column (__line) of a lines-mode relation. */
  lineNumbers?: boolean;
  /** JSON sources: an attribute holding a JSON array (Amazon metadata's category) becomes 'a|b|c'. */
  format?: DataFormat;
}

function attributeSql(v: string, format: ClassifyOptions['format']): string {
  if (format !== 'jsonl') return v;
  return `CASE WHEN starts_with(${v}, '[') AND json_valid(${v})
    THEN nullif(array_to_string(list_filter(from_json(${v}, '["VARCHAR"]'), x -> x IS NOT NULL AND x <> ''), '|'), '')
    ELSE ${v} END`;
}

/** Inner columns: __f<i> per field (VARCHAR, empty = missing), __t for the parsed timestamp. */
function innerName(i: number): string {
  return `__f${i}`;
}

export function classifySql(rel: SourceRelation, fields: Field[], opts: ClassifyOptions): string {
  const l1 = [
    `${rel.malformed} AS __mal`,
    `coalesce((${opts.where ?? 'true'}), false) AS __keep`,
    ...fields.map((f, i) => {
      const v = `nullif(CAST(${sqlIdent(f.column)} AS VARCHAR), '')`;
      return `${f.kind === 'attribute' ? attributeSql(v, opts.format) : v} AS ${innerName(i)}`;
    }),
    ...(opts.lineNumbers ? ['__line'] : []),
  ];
  const tsIndex = fields.findIndex((f) => f.kind === 'timestamp');
  const tsExpr = tsIndex < 0 ? 'NULL' : timestampSql(innerName(tsIndex), '__num', opts.timestampFormat);
  const required = fields
    .map((f, i) => {
      const v = innerName(i);
      if (f.kind === 'id') return `${v} IS NULL OR length(${v}) > ${MAX_ID_LENGTH}`;
      if (f.kind === 'text') return `${v} IS NULL`;
      if (f.kind === 'timestamp') return '__t IS NULL';
      if (f.kind === 'value') return `TRY_CAST(${v} AS DOUBLE) IS NULL`;
      if (f.kind === 'numeric') return `(${v} IS NOT NULL AND TRY_CAST(${v} AS DOUBLE) IS NULL)`;
      return null;
    })
    .filter((x): x is string => x !== null)
    .map((c) => `(${c})`);
  const status = `CASE WHEN __mal THEN ${STATUS.bad} WHEN NOT __keep THEN ${STATUS.filtered} WHEN ${
    required.length ? required.join(' OR ') : 'false'
  } THEN ${STATUS.bad} ELSE ${STATUS.ok} END`;
  const numeric = tsIndex < 0 ? 'NULL' : `TRY_CAST(${innerName(tsIndex)} AS DOUBLE)`;
  return `SELECT *, ${status} AS __status FROM (
    SELECT *, ${tsExpr} AS __t FROM (
      SELECT *, ${numeric} AS __num FROM (SELECT ${l1.join(', ')} FROM ${rel.from})))`;
}

/** The kept rows' output columns (fields by name, TIMESTAMP as epoch seconds). */
export function outputColumns(fields: Field[]): string {
  return fields
    .map((f, i) => `${f.kind === 'timestamp' ? '__t' : isNumber(f) ? `TRY_CAST(${innerName(i)} AS DOUBLE)` : innerName(i)} AS ${sqlIdent(f.name)}`)
    .join(', ');
}

/** Why a row is bad, in words, for reports. */
export function badReasonSql(fields: Field[]): string {
  const parts = ["WHEN __mal THEN 'not valid JSON'"];
  fields.forEach((f, i) => {
    const v = innerName(i);
    if (f.kind === 'id' || f.kind === 'text' || f.kind === 'value')
      parts.push(`WHEN ${v} IS NULL THEN ${sqlString(`${f.name} (column '${f.column}') is missing or empty`)}`);
    if (f.kind === 'id')
      parts.push(`WHEN length(${v}) > ${MAX_ID_LENGTH} THEN ${sqlString(`${f.name} (column '${f.column}') is longer than ${MAX_ID_LENGTH} characters`)}`);
    if (isNumber(f))
      parts.push(`WHEN ${v} IS NOT NULL AND TRY_CAST(${v} AS DOUBLE) IS NULL THEN ${sqlString(`${f.name} (column '${f.column}') is not a number: `)} || ${v}`);
    if (f.kind === 'timestamp')
      parts.push(
        `WHEN __t IS NULL AND ${innerName(i)} IS NULL THEN ${sqlString(`${f.name} (column '${f.column}') is missing or empty`)}`,
        `WHEN __t IS NULL THEN ${sqlString(`${f.name} (column '${f.column}') does not parse: `)} || ${innerName(i)}`,
      );
  });
  return `CASE ${parts.join(' ')} ELSE 'bad row' END`;
}

/** A short picture of the row's mapped values, for reports. */
export function rowPictureSql(fields: Field[]): string {
  return fields.map((f, i) => `${sqlString(`${f.name}=`)} || coalesce(${sqlString('"')} || ${innerName(i)} || ${sqlString('"')}, 'null')`).join(` || ', ' || `);
}
