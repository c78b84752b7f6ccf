/**
 * `segflow segments --with-users`: columns of data.users' source (source columns, e.g. an e-mail address that is
 * never sent to Personalize) for the users of a delivered segments.csv, read like every source (local files, globs,
 * s3:// objects through the cache, csv/jsonl/parquet) and with the source's `where`. Several rows for one user
 * collapse to the smallest value of each column, as prepare does for attributes, so the result never depends on
 * read order.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suggestion } from '../spec/did-you-mean.js';
import type { Spec } from '../spec/types.js';
import { inputError } from '../util/errors.js';
import { segflowDir } from '../util/paths.js';
import { Db, sqlIdent, sqlString } from './duckdb.js';
import { materialize } from './object-cache.js';
import { emptyDownloadStats, type ObjectStore } from './object-store.js';
import { csvOptionsOf, openSource, sourceColumns, sourceLabel, type SourceSpec } from './source.js';
import { listSourceFiles } from './source-files.js';

export interface UserColumnsOptions {
  cwd: string;
  /** A segments.csv (query,rank,user): only its users are looked up. */
  segmentsCsv: string;
  /** Only the users of this query. */
  query?: string;
  objects?: ObjectStore;
  /** Where S3 objects are cached by ETag; default .segflow/cache under cwd. */
  cacheDir?: string;
}

export interface UserColumnValues {
  names: string[];
  values: Map<string, Array<string | null>>;
}

/** The users source as a SourceSpec (S3 objects downloaded into the cache). */
async function usersSource(spec: Spec, o: UserColumnsOptions): Promise<SourceSpec> {
  const users = spec.data.users;
  if (!users) {
    throw inputError('CLI_USAGE', `--with-users: ${spec.file} has no data.users, the source user columns are read from`, [
      'add data.users (source, columns: { USER_ID: ... }) to the pipeline; its other columns can then be joined without being sent to Personalize',
    ]);
  }
  const listed = await listSourceFiles('data.users', users, o.objects);
  const files = await materialize(listed.files, o.cacheDir ?? join(segflowDir(o.cwd), 'cache'), o.objects, emptyDownloadStats());
  return { files, names: listed.files.map((f) => f.name), format: listed.format, ...csvOptionsOf(users), ...(users.where ? { where: users.where } : {}) };
}

/** Every requested column must be a source column: an unknown one is named, with the closest real one. */
function checkColumns(src: SourceSpec, available: string[], wanted: string[]): void {
  const unknown = wanted.filter((c) => !available.includes(c));
  if (unknown.length === 0) return;
  throw inputError(
    'CLI_USAGE',
    `--with-users: data.users' source ${sourceLabel(src)} has no column ${unknown.map((c) => `'${c}'${suggestion(c, available)}`).join(', ')}`,
    [`its columns: ${available.join(', ')}`],
  );
}

export async function readUserColumns(spec: Spec, columns: string[], o: UserColumnsOptions): Promise<UserColumnValues> {
  const src = await usersSource(spec, o);
  const idColumn = spec.data.users!.columns.USER_ID;
  const spill = await mkdtemp(join(tmpdir(), 'segflow-users-'));
  const db = await Db.open({ tempDirectory: spill });
  try {
    checkColumns(
      src,
      (await sourceColumns(db, src)).map((c) => c.name),
      columns,
    );
    const rel = await openSource(db, src, [idColumn, ...columns]);
    const id = `CAST(${sqlIdent(idColumn)} AS VARCHAR)`;
    const wanted =
      `SELECT DISTINCT "user" FROM read_csv(${sqlString(o.segmentsCsv)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', ` +
      `columns = {'query': 'VARCHAR', 'rank': 'VARCHAR', 'user': 'VARCHAR'})${o.query !== undefined ? ` WHERE query = ${sqlString(o.query)}` : ''}`;
    const values = columns.map((c, i) => `min(nullif(CAST(${sqlIdent(c)} AS VARCHAR), '')) AS v${i}`);
    const rows = await db.rows<Record<string, string | null>>(
      `SELECT ${id} AS u${values.length ? ', ' + values.join(', ') : ''} FROM ${rel.from}
       WHERE NOT (${rel.malformed}) AND coalesce((${src.where ?? 'true'}), false) AND ${id} IN (${wanted}) GROUP BY 1`,
    );
    if (rel.rejectsTable) await db.exec(`DROP TABLE IF EXISTS ${rel.rejectsTable}; DROP TABLE IF EXISTS ${rel.rejectsTable}_scan`);
    return { names: columns, values: new Map(rows.map((r) => [String(r['u']), columns.map((_, i) => r[`v${i}`] ?? null)])) };
  } finally {
    db.close();
    await rm(spill, { recursive: true, force: true });
  }
}
