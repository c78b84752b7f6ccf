import type { InteractionsSource } from '../spec/types.js';
import type { CostBasis, DropCount, PrepareStats } from './artifacts.js';
import { computeCostBasis } from './cost-basis.js';
import type { Db } from './duckdb.js';

const DAY = 86_400;

/**
 * The seed notebook's steps, in its order, on the staged table `ev0` (USER_ID, ITEM_ID, TIMESTAMP, __status, __n):
 * dedupe on the three columns, keep users with >= minInteractionsPerUser rows, then items with
 * >= minInteractionsPerItem rows (one pass each, like the notebook; not iterated to a fixed point), then split
 * train < testStart <= test and, with warmUsersOnly, keep only test rows of users present in train.
 * Leaves tables `train` and `test` (columns u, i, t, and e / v when EVENT_TYPE / EVENT_VALUE are mapped).
 */
export type TransformResult = Pick<
  PrepareStats,
  'dropped' | 'interactions' | 'users' | 'items' | 'trainRows' | 'testRows' | 'trainUsers' | 'trainItems' | 'warmTestUsers' | 'testItems'
> & {
  costBasis: CostBasis;
  /** Epoch seconds: the start of the training window, when one is set. */
  windowStart?: number;
  /** Epoch seconds; null when no row survived. */
  minTimestamp: number | null;
  maxTimestamp: number | null;
};

/** Splits the kept rows at the test start into train and test (test users seen in train only, when asked), with their counts. */
async function splitAt(db: Db, table: string, ts: number, warmUsersOnly: boolean, extra: string) {
  const all = await db.one<{ users: number; items: number; lo: number | null; hi: number | null; testAll: number }>(
    `SELECT count(DISTINCT u) AS users, count(DISTINCT i) AS items, min(t) AS lo, max(t) AS hi,
       count(*) FILTER (WHERE t >= ${ts}) AS "testAll" FROM ${table}`,
  );
  await db.exec(`CREATE OR REPLACE TEMP TABLE train AS SELECT u, i, t${extra} FROM ${table} WHERE t < ${ts}`);
  await db.exec(`CREATE OR REPLACE TEMP TABLE test AS SELECT u, i, t${extra} FROM ${table} WHERE t >= ${ts}
    ${warmUsersOnly ? 'AND u IN (SELECT DISTINCT u FROM train)' : ''}`);
  const train = await db.one<{ n: number; users: number; items: number }>(
    `SELECT count(*) AS n, count(DISTINCT u) AS users, count(DISTINCT i) AS items FROM train`,
  );
  const test = await db.one<{ n: number; users: number; items: number; warm: number }>(
    `SELECT count(*) AS n, count(DISTINCT u) AS users, count(DISTINCT i) AS items,
       count(DISTINCT u) FILTER (WHERE u IN (SELECT DISTINCT u FROM train)) AS warm FROM test`,
  );
  return { all, train, test };
}

export async function transform(
  db: Db,
  src: InteractionsSource,
  split: { testStartEpoch: number; warmUsersOnly: boolean; trainStartEpoch?: number } | undefined,
): Promise<TransformResult> {
  const dropped: DropCount[] = [];
  const count = async (table: string) => (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).n;

  // ev0 was staged with one row per distinct (USER_ID, ITEM_ID, TIMESTAMP) when dedupe is on (see stageSource).
  // A view, not a copy: the next step reads the staged rows once.
  // A production run (no split) trains on everything: its "test start" is just after the newest interaction.
  const newest = split ? undefined : ((await db.one<{ t: number | null }>(`SELECT max("TIMESTAMP") AS t FROM ev0 WHERE __status = 0`)).t ?? 0);
  const ts = split ? split.testStartEpoch : newest! + 1;
  // The training window (split.trainStart, or lastDays before the test start or the newest interaction) drops
  // the interactions before it first, so every later count sees only it.
  const end = split ? split.testStartEpoch : newest!;
  const windowStart = split?.trainStartEpoch ?? (src.lastDays !== undefined ? end - src.lastDays * DAY : undefined);
  const inWindow = windowStart === undefined ? '' : ` AND "TIMESTAMP" >= ${windowStart}`;
  const events = eventColumns(src);
  const extra = events.map((c) => `, ${c.short}`).join('');
  await db.exec(`CREATE OR REPLACE TEMP VIEW ev1 AS
    SELECT "USER_ID" AS u, "ITEM_ID" AS i, "TIMESTAMP" AS t${events.map((c) => `, "${c.field}" AS ${c.short}`).join('')} FROM ev0 WHERE __status = 0${inWindow}`);
  const {
    kept,
    rows: staged,
    early,
  } = await db.one<{ kept: number; rows: number; early: number }>(
    `SELECT coalesce(sum(__n), 0) AS kept, count(*) AS rows,
       count(*) FILTER (WHERE ${windowStart === undefined ? 'false' : `"TIMESTAMP" < ${windowStart}`}) AS early
     FROM ev0 WHERE __status = 0`,
  );
  const distinctRows = staged - early;
  let current = 'ev1';
  let rows = distinctRows;
  const drop = async (name: string) => {
    if (name === 'ev1') await db.exec(`DROP VIEW ev1; DROP TABLE ev0`);
    else await db.exec(`DROP TABLE ${name}`);
  };
  const key = ['USER_ID', 'ITEM_ID', 'TIMESTAMP', ...events.map((c) => c.field)].join(', ');
  if (src.dedupe) dropped.push({ step: 'dedupe', rows: kept - staged, why: `exact duplicate (${key})` });
  if (windowStart !== undefined) {
    const what = split?.trainStartEpoch !== undefined ? 'split.trainStart' : `data.interactions.lastDays ${src.lastDays}`;
    dropped.push({
      step: split?.trainStartEpoch !== undefined ? 'trainStart' : 'lastDays',
      rows: early,
      why: `before ${what} (${new Date(windowStart * 1000).toISOString()})`,
    });
  }
  const costBasis = await computeCostBasis(db, 'ev1', {
    testStartEpoch: ts,
    windowEndEpoch: end,
    minInteractionsPerUser: src.minInteractionsPerUser,
    minInteractionsPerItem: src.minInteractionsPerItem,
  });

  // Keeps rows whose user (or item) has at least `min` rows in the current table; one pass, like the notebook.
  const keepFrequent = async (column: 'u' | 'i', min: number, step: string, noun: string, next: string) => {
    if (min <= 1) return;
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${next} AS SELECT * FROM ${current} WHERE ${column} IN
      (SELECT ${column} FROM ${current} GROUP BY ${column} HAVING count(*) >= ${min})`);
    await drop(current);
    current = next;
    const n = await count(current);
    dropped.push({ step, rows: rows - n, why: `${noun} has fewer than ${min} interactions` });
    rows = n;
  };
  await keepFrequent('u', src.minInteractionsPerUser, 'minInteractionsPerUser', 'user', 'ev2');
  await keepFrequent('i', src.minInteractionsPerItem, 'minInteractionsPerItem', 'item', 'ev3');
  const { all, train, test } = await splitAt(db, current, ts, split?.warmUsersOnly === true, extra);
  await drop(current);
  if (split?.warmUsersOnly) {
    dropped.push({ step: 'cold test users', rows: all.testAll - test.n, why: 'test-period user absent from train (warmUsersOnly)' });
  }
  return {
    dropped,
    costBasis,
    ...(windowStart !== undefined ? { windowStart } : {}),
    interactions: rows,
    users: all.users,
    items: all.items,
    trainRows: train.n,
    testRows: test.n,
    trainUsers: train.users,
    trainItems: train.items,
    warmTestUsers: test.warm,
    testItems: test.items,
    minTimestamp: all.lo,
    maxTimestamp: all.hi,
  };
}

/** The optional interaction fields that are mapped, in interactions.csv's column order, with their short names. */
export function eventColumns(src: Pick<InteractionsSource, 'columns'>): Array<{ field: 'EVENT_TYPE' | 'EVENT_VALUE'; short: 'e' | 'v' }> {
  return [
    ...(src.columns.EVENT_TYPE !== undefined ? [{ field: 'EVENT_TYPE' as const, short: 'e' as const }] : []),
    ...(src.columns.EVENT_VALUE !== undefined ? [{ field: 'EVENT_VALUE' as const, short: 'v' as const }] : []),
  ];
}
