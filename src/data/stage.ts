import { inputError } from '../util/errors.js';
import { badReasonSql, classifySql, type Field, outputColumns, rowPictureSql, STATUS } from './classify.js';
import { type Db, sqlIdent, sqlString } from './duckdb.js';
import { firstLine, longLineError, openSource, rawLines, sourceLabel, type SourceRelation, type SourceSpec } from './source.js';

export interface BadRow {
  /** 1-based physical line of the file (the header is line 1 of a CSV); for Parquet the 1-based row. */
  line: number;
  reason: string;
  text: string;
  /** The file (path or s3:// URL) when the source has several. */
  file?: string;
  /** 'row' for Parquet, which has rows, not lines. */
  unit?: 'row';
}

export interface StageResult {
  rowsRead: number;
  filtered: number;
  badRows: number;
  /** The first bad rows, in file order. */
  badExamples: BadRow[];
}

const EXAMPLES = 10;

/**
 * Reads a source into `table` (the fields as columns, TIMESTAMP as epoch seconds, and __status), with one scan.
 * Counts what was read, filtered and bad; when there are bad rows, a second, line-numbered scan finds the first ones.
 */
export async function stageSource(
  db: Db,
  table: string,
  src: SourceSpec & { timestampFormat?: string },
  fields: Field[],
  opts: { distinct?: boolean } = {},
): Promise<StageResult> {
  const mapped = [...new Set(fields.map((f) => f.column))];
  let rel = await openSource(db, src, mapped);
  const create = (r: SourceRelation) => {
    const cols = fields.map((f) => `CASE WHEN __status = ${STATUS.ok} THEN ${sqlIdent(f.name)} END AS ${sqlIdent(f.name)}`).join(', ');
    // distinct: one hash aggregate both dedupes the kept rows and counts every status in the same scan
    // (filtered and bad rows carry no values, so they collapse into one group per status).
    const inner = `SELECT ${cols}, __status FROM (SELECT ${outputColumns(fields)}, __status FROM (${classifySql(r, fields, src)}))`;
    return db.exec(
      opts.distinct
        ? `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT *, count(*) AS __n FROM (${inner}) GROUP BY ALL`
        : `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT *, 1 AS __n FROM (${inner})`,
    );
  };
  try {
    await create(rel);
  } catch (e) {
    // The fast JSON reader stops at a malformed line or a value that does not fit a sniffed `where` column;
    // raw-lines mode reads every line (TRY_CAST for where columns) and reports bad lines with their numbers.
    if (rel.mode === 'json') {
      rel = await openSource(db, src, mapped, { linesMode: true });
      try {
        await create(rel);
      } catch (e2) {
        throw (await longLineError(src)) ?? readError(src, e2);
      }
    } else {
      throw (await longLineError(src)) ?? readError(src, e);
    }
  }
  const counts = await db.rows<{ s: number; n: number }>(`SELECT __status AS s, sum(__n) AS n FROM ${table} GROUP BY ALL`);
  const byStatus = (s: number) => counts.find((c) => c.s === s)?.n ?? 0;
  let rejected = 0;
  if (rel.rejectsTable) {
    rejected = (await db.one<{ n: number }>(`SELECT count(DISTINCT (file_id, line)) AS n FROM ${rel.rejectsTable}`)).n;
  }
  const badRows = byStatus(STATUS.bad) + rejected;
  const result: StageResult = {
    rowsRead: counts.reduce((a, c) => a + c.n, 0) + rejected,
    filtered: byStatus(STATUS.filtered),
    badRows,
    badExamples:
      badRows > 0
        ? await locateBadRowsInFiles(db, src, fields, rel.rejectsTable).catch(async (e: unknown) => {
            throw (await longLineError(src)) ?? e;
          })
        : [],
  };
  if (rel.rejectsTable) await db.exec(`DROP TABLE IF EXISTS ${rel.rejectsTable}; DROP TABLE IF EXISTS ${rel.rejectsTable}_scan`);
  return result;
}

function readError(src: SourceSpec, e: unknown) {
  const where = src.where ? ` (check the where expression: ${src.where})` : '';
  return inputError('DATA_READ', `cannot read ${sourceLabel(src)}${where}: ${firstLine(e)}`);
}

/** Bad rows file by file (line numbers are per file), the first EXAMPLES overall in source order. */
async function locateBadRowsInFiles(
  db: Db,
  src: SourceSpec & { timestampFormat?: string },
  fields: Field[],
  rejectsTable: string | undefined,
): Promise<BadRow[]> {
  if (src.files.length === 1) return locateBadRows(db, src, fields, rejectsTable);
  const out: BadRow[] = [];
  for (let i = 0; i < src.files.length && out.length < EXAMPLES; i++) {
    const one = { ...src, files: [src.files[i]!], names: [src.names[i]!] };
    // The whole scan's rejects, narrowed to this file.
    let fileRejects: string | undefined;
    if (rejectsTable) {
      fileRejects = `${rejectsTable}_f${i}`;
      await db.exec(`CREATE OR REPLACE TEMP TABLE ${fileRejects} AS SELECT r.* FROM ${rejectsTable} r
        JOIN ${rejectsTable}_scan s ON s.scan_id = r.scan_id AND s.file_id = r.file_id WHERE s.file_path = ${sqlString(src.files[i]!)}`);
    }
    const rows = await locateBadRows(db, one, fields, fileRejects);
    if (fileRejects) await db.exec(`DROP TABLE IF EXISTS ${fileRejects}`);
    out.push(...rows.map((r) => ({ ...r, file: src.names[i]! })));
  }
  return out.slice(0, EXAMPLES);
}

/** The first bad rows with their physical line numbers (only run when there are bad rows). */
async function locateBadRows(db: Db, src: SourceSpec & { timestampFormat?: string }, fields: Field[], rejectsTable: string | undefined): Promise<BadRow[]> {
  const mapped = [...new Set(fields.map((f) => f.column))];
  const select = (rel: SourceRelation) =>
    `SELECT __line AS line, ${badReasonSql(fields)} AS reason, ${rowPictureSql(fields)} AS text
     FROM (${classifySql(rel, fields, { ...src, lineNumbers: true })}) WHERE __status = ${STATUS.bad}
     ORDER BY __line LIMIT ${EXAMPLES}`;
  if (src.format === 'parquet') {
    const base = await openSource(db, src, mapped);
    const rel: SourceRelation = { ...base, from: `(SELECT *, ordinality AS __line FROM ${base.from} WITH ORDINALITY)` };
    return (await db.rows<BadRow>(select(rel))).map((r) => ({ ...r, unit: 'row' as const }));
  }
  if (src.format !== 'csv') {
    const rel = await openSource(db, src, mapped, { linesMode: true, lineNumbers: true });
    return db.rows<BadRow>(select(rel));
  }
  // CSV: rows DuckDB rejected carry their line; rows it read carry an ordinal among the rows it returned, which
  // maps to a physical line by skipping the header, blank lines and rejected lines.
  const rejected = rejectsTable
    ? await db.rows<BadRow>(
        `SELECT line, min(error_message) AS reason, min(csv_line) AS text FROM ${rejectsTable} GROUP BY line ORDER BY line LIMIT ${EXAMPLES}`,
      )
    : [];
  const allRejected = rejectsTable ? (await db.rows<{ line: number }>(`SELECT DISTINCT line FROM ${rejectsTable}`)).map((r) => r.line) : [];
  const base = await openSource(db, src, mapped);
  const rel: SourceRelation = { ...base, from: `(SELECT *, ordinality AS __line FROM ${base.from} WITH ORDINALITY)` };
  const byOrdinal = await db.rows<BadRow>(select(rel));
  if (base.rejectsTable) await db.exec(`DROP TABLE IF EXISTS ${base.rejectsTable}; DROP TABLE IF EXISTS ${base.rejectsTable}_scan`);
  if (byOrdinal.length > 0) {
    const skip = allRejected.length ? `AND ordinality NOT IN (${allRejected.join(',')})` : '';
    const lines = await db.rows<{ k: number; line: number }>(
      `SELECT k, line FROM (SELECT ordinality AS line, row_number() OVER (ORDER BY ordinality) AS k
         FROM ${rawLines(src.files)} WITH ORDINALITY WHERE j IS NOT NULL AND trim(j) <> '' AND ordinality > ${src.header === false ? 0 : 1} ${skip})
       WHERE k IN (${byOrdinal.map((r) => r.line).join(',')})`,
    );
    const map = new Map(lines.map((l) => [l.k, l.line]));
    for (const r of byOrdinal) r.line = map.get(r.line) ?? r.line;
  }
  return [...rejected, ...byOrdinal].sort((a, b) => a.line - b.line).slice(0, EXAMPLES);
}

export function describeBadRows(rows: BadRow[]): string[] {
  return rows.map((r) => `${r.file ? `${r.file}: ` : ''}${r.unit ?? 'line'} ${r.line}: ${r.reason}${r.text ? ` (${truncate(r.text, 160)})` : ''}`);
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
