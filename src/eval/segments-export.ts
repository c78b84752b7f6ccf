/**
 * `segflow segments`: a delivered segments.csv (or changes.csv) exported as CSV or JSON lines, optionally one query
 * only, optionally with columns of the users' source joined on the user id. Streamed from the file in its order:
 * a production run's 9 M rows never sit in memory.
 */
import { SegflowError } from '../util/errors.js';
import { csvRecordBatches, csvRow } from './csv-records.js';

/** Columns of data.users' source, by user id (null: no value, or no row for the user). */
export interface UserColumns {
  names: string[];
  values: Map<string, Array<string | null>>;
}

export interface ExportOptions {
  /** Only the rows of this query (item id or attribute expression, exactly as in the file). */
  query?: string;
  format: 'csv' | 'jsonl';
  /** segments.csv only: columns appended to every row from the user's values. */
  users?: UserColumns;
}

export interface ExportResult {
  rows: number;
  /** Distinct queries in the file (to name the ones there are when --query matched nothing). */
  queries: string[];
}

/** Columns a JSON line carries as numbers. */
const NUMERIC = new Set(['rank', 'entered', 'stayed', 'left']);

/**
 * Streams the rows of `path` (a CSV with a header whose first column is `query`) through `write`. The header is
 * written with the first row, so an export whose --query matched nothing writes nothing (the caller says so);
 * an export without --query of an empty file writes the header alone.
 */
export async function exportRows(path: string, o: ExportOptions, write: (chunk: string) => Promise<void>): Promise<ExportResult> {
  let header: string[] | undefined;
  let columns: string[] = [];
  let userAt = -1;
  let rows = 0;
  const queries = new Set<string>();
  for await (const batch of csvRecordBatches(path)) {
    let out = '';
    for (const record of batch) {
      if (!header) {
        header = record;
        if (header[0] !== 'query') throw new SegflowError('RUN_EVAL_INPUT', `${path} is not a segments file: its first column is not 'query'`);
        userAt = header.indexOf('user');
        columns = [...header, ...(o.users?.names ?? [])];
        continue;
      }
      const query = record[0] ?? '';
      queries.add(query);
      if (o.query !== undefined && query !== o.query) continue;
      const values: Array<string | null> = [...record, ...userValues(o.users, record[userAt])];
      if (rows++ === 0 && o.format === 'csv') out += csvRow(columns) + '\n';
      out += o.format === 'csv' ? csvRow(values.map((v) => v ?? '')) + '\n' : jsonLine(columns, values, header.length);
    }
    if (out) await write(out);
  }
  if (rows === 0 && o.query === undefined && o.format === 'csv') await write(csvRow(columns.length ? columns : ['query']) + '\n');
  return { rows, queries: [...queries] };
}

function userValues(users: UserColumns | undefined, user: string | undefined): Array<string | null> {
  if (!users) return [];
  return (user !== undefined ? users.values.get(user) : undefined) ?? users.names.map(() => null);
}

/** One JSON object per row; the file's own count columns as numbers, everything else as text. */
function jsonLine(columns: readonly string[], values: ReadonlyArray<string | null>, fileColumns: number): string {
  const o: Record<string, string | number | null> = {};
  columns.forEach((c, i) => {
    const v = values[i] ?? null;
    o[c] = v !== null && i < fileColumns && NUMERIC.has(c) ? Number(v) : v;
  });
  return JSON.stringify(o) + '\n';
}
