import { createReadStream, existsSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { DataFormat } from '../spec/types.js';
import { inputError } from '../util/errors.js';
import { type Db, sqlIdent, sqlString } from './duckdb.js';

/**
 * How a source file becomes a relation of its columns in DuckDB.
 *
 * CSV: read_csv with the sniffer, but every column segflow maps is forced to VARCHAR (ids like 12346 or 85123A
 * stay exactly as written; no 12346.0). Rows DuckDB cannot read are kept in a rejects table with their line.
 * JSON lines: read_json with the mapped keys as VARCHAR (fast path); when a line is not valid JSON, the same
 * columns are extracted from raw lines instead, so a malformed line becomes a bad row with its line number.
 */
export interface SourceSpec {
  source: string;
  format: DataFormat;
  where?: string;
}

export interface SourceRelation {
  /** FROM-clause expression producing the source columns (plus __malformed in lines mode). */
  from: string;
  /** SQL boolean: the row could not be parsed at all. */
  malformed: string;
  /** CSV: table holding rejected lines (line, error_message, csv_line). */
  rejectsTable?: string;
  mode: 'csv' | 'json' | 'json-lines';
}

let counter = 0;

export function formatFromPath(path: string): DataFormat {
  const p = path.toLowerCase().replace(/\.(gz|gzip)$/, '');
  if (p.endsWith('.csv') || p.endsWith('.tsv')) return 'csv';
  return 'jsonl';
}

/** Lines of a text file, one VARCHAR column `j`; 0x1F never occurs unescaped in valid JSON. */
export function rawLines(path: string): string {
  return `read_csv(${sqlString(path)}, header = false, columns = {'j': 'VARCHAR'}, delim = '\x1F', quote = '', escape = '', auto_detect = false, max_line_size = 2000000, compression = 'auto')`;
}

/**
 * The CSV delimiter, from the header line: DuckDB's sniffer alone can be misled by a few malformed rows (it may
 * then see one wide column), and bad rows must be reported, not change how the whole file is read.
 */
export async function csvDelimiter(path: string): Promise<string> {
  let stream: NodeJS.ReadableStream = createReadStream(path, { start: 0, end: 1 << 20 });
  if (/\.gz(ip)?$/i.test(path)) stream = stream.pipe(createGunzip());
  let head = '';
  try {
    for await (const chunk of stream) {
      head += chunk.toString();
      if (head.includes('\n') || head.length > 1 << 16) break;
    }
  } catch {
    /* a truncated gzip read is fine: only the first line matters */
  }
  (stream as unknown as { destroy?: () => void }).destroy?.();
  const header = head.split(/\r?\n/)[0] ?? '';
  const counts = [',', ';', '\t', '|'].map((d) => [d, header.split(d).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ',';
}

async function csvOptions(path: string): Promise<string> {
  return `header = true, delim = ${sqlString(await csvDelimiter(path))}`;
}

export async function sourceColumns(db: Db, src: SourceSpec): Promise<Array<{ name: string; type: string }>> {
  if (!existsSync(src.source)) throw inputError('DATA_SOURCE_MISSING', `data source not found: ${src.source}`);
  const rel =
    src.format === 'csv'
      ? `read_csv(${sqlString(src.source)}, ${await csvOptions(src.source)}, ignore_errors = true)`
      : `read_json(${sqlString(src.source)}, format = 'newline_delimited', ignore_errors = true)`;
  try {
    const rows = await db.rows<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${rel}`);
    return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
  } catch (e) {
    throw inputError('DATA_SOURCE_UNREADABLE', `cannot read ${src.source} as ${src.format}: ${firstLine(e)}`);
  }
}

/** Columns a `where` expression may mention: every source column whose name occurs in its text. */
function whereColumns(where: string | undefined, all: Array<{ name: string; type: string }>) {
  if (!where) return [];
  const lower = where.toLowerCase();
  return all.filter((c) => lower.includes(c.name.toLowerCase()));
}

export async function openSource(
  db: Db,
  src: SourceSpec,
  mapped: string[],
  opts: { linesMode?: boolean; lineNumbers?: boolean } = {},
): Promise<SourceRelation> {
  const all = await sourceColumns(db, src);
  const missing = mapped.filter((m) => !all.some((c) => c.name === m));
  if (missing.length > 0) {
    throw inputError(
      'DATA_MISSING_COLUMN',
      `${src.source}: no column ${missing.map((m) => `'${m}'`).join(', ')} (columns: ${all.map((c) => c.name).join(', ')})`,
    );
  }
  if (src.format === 'csv') {
    const types = mapped.map((m) => `${sqlString(m)}: 'VARCHAR'`).join(', ');
    const id = `segflow_rejects_${process.pid}_${++counter}`;
    await db.exec(`DROP TABLE IF EXISTS ${id}; DROP TABLE IF EXISTS ${id}_scan`);
    return {
      from: `read_csv(${sqlString(src.source)}, ${await csvOptions(src.source)}, types = {${types}}, store_rejects = true, rejects_table = ${sqlString(id)}, rejects_scan = ${sqlString(id + '_scan')})`,
      malformed: 'false',
      rejectsTable: id,
      mode: 'csv',
    };
  }
  const extra = whereColumns(src.where, all).filter((c) => !mapped.includes(c.name));
  if (!opts.linesMode) {
    const cols = [...mapped.map((m) => `${sqlString(m)}: 'VARCHAR'`), ...extra.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`)];
    return {
      from: `read_json(${sqlString(src.source)}, format = 'newline_delimited', columns = {${cols.join(', ')}})`,
      malformed: 'false',
      mode: 'json',
    };
  }
  const valid = `json_valid(j)`;
  const projections = [
    ...mapped.map((m) => `CASE WHEN ${valid} THEN j ->> ${sqlString(m)} END AS ${sqlIdent(m)}`),
    ...extra.map((c) =>
      c.type === 'VARCHAR'
        ? `CASE WHEN ${valid} THEN j ->> ${sqlString(c.name)} END AS ${sqlIdent(c.name)}`
        : `CASE WHEN ${valid} THEN TRY_CAST(j -> ${sqlString(c.name)} AS ${c.type}) END AS ${sqlIdent(c.name)}`,
    ),
  ];
  // Physical line numbers come from the raw-lines scan (blank lines included), so they are what an editor shows.
  const line = opts.lineNumbers ? ', ordinality AS __line' : '';
  const ord = opts.lineNumbers ? ' WITH ORDINALITY' : '';
  return {
    from: `(SELECT ${projections.join(', ')}, NOT coalesce(${valid}, false) AS __malformed${line} FROM ${rawLines(src.source)}${ord} WHERE j IS NOT NULL)`,
    malformed: '__malformed',
    mode: 'json-lines',
  };
}

export function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0] ?? '';
}
