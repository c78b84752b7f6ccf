/**
 * One SQL query over one prepared CSV file, every column read as text, through an in-memory DuckDB that lives
 * for the query only. Evaluation reads interactions.csv and users.csv this way: files of millions of rows are
 * aggregated where they lie instead of being parsed in JavaScript.
 */
export interface CsvQueryResult {
  columns: string[];
  /** Values as text; SQL NULL (an empty CSV field) as null. */
  rows: Array<Array<string | null>>;
}

/** `sql(from)` gets the FROM expression for the file, e.g. `SELECT USER_ID FROM ${from}`. */
export async function queryCsv(path: string, sql: (from: string) => string): Promise<CsvQueryResult> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const from = `read_csv(${sqlLiteral(path)}, header = true, all_varchar = true)`;
    const reader = await conn.runAndReadAll(sql(from));
    return { columns: reader.columnNames(), rows: reader.getRows().map((r) => r.map((v) => (v === null ? null : String(v)))) };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Double-quoted SQL identifier. */
export function sqlName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Single-quoted SQL string. */
export function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
