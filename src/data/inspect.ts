import { join } from 'node:path';
import { detectFormat } from '../spec/source-format.js';
import type { DataFormat } from '../spec/types.js';
import { inputError } from '../util/errors.js';
import { timestampSql } from './classify.js';
import { guessTimestampFormat, TIMESTAMP_FORMATS } from './timestamp-formats.js';
import { Db, sqlIdent, sqlString } from './duckdb.js';
import { MIN_INTERACTIONS, MIN_USERS_WITH_TWO } from './preflight.js';
import { materialize } from './object-cache.js';
import { emptyDownloadStats, type ObjectStore } from './object-store.js';
import { csvOptions, type CsvOptions, fileList, sourceColumns } from './source.js';
import { detectDelimiter, firstTextLine, splitCsvLine } from '../util/text-head.js';
import { listSourceFiles } from './source-files.js';

/**
 * What `segflow init` learns from a data file: its columns and types, how many rows, which columns look like
 * USER_ID / ITEM_ID / TIMESTAMP / EVENT_TYPE, the time range, a split at the 80% time quantile and the largest
 * minInteractionsPerUser (4, the seed article's, down to 1) that still meets Personalize's training minimums.
 */
export type Role = 'USER_ID' | 'ITEM_ID' | 'TIMESTAMP' | 'EVENT_TYPE';

export interface Inspection {
  format: DataFormat;
  rows: number;
  columns: Array<{ name: string; type: string }>;
  /** The chosen column per role (a flag's choice or a guess); EVENT_TYPE may stay unset. */
  roles: Partial<Record<Role, string>>;
  /** CSV: the file has no header row (columns are 1-based positions), and its delimiter when not ','. */
  csv: CsvOptions;
  /** Set when TIMESTAMP needs a strptime format (e.g. 12/1/2010 8:26). */
  timestampFormat?: string;
  minTime: string;
  maxTime: string;
  /** 80% of the interactions are before it (midnight UTC of that day). */
  testStart: string;
  minInteractionsPerUser: number;
  /** USER_ID is sometimes empty (e.g. guest checkouts): the pipeline filters those rows. */
  userHasNulls: boolean;
  users: number;
  items: number;
}

/** Name patterns, most specific first; matched case-insensitively against the whole name without _ - or spaces. */
const PATTERNS: Record<Role, RegExp[]> = {
  USER_ID: [
    /^(userid|customerid|reviewerid|visitorid|memberid|clientid|accountid|uid)$/,
    /^(user|customer|reviewer|visitor|member|client|account)$/,
    /(user|customer|reviewer|visitor|member|client)/,
  ],
  ITEM_ID: [
    /^(itemid|productid|stockcode|asin|sku|articleid|movieid|contentid|iid)$/,
    /^(item|product|article|movie|sku|content)$/,
    /(item|product|stockcode|article|sku)/,
  ],
  TIMESTAMP: [/^(timestamp|ts|eventtime|datetime|time|date|when|createdat|occurredat)$/, /(timestamp|time|date|ts$)/],
  EVENT_TYPE: [/^(eventtype|event|action|interactiontype|eventname|type)$/, /(eventtype|action)/],
};

export const ROLE_FLAGS: Record<Role, string> = {
  USER_ID: '--user-column',
  ITEM_ID: '--item-column',
  TIMESTAMP: '--timestamp-column',
  EVENT_TYPE: '--event-type-column',
};

export function guessRole(role: Role, columns: Array<{ name: string; type: string }>, taken: Set<string>): string | undefined {
  const free = columns.filter((c) => !taken.has(c.name));
  const key = (n: string) => n.toLowerCase().replace(/[\s_-]/g, '');
  for (const p of PATTERNS[role]) {
    const hit = free.find((c) => p.test(key(c.name)));
    if (hit) return hit.name;
  }
  if (role === 'TIMESTAMP') return free.find((c) => /^(TIMESTAMP|DATE)/.test(c.type))?.name;
  return undefined;
}

export async function inspectSource(
  entry: string,
  opts: { format?: DataFormat; roles?: Partial<Record<Role, string>>; objects?: ObjectStore; cacheDir: string; tempDir: string; display?: string },
): Promise<Inspection> {
  const shown = opts.display ?? entry;
  const format = opts.format ?? detectFormat(entry) ?? 'csv';
  const listed = await listSourceFiles('FILE', { source: [entry], format, onBadRows: 'fail', maxBadRows: 0 }, opts.objects);
  const files = await materialize(listed.files, opts.cacheDir, opts.objects, emptyDownloadStats());
  const db = await Db.open({ tempDirectory: join(opts.tempDir, '.duckdb-tmp') });
  try {
    const csv = format === 'csv' ? csvShape(files[0]!) : {};
    const columns = await sourceColumns(db, { files, names: listed.files.map((f) => f.name), format, ...csv });
    // Every column as text for counting (ids such as 85123A must not fail a sniffed integer type).
    const rel =
      format === 'csv'
        ? `read_csv(${fileList(files)}, ${await csvOptions(files[0]!, csv)}, all_varchar = true, ignore_errors = true)`
        : format === 'parquet'
          ? `read_parquet(${fileList(files)})`
          : `read_json(${fileList(files)}, format = 'newline_delimited', ignore_errors = true)`;
    const roles: Partial<Record<Role, string>> = {};
    const taken = new Set<string>();
    for (const role of ['USER_ID', 'ITEM_ID', 'TIMESTAMP', 'EVENT_TYPE'] as const) {
      const given = opts.roles?.[role];
      if (given !== undefined && !columns.some((c) => c.name === given)) {
        throw inputError('INIT_COLUMN', `${ROLE_FLAGS[role]} ${given}: no such column in ${shown} (columns: ${columns.map((c) => c.name).join(', ')})`);
      }
      const chosen = given ?? (csv.header === false ? await guessByPosition(db, rel, role, columns, taken) : guessRole(role, columns, taken));
      if (chosen === undefined) {
        if (role === 'EVENT_TYPE') continue;
        throw inputError(
          'INIT_GUESS',
          `cannot tell which column of ${shown} holds ${role} (columns: ${columns.map((c) => c.name).join(', ')}); pass ${ROLE_FLAGS[role]} NAME`,
        );
      }
      roles[role] = chosen;
      taken.add(chosen);
    }
    const text = (role: Role) => `nullif(CAST(${sqlIdent(roles[role]!)} AS VARCHAR), '')`;
    const ts = text('TIMESTAMP');
    const guess = await guessTimestampFormat(db, rel, sqlIdent(roles.TIMESTAMP!));
    const timestampFormat = guess.format;
    if (guess.sampled > 0 && guess.autoShare < 0.99) {
      if (!timestampFormat)
        throw inputError(
          'INIT_TIMESTAMP',
          `the values of ${roles.TIMESTAMP} are not epoch seconds, epoch milliseconds or ISO-8601 dates; pass ${ROLE_FLAGS.TIMESTAMP} with another column, or set timestampFormat in the pipeline by hand`,
        );
    }
    await db.exec(`CREATE TEMP TABLE ev AS SELECT ${text('USER_ID')} AS u, ${text('ITEM_ID')} AS i,
      ${timestampSql(ts, `TRY_CAST(${ts} AS DOUBLE)`, timestampFormat)} AS t FROM ${rel}`);
    const stats = await db.one<{ rows: number; nullUsers: number; users: number; items: number; lo: number; hi: number; q80: number }>(
      `SELECT count(*) AS rows, count(*) FILTER (WHERE u IS NULL) AS "nullUsers", count(DISTINCT u) AS users, count(DISTINCT i) AS items,
         min(t) AS lo, max(t) AS hi, quantile_disc(t, 0.8) AS q80 FROM ev`,
    );
    if (stats.lo === null) throw inputError('INIT_TIMESTAMP', `no value of ${roles.TIMESTAMP} in ${shown} reads as a time`);
    const day = 86400;
    const testStart = Math.max(Math.floor(stats.q80 / day) * day, Math.floor(stats.lo / day) * day + day);
    return {
      format,
      csv,
      rows: stats.rows,
      columns,
      roles,
      ...(timestampFormat ? { timestampFormat } : {}),
      minTime: iso(stats.lo),
      maxTime: iso(stats.hi),
      testStart: iso(testStart),
      minInteractionsPerUser: await proposeMinimum(db),
      userHasNulls: stats.nullUsers > 0,
      users: stats.users,
      items: stats.items,
    };
  } finally {
    db.close();
  }
}

/**
 * A CSV's header and delimiter from its first line: the most frequent of , ; tab |, and no header row when a field
 * of that line is a number or a date (the MovieLens 100K style, `196\t242\t3\t881250949`): names are neither.
 */
export function csvShape(path: string): CsvOptions {
  const line = firstTextLine(path) ?? '';
  const delimiter = detectDelimiter(line);
  const data = splitCsvLine(line, delimiter).some((f) => /^\s*-?\d+(\.\d+)?\s*$/.test(f) || /\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}/.test(f));
  return { ...(data && { header: false as const }), ...(delimiter !== ',' && { delimiter }) };
}

/**
 * Without a header there are no names to go by: TIMESTAMP is the first column whose every value reads as a time
 * (epoch numbers from 1973 on, ISO-8601, or one of FORMATS), USER_ID and ITEM_ID the first two other columns in
 * file order (the usual user, item, ... layout), EVENT_TYPE left unset.
 */
async function guessByPosition(db: Db, rel: string, role: Role, columns: Array<{ name: string }>, taken: Set<string>): Promise<string | undefined> {
  const free = columns.filter((c) => !taken.has(c.name));
  if (role === 'EVENT_TYPE') return undefined;
  if (role !== 'TIMESTAMP') {
    const ts = await guessByPosition(db, rel, 'TIMESTAMP', columns, taken);
    return free.find((c) => c.name !== ts)?.name;
  }
  for (const c of free) {
    const v = `nullif(${sqlIdent(c.name)}, '')`;
    const tries = [
      `count(*) FILTER (WHERE TRY_CAST(${v} AS DOUBLE) >= 1e8)`,
      `count(TRY_CAST(${v} AS TIMESTAMPTZ))`,
      ...TIMESTAMP_FORMATS.map((f) => `count(try_strptime(${v}, ${sqlString(f)}))`),
    ];
    const r = await db.one<Record<string, number>>(
      `SELECT count(${v}) AS n, ${tries.map((t, k) => `${t} AS t${k}`).join(', ')} FROM (SELECT * FROM ${rel} LIMIT 10000)`,
    );
    if (r['n']! > 0 && tries.some((_, k) => r[`t${k}`]! / r['n']! >= 0.99)) return c.name;
  }
  return undefined;
}

const iso = (epoch: number) => new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');

/** The largest minimum (4 .. 1) that keeps Personalize's training minimums on the distinct interactions. */
async function proposeMinimum(db: Db): Promise<number> {
  for (const n of [4, 3, 2]) {
    const r = await db.one<{ rows: number; two: number }>(
      `SELECT coalesce(sum(c), 0) AS rows, count(*) FILTER (WHERE c >= 2) AS two FROM
         (SELECT u, count(*) AS c FROM (SELECT DISTINCT u, i, t FROM ev WHERE u IS NOT NULL AND i IS NOT NULL AND t IS NOT NULL) GROUP BY u HAVING count(*) >= ${n})`,
    );
    if (r.rows >= MIN_INTERACTIONS * 1.25 && r.two >= MIN_USERS_WITH_TWO) return n;
  }
  return 1;
}
