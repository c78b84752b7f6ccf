import { createReadStream, existsSync } from 'node:fs';
import { detectDelimiter, firstTextLine, splitCsvLine } from '../util/text-head.js';
import { createGunzip } from 'node:zlib';
import { suggestion } from '../spec/did-you-mean.js';
import type { DataFormat } from '../spec/types.js';
import { inputError } from '../util/errors.js';
import { type Db, sqlIdent, sqlString } from './duckdb.js';

/**
 * How a source's files become one relation of their columns in DuckDB (several files: read together, one list).
 *
 * CSV: read_csv with the sniffer, but every column segflow maps is forced to VARCHAR (ids like 12346 or 85123A
 * stay exactly as written; no 12346.0). Rows DuckDB cannot read are kept in a rejects table with their line.
 * JSON lines: read_json with the mapped keys as VARCHAR (fast path); when a line is not valid JSON, the same
 * columns are extracted from raw lines instead, so a malformed line becomes a bad row with its line number.
 * Parquet: read_parquet; its columns keep their types (mapped ones are cast to text when classified).
 */
export interface SourceSpec extends CsvOptions {
  /** Local paths (S3 objects already materialized in the cache), read as one relation. */
  files: string[];
  /** What users call each file (its path or s3:// URL), for messages; parallel to files. */
  names: string[];
  format: DataFormat;
  where?: string;
}

/** `'a'` or `['a', 'b']`: DuckDB's readers take a list of files. */
export function fileList(files: string[]): string {
  return files.length === 1 ? sqlString(files[0]!) : `[${files.map(sqlString).join(', ')}]`;
}

/** The source as users name it: one file, or the first and how many more. */
export function sourceLabel(src: Pick<SourceSpec, 'names'>): string {
  return src.names.length === 1 ? src.names[0]! : `${src.names[0]} (and ${src.names.length - 1} more files)`;
}

export interface SourceRelation {
  /** FROM-clause expression producing the source columns (plus __malformed in lines mode). */
  from: string;
  /** SQL boolean: the row could not be parsed at all. */
  malformed: string;
  /** CSV: table holding rejected lines (line, error_message, csv_line). */
  rejectsTable?: string;
  mode: 'csv' | 'json' | 'json-lines' | 'parquet';
}

let counter = 0;

/** Lines of text files, one VARCHAR column `j`; 0x1F never occurs unescaped in valid JSON. */
export function rawLines(files: string[]): string {
  return `read_csv(${fileList(files)}, header = false, columns = {'j': 'VARCHAR'}, delim = '\x1F', quote = '', escape = '', auto_detect = false, max_line_size = 2000000, compression = 'auto')`;
}

/** How a CSV is read: with or without a header row, and its delimiter (detected from the first line when absent). */
export interface CsvOptions {
  header?: false;
  delimiter?: string;
}

/**
 * The CSV delimiter, from the first line: DuckDB's sniffer alone can be misled by a few malformed rows (it may
 * then see one wide column), and bad rows must be reported, not change how the whole file is read.
 */
export async function csvDelimiter(path: string, o: CsvOptions = {}): Promise<string> {
  return o.delimiter ?? detectDelimiter(firstTextLine(path, 1 << 20) ?? '');
}

/**
 * read_csv's options. Without a header row the columns are named by their 1-based position ('1', '2', ...), as
 * the spec names them (columns: { USER_ID: 1 }), counted on the first line.
 */
export async function csvOptions(path: string, o: CsvOptions = {}): Promise<string> {
  const delim = await csvDelimiter(path, o);
  if (o.header !== false) return `header = true, delim = ${sqlString(delim)}`;
  const n = splitCsvLine(firstTextLine(path, 1 << 20) ?? '', delim).length;
  return `header = false, delim = ${sqlString(delim)}, names = [${Array.from({ length: n }, (_, i) => sqlString(String(i + 1))).join(', ')}]`;
}

/** The CSV options of a source or a spec's data source. */
export function csvOptionsOf(src: CsvOptions): CsvOptions {
  return { ...(src.header === false && { header: false as const }), ...(src.delimiter !== undefined && { delimiter: src.delimiter }) };
}

type Column = { name: string; type: string };

async function describeFile(db: Db, path: string, name: string, format: DataFormat, csv: CsvOptions): Promise<Column[]> {
  if (!existsSync(path)) throw inputError('DATA_SOURCE_MISSING', `data source not found: ${name}`);
  const rel =
    format === 'csv'
      ? `read_csv(${sqlString(path)}, ${await csvOptions(path, csv)}, ignore_errors = true)`
      : format === 'parquet'
        ? `read_parquet(${sqlString(path)})`
        : `read_json(${sqlString(path)}, format = 'newline_delimited', ignore_errors = true)`;
  try {
    const rows = await db.rows<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${rel}`);
    return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
  } catch (e) {
    throw (await longLineError({ files: [path], names: [name] })) ?? inputError('DATA_SOURCE_UNREADABLE', `cannot read ${name} as ${format}: ${firstLine(e)}`);
  }
}

/**
 * The source's columns. Several files must have the same columns (by name; their order may differ): one
 * relation has one set of columns, and a file that lacks one would silently read as NULLs.
 */
export async function sourceColumns(db: Db, src: SourceSpec): Promise<Column[]> {
  const first = await describeFile(db, src.files[0]!, src.names[0]!, src.format, csvOptionsOf(src));
  const names = new Set(first.map((c) => c.name));
  for (let i = 1; i < src.files.length; i++) {
    const cols = await describeFile(db, src.files[i]!, src.names[i]!, src.format, csvOptionsOf(src));
    const theirs = new Set(cols.map((c) => c.name));
    const missing = [...names].filter((n) => !theirs.has(n));
    const extra = [...theirs].filter((n) => !names.has(n));
    if (missing.length || extra.length) {
      throw inputError(
        'DATA_SOURCE_COLUMNS',
        `${src.names[i]} does not have the columns of ${src.names[0]}; the files of one source are read as one relation`,
        [...(missing.length ? [`missing: ${missing.join(', ')}`] : []), ...(extra.length ? [`extra: ${extra.join(', ')}`] : [])],
      );
    }
  }
  return first;
}

/**
 * DuckDB reports an over-long line as "CSV Error on Line: 1" (or the line within its buffer) wherever it is:
 * after a read error, this finds and names the real one (text formats only).
 */
export async function longLineError(src: Pick<SourceSpec, 'files' | 'names'> & { format?: DataFormat }) {
  if (src.format === 'parquet') return undefined;
  for (let i = 0; i < src.files.length; i++) {
    const long = await firstLongLine(src.files[i]!, MAX_LINE_BYTES);
    if (!long) continue;
    return inputError(
      'DATA_LINE_TOO_LONG',
      `${src.names[i]}: line ${long.line} is ${(long.bytes / 1e6).toFixed(1)} MB long; lines are limited to ${MAX_LINE_BYTES / 1e6} MB`,
    );
  }
  return undefined;
}

/** The longest line DuckDB reads (its max_line_size; rawLines uses the same). */
const MAX_LINE_BYTES = 2_000_000;

/** The first line (1-based) longer than `limit` bytes, streaming the file (gzip included); undefined if none. */
async function firstLongLine(path: string, limit: number): Promise<{ line: number; bytes: number } | undefined> {
  let stream: NodeJS.ReadableStream = createReadStream(path);
  if (/\.gz(ip)?$/i.test(path)) stream = stream.pipe(createGunzip());
  let line = 1;
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
        bytes += nl - from;
        if (bytes > limit) return { line, bytes };
        line++;
        bytes = 0;
        from = nl + 1;
      }
      bytes += chunk.length - from;
    }
  } catch {
    /* unreadable (a truncated gzip): the caller reports DuckDB's error */
  } finally {
    (stream as unknown as { destroy?: () => void }).destroy?.();
  }
  return bytes > limit ? { line, bytes } : undefined;
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
      `${sourceLabel(src)}: no column ${missing
        .map(
          (m) =>
            `'${m}'${suggestion(
              m,
              all.map((c) => c.name),
            )}`,
        )
        .join(', ')} (columns: ${all.map((c) => c.name).join(', ')})`,
    );
  }
  if (src.format === 'parquet') {
    return { from: `read_parquet(${fileList(src.files)})`, malformed: 'false', mode: 'parquet' };
  }
  if (src.format === 'csv') {
    const types = mapped.map((m) => `${sqlString(m)}: 'VARCHAR'`).join(', ');
    const id = `segflow_rejects_${process.pid}_${++counter}`;
    await db.exec(`DROP TABLE IF EXISTS ${id}; DROP TABLE IF EXISTS ${id}_scan`);
    return {
      from: `read_csv(${fileList(src.files)}, ${await csvOptions(src.files[0]!, csvOptionsOf(src))}, types = {${types}}, store_rejects = true, rejects_table = ${sqlString(id)}, rejects_scan = ${sqlString(id + '_scan')})`,
      malformed: 'false',
      rejectsTable: id,
      mode: 'csv',
    };
  }
  const extra = whereColumns(src.where, all).filter((c) => !mapped.includes(c.name));
  if (!opts.linesMode) {
    const cols = [...mapped.map((m) => `${sqlString(m)}: 'VARCHAR'`), ...extra.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`)];
    return {
      from: `read_json(${fileList(src.files)}, format = 'newline_delimited', columns = {${cols.join(', ')}})`,
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
    from: `(SELECT ${projections.join(', ')}, NOT coalesce(${valid}, false) AS __malformed${line} FROM ${rawLines(src.files)}${ord} WHERE j IS NOT NULL)`,
    malformed: '__malformed',
    mode: 'json-lines',
  };
}

export function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0] ?? '';
}
