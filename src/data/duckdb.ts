import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** DuckDB settings prepare runs with; small defaults keep seed-scale data well under 2 GiB of RSS. */
export interface EngineOptions {
  /** Worker threads (default: DuckDB's own, the number of cores). Results never depend on it. */
  threads?: number;
  /** DuckDB's buffer pool limit, e.g. '1GB'; beyond it DuckDB spills to tempDirectory. */
  memoryLimit?: string;
  tempDirectory: string;
}

/** A connection with the few helpers prepare needs; always UTC, so no timestamp depends on the machine's zone. */
export class Db {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
  ) {}

  static async open(opts: EngineOptions): Promise<Db> {
    const config: Record<string, string> = {
      memory_limit: opts.memoryLimit ?? '1GB',
      temp_directory: opts.tempDirectory,
      // Order comes from explicit ORDER BY only (or inScanOrder); letting DuckDB drop insertion order saves memory.
      preserve_insertion_order: 'false',
    };
    if (opts.threads !== undefined) config['threads'] = String(opts.threads);
    const instance = await DuckDBInstance.create(':memory:', config);
    const conn = await instance.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    return new Db(instance, conn);
  }

  async exec(sql: string): Promise<void> {
    await this.conn.run(sql);
  }

  async rows<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    const reader = await this.conn.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((row) => normalizeRow(row) as T);
  }

  async one<T = Record<string, unknown>>(sql: string): Promise<T> {
    const [row] = await this.rows<T>(sql);
    if (row === undefined) throw new Error(`query returned no rows: ${sql.slice(0, 80)}`);
    return row;
  }

  /**
   * Runs `work` with DuckDB keeping rows in the order it reads them (files as listed, then their lines), where
   * that order is the data's meaning (a query file's order decides its jobs): without it, several files read side
   * by side come out interleaved, differently from run to run.
   */
  async inScanOrder<T>(work: () => Promise<T>): Promise<T> {
    await this.exec(`SET preserve_insertion_order = true`);
    try {
      return await work();
    } finally {
      await this.exec(`SET preserve_insertion_order = false`);
    }
  }

  /** Stops the running query from another async context (used for AbortSignal). */
  interrupt(): void {
    this.conn.interrupt();
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** BigInts become numbers (every count here is far below 2^53); lists map element-wise. */
function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = normalizeValue(v);
  return out;
}
function normalizeValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(normalizeValue);
  return v;
}

export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
