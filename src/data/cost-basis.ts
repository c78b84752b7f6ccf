import type { CostBasis } from './artifacts.js';
import type { Db } from './duckdb.js';

/** Candidate training windows, in days before testStart, that the cost advisor can propose. */
export const WINDOW_DAYS = [730, 365, 180, 90, 30] as const;

const DAY = 86_400;

/**
 * One pass over the filtered interactions (table or view with columns u, t; before the user minimum): per user
 * the count minInteractionsPerUser sees and the training rows, overall and inside each candidate window; then
 * grouped by that count. A window that keeps everything (it starts before the data) is left out.
 */
export async function computeCostBasis(
  db: Db,
  relation: string,
  opts: { testStartEpoch: number; minInteractionsPerUser: number; minInteractionsPerItem: number; windowEndEpoch?: number },
): Promise<CostBasis> {
  const ts = opts.testStartEpoch;
  const min = Math.max(1, opts.minInteractionsPerUser);
  // Windows end at testStart in an experiment, at the newest interaction in a production run.
  const starts = WINDOW_DAYS.map((d) => (opts.windowEndEpoch ?? ts) - d * DAY);
  const perUser = starts
    .map((w, k) => `count(*) FILTER (WHERE t >= ${w}) AS c${k}, count(*) FILTER (WHERE t >= ${w} AND t < ${ts}) AS r${k}`)
    .join(',\n      ');
  const perWindow = starts
    .map(
      (_, k) => `count(*) FILTER (WHERE c${k} >= ${min} AND r${k} > 0) AS u${k}, coalesce(sum(r${k}) FILTER (WHERE c${k} >= ${min} AND r${k} > 0), 0) AS w${k}`,
    )
    .join(',\n    ');
  const rows = await db.rows<Record<string, number>>(
    `SELECT c, count(*) AS users, sum(r) AS "trainRows",
    ${perWindow}
    FROM (SELECT count(*) AS c, count(*) FILTER (WHERE t < ${ts}) AS r,
      ${perUser}
      FROM ${relation} GROUP BY u)
    WHERE r > 0 GROUP BY c ORDER BY c`,
  );
  const num = (v: unknown) => Number(v ?? 0);
  const usersByInteractionCount = rows.map((r) => ({ count: num(r['c']), users: num(r['users']), trainRows: num(r['trainRows']) }));
  const full = usersByInteractionCount.filter((h) => h.count >= min);
  const fullUsers = full.reduce((s, h) => s + h.users, 0);
  const fullRows = full.reduce((s, h) => s + h.trainRows, 0);
  const windows = WINDOW_DAYS.map((days, k) => ({
    days,
    start: new Date(starts[k]! * 1000).toISOString(),
    trainUsers: rows.reduce((s, r) => s + num(r[`u${k}`]), 0),
    trainRows: rows.reduce((s, r) => s + num(r[`w${k}`]), 0),
  })).filter((w) => w.trainUsers < fullUsers || w.trainRows < fullRows);
  return { minInteractionsPerUser: min, exact: opts.minInteractionsPerItem <= 1, usersByInteractionCount, windows };
}
