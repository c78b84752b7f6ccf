/**
 * How a segmentation's segments moved between two runs: per query, the users who entered (in the current segment,
 * not the previous), stayed (in both) and left (in the previous only), from the two runs' segments.csv files. A
 * query only one run has counts too (all its users entered, or all left). DuckDB joins the files where they lie:
 * a production run's 9 M rows are never parsed in JavaScript.
 */
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
  return `read_csv(${sqlLiteral(path)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', ` +
    `columns = {'query': 'VARCHAR', 'rank': 'VARCHAR', 'user': 'VARCHAR'})`;
}

function changesSql(previous: string, current: string): string {
  return `WITH p AS (SELECT DISTINCT query, "user" FROM ${segmentsRelation(previous)} WHERE "user" IS NOT NULL),
    c AS (SELECT DISTINCT query, "user" FROM ${segmentsRelation(current)} WHERE "user" IS NOT NULL),
    j AS (SELECT coalesce(c.query, p.query) AS query, c."user" IS NOT NULL AS now, p."user" IS NOT NULL AS before
          FROM c FULL OUTER JOIN p ON c.query = p.query AND c."user" = p."user")
    SELECT query,
      CAST(count(*) FILTER (WHERE now AND NOT before) AS INTEGER) AS entered,
      CAST(count(*) FILTER (WHERE now AND before) AS INTEGER) AS stayed,
      CAST(count(*) FILTER (WHERE before AND NOT now) AS INTEGER) AS "left",
      bool_or(now) AS in_current, bool_or(before) AS in_previous
    FROM j GROUP BY query ORDER BY query`;
}

/**
 * Compares two segments.csv files and writes changes.csv (`query,entered,stayed,left`, one row per query of either
 * run, ordered by query) at `out`. Returns the totals over queries.
 */
export async function compareSegments(previous: string, current: string, out: string): Promise<ChangeTotals> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { preserve_insertion_order: 'false' });
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
  }
}
