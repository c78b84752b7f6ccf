/**
 * How a segmentation's segments moved between two runs: per query, the users who entered (in the current segment,
 * not the previous), stayed (in both) and left (in the previous only), from the two runs' segments.csv files. A
 * query only one run has counts too (all its users entered, or all left). DuckDB joins the files where they lie:
 * a production run's 9 M rows are never parsed in JavaScript.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { csvRow } from './csv-records.js';
import { sqlLiteral } from './csv-query.js';
import type { ChangeTotals } from './report-types.js';

export const CHANGES_HEADER = ['query', 'entered', 'stayed', 'left'] as const;

export interface QueryChange {
  query: string;
  entered: number;
  stayed: number;
  left: number;
}

/** segments.csv as a relation (query, user), read exactly as written: no type sniffing, RFC 4180 quotes. */
export function segmentsRelation(path: string): string {
  return (
    `read_csv(${sqlLiteral(path)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', ` +
    `columns = {'query': 'VARCHAR', 'rank': 'VARCHAR', 'user': 'VARCHAR'})`
  );
}

/**
 * One hash aggregate over both files: per (query, user), bit 1 = in the previous run, bit 2 = in the current one;
 * then per query the users with 2 entered, 3 stayed, 1 left. Duplicate rows collapse on the way.
 */
function changesSql(previous: string, current: string): string {
  return `SELECT query,
      CAST(count(*) FILTER (WHERE s = 2) AS INTEGER) AS entered,
      CAST(count(*) FILTER (WHERE s = 3) AS INTEGER) AS stayed,
      CAST(count(*) FILTER (WHERE s = 1) AS INTEGER) AS "left",
      bool_or(s >= 2) AS in_current, bool_or(s <> 2) AS in_previous
    FROM (SELECT query, "user", bit_or(side) AS s FROM (
      SELECT query, "user", 1 AS side FROM ${segmentsRelation(previous)} WHERE "user" IS NOT NULL
      UNION ALL
      SELECT query, "user", 2 AS side FROM ${segmentsRelation(current)} WHERE "user" IS NOT NULL) GROUP BY query, "user")
    GROUP BY query ORDER BY query`;
}

/**
 * Compares two segments.csv files and writes changes.csv (`query,entered,stayed,left`, one row per query of either
 * run, ordered by query) at `out`. Returns the totals over queries.
 */
export async function compareSegments(previous: string, current: string, out: string): Promise<ChangeTotals> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  // A bounded buffer pool that spills to a temporary directory of its own (never the user's working directory).
  const spill = await mkdtemp(join(tmpdir(), 'segflow-compare-'));
  const db = await DuckDBInstance.create(':memory:', { preserve_insertion_order: 'false', memory_limit: '1GB', temp_directory: spill });
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(changesSql(previous, current));
    const totals: ChangeTotals = { entered: 0, stayed: 0, left: 0, queriesAdded: 0, queriesRemoved: 0 };
    const lines = [CHANGES_HEADER.join(',')];
    for (const [query, entered, stayed, left, inCurrent, inPrevious] of reader.getRows()) {
      const c = { entered: Number(entered), stayed: Number(stayed), left: Number(left) };
      totals.entered += c.entered;
      totals.stayed += c.stayed;
      totals.left += c.left;
      if (inCurrent && !inPrevious) totals.queriesAdded++;
      if (inPrevious && !inCurrent) totals.queriesRemoved++;
      lines.push(csvRow([String(query), String(c.entered), String(c.stayed), String(c.left)]));
    }
    await writeFileAtomic(out, lines.join('\n') + '\n');
    return totals;
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(spill, { recursive: true, force: true });
  }
}
