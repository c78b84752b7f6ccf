import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BadRowPolicy, DataSource, Spec } from '../spec/types.js';
import { publishAtomic, tempPathFor, writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';
import { inputError, SegflowError } from '../util/errors.js';
import { sha256File } from '../util/hash.js';
import { segflowDir, segflowVersion, workDir } from '../util/paths.js';
import { ARTIFACT_FILES, type GroundTruthFile, type PrepareManifest, type PrepareStats } from './artifacts.js';
import type { Field } from './classify.js';
import { Db, sqlIdent, sqlString } from './duckdb.js';
import { computeFingerprint, describeSourceChanges, type SourceVersion } from './fingerprint.js';
import { checkCategoricalLengths, stageMetadata, writeMetadataCsv, type MetadataSpec } from './metadata.js';
import { materialize } from './object-cache.js';
import { emptyDownloadStats, type DownloadStats, type ObjectStore } from './object-store.js';
import { preflight } from './preflight.js';
import { attributeQueries, batchInputJsonl, itemQueries, topAttributeQueries } from './queries.js';
import { resolveNumResults } from '../spec/normalize.js';
import type { ListedSource } from './source-files.js';
import { sourceLabel, type SourceSpec } from './source.js';
import { describeBadRows, stageSource, type StageResult } from './stage.js';
import { eventColumns, transform } from './transform.js';

export interface PrepareOptions {
  cwd: string;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
  /** DuckDB worker threads; the outputs are identical for any value. */
  threads?: number;
  /** DuckDB buffer pool limit (default 1GB); larger data spills to disk. */
  memoryLimit?: string;
  /** How s3:// sources are listed and downloaded (the command's SDK clients); required only for such sources. */
  objects?: ObjectStore;
  /** Where S3 objects are cached by ETag; default .segflow/cache under cwd. */
  cacheDir?: string;
}

export interface PrepareResult {
  upToDate: boolean;
  fingerprint: string;
  stats: PrepareStats;
  workDir: string;
  /** What this run fetched from S3 (0 bytes when every object was cached or prepare was up to date). */
  download: DownloadStats;
  /** Why prepare ran again when its sources changed, e.g. "s3://b/k changed (etag x -> y)". */
  changes: string[];
  /** The version of every source file (recorded in the manifest). */
  sources: SourceVersion[];
}

export async function prepareFingerprint(spec: Spec, opts: { cwd: string; objects?: ObjectStore }): Promise<string> {
  return (await computeFingerprint(spec, opts.cwd, opts.objects)).fingerprint;
}

async function readManifest(dir: string): Promise<PrepareManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, ARTIFACT_FILES.manifest), 'utf8')) as PrepareManifest;
  } catch {
    return undefined;
  }
}

/** The outputs on disk still are what the manifest recorded for this fingerprint. */
async function upToDate(dir: string, manifest: PrepareManifest | undefined, fingerprint: string): Promise<PrepareStats | null> {
  try {
    if (!manifest || manifest.fingerprint !== fingerprint) return null;
    for (const [name, out] of Object.entries(manifest.outputs)) {
      if ((await stat(join(dir, name))).size !== out.bytes) return null;
    }
    return JSON.parse(await readFile(join(dir, ARTIFACT_FILES.stats), 'utf8')) as PrepareStats;
  } catch {
    return null;
  }
}

function applyBadRowPolicy(what: string, source: string, policy: BadRowPolicy, r: StageResult): void {
  if (r.badRows === 0) return;
  const lines = describeBadRows(r.badExamples);
  if (policy.onBadRows === 'fail') {
    throw inputError(
      'DATA_BAD_ROWS',
      `${source}: ${r.badRows} bad ${what} row${r.badRows === 1 ? '' : 's'} (onBadRows: fail)`,
      [...lines, `set data.${what}.onBadRows: skip (with maxBadRows) to drop them`],
    );
  }
  if (r.badRows > policy.maxBadRows) {
    throw inputError(
      'DATA_TOO_MANY_BAD_ROWS',
      `${source}: ${r.badRows} bad ${what} rows, more than maxBadRows ${policy.maxBadRows}`,
      lines,
    );
  }
}

const iso = (epoch: number | null) => (epoch === null ? '' : new Date(epoch * 1000).toISOString());

export async function prepareData(spec: Spec, opts: PrepareOptions): Promise<PrepareResult> {
  const progress = opts.onProgress ?? (() => {});
  const dir = workDir(spec.name, opts.cwd);
  const fp = await computeFingerprint(spec, opts.cwd, opts.objects);
  const { fingerprint } = fp;
  const previous = await readManifest(dir);
  const download = emptyDownloadStats();
  const cached = await upToDate(dir, previous, fingerprint);
  if (cached) return { upToDate: true, fingerprint, stats: cached, workDir: dir, download, changes: [], sources: fp.sources };
  const changes = describeSourceChanges(previous?.sources, fp.sources);
  for (const c of changes) progress(c);

  const src = spec.data.interactions;
  const tmpDir = join(dir, '.duckdb-tmp');
  const cacheDir = opts.cacheDir ?? join(segflowDir(opts.cwd), 'cache');
  const db = await Db.open({ threads: opts.threads, memoryLimit: opts.memoryLimit, tempDirectory: tmpDir });
  const onAbort = () => db.interrupt();
  opts.signal?.addEventListener('abort', onAbort);
  const temps: string[] = [];
  try {
    const step = (message: string) => {
      opts.signal?.throwIfAborted();
      progress(message);
    };
    const open = async (listed: ListedSource | undefined, ds: DataSource): Promise<SourceSpec> => {
      if (!listed) throw new Error(`${ds.source.join(', ')} was not listed`);
      const files = await materialize(listed.files, cacheDir, opts.objects, download, step);
      return { files, names: listed.files.map((f) => f.name), format: listed.format, ...(ds.where !== undefined && { where: ds.where }) };
    };
    const interactionsSource = await open(fp.datasets.interactions, src);
    step(`reading ${sourceLabel(interactionsSource)}`);
    const fields: Field[] = [
      { name: 'USER_ID', column: src.columns.USER_ID, kind: 'id' },
      { name: 'ITEM_ID', column: src.columns.ITEM_ID, kind: 'id' },
      { name: 'TIMESTAMP', column: src.columns.TIMESTAMP, kind: 'timestamp' },
      ...(src.columns.EVENT_TYPE !== undefined ? [{ name: 'EVENT_TYPE', column: src.columns.EVENT_TYPE, kind: 'text' as const }] : []),
      ...(src.columns.EVENT_VALUE !== undefined ? [{ name: 'EVENT_VALUE', column: src.columns.EVENT_VALUE, kind: 'value' as const }] : []),
    ];
    const staged = await stageSource(db, 'ev0', { ...interactionsSource, ...(src.timestampFormat !== undefined && { timestampFormat: src.timestampFormat }) }, fields, { distinct: src.dedupe });
    applyBadRowPolicy('interactions', sourceLabel(interactionsSource), src, staged);
    step(`read ${staged.rowsRead} rows; filtering and splitting`);
    const t = await transform(db, src, spec.split);
    const eventTypes = await countEventTypes(db, src);

    const items = spec.data.items ? { id: 'ITEM_ID' as const, idColumn: spec.data.items.columns.ITEM_ID, attributes: spec.data.items.attributes } : undefined;
    const users = spec.data.users ? { id: 'USER_ID' as const, idColumn: spec.data.users.columns.USER_ID, attributes: spec.data.users.attributes } : undefined;
    const metadata = async (what: 'items' | 'users', ds: DataSource & BadRowPolicy, meta: MetadataSpec) => {
      const s = await open(fp.datasets[what], ds);
      step(`reading ${sourceLabel(s)}`);
      const r = await stageMetadata(db, what, s, meta);
      applyBadRowPolicy(what, sourceLabel(s), ds, r);
      await checkCategoricalLengths(db, what, what, meta);
      return r;
    };
    const itemsStage = spec.data.items && items ? await metadata('items', spec.data.items, items) : undefined;
    const usersStage = spec.data.users && users ? await metadata('users', spec.data.users, users) : undefined;

    step('sampling queries and computing ground truth');
    const attributeRecipe = spec.recipe === 'aws-item-attribute-affinity';
    const itemSample = spec.queries.items ?? { sample: 500, seed: 10 };
    let queries: GroundTruthFile['queries'];
    let generated: string[] | undefined;
    if (attributeRecipe) {
      if (!spec.data.items) throw inputError('DATA_ITEMS_REQUIRED', 'aws-item-attribute-affinity needs data.items');
      const top = spec.queries.topAttributeValues;
      const expressions = top ? await topAttributeQueries(db, top.attribute, top.top) : (spec.queries.attributes ?? []);
      if (top) generated = expressions.map((q) => q.expression);
      queries = await attributeQueries(db, expressions, spec.data.items.attributes.map((a) => a.name));
    } else {
      queries = await itemQueries(db, itemSample.sample, itemSample.seed);
    }
    const k = resolveNumResults(spec.segments.numResults, t.trainUsers);
    const usersWithTwo = (
      await db.one<{ n: number }>(`SELECT count(*) AS n FROM (SELECT u FROM train GROUP BY u HAVING count(*) >= 2)`)
    ).n;
    const dropped = [
      ...(staged.filtered ? [{ step: 'where', rows: staged.filtered, why: `not matching ${src.where}` }] : []),
      ...(staged.badRows ? [{ step: 'bad rows', rows: staged.badRows, why: 'malformed, missing a value or an unparsable timestamp (onBadRows: skip)' }] : []),
      ...t.dropped,
    ];
    const base: Omit<PrepareStats, 'warnings'> = {
      rowsRead: staged.rowsRead,
      badRows: staged.badRows,
      dropped,
      interactions: t.interactions,
      users: t.users,
      items: t.items,
      trainRows: t.trainRows,
      testRows: t.testRows,
      trainUsers: t.trainUsers,
      trainItems: t.trainItems,
      warmTestUsers: t.warmTestUsers,
      testItems: t.testItems,
      queries: queries.length,
      coldQueries: queries.filter((q) => q.cold).length,
      k,
      minTimestamp: iso(t.minTimestamp),
      maxTimestamp: iso(t.maxTimestamp),
      usersWithTwoInteractions: usersWithTwo,
      costBasis: t.costBasis,
      ...(staged.badRows ? { badRowExamples: staged.badExamples } : {}),
      ...(itemsStage
        ? { itemsSource: { rowsRead: itemsStage.rowsRead, filtered: itemsStage.filtered, badRows: itemsStage.badRows, items: itemsStage.rows } }
        : {}),
      ...(eventTypes !== undefined ? { eventTypes } : {}),
      ...(generated ? { generatedQueries: generated } : {}),
    };
    const requested = attributeRecipe ? (spec.queries.topAttributeValues?.top ?? (spec.queries.attributes ?? []).length) : itemSample.sample;
    const warnings = preflight(base, usersWithTwo, requested);
    if (staged.badRows) warnings.unshift(`skipped ${staged.badRows} bad rows (first: ${describeBadRows(staged.badExamples.slice(0, 1))[0] ?? ''})`);
    const stats: PrepareStats = { ...base, warnings };

    step('writing outputs');
    // Everything is written to temporary siblings first; the old manifest goes before any output is replaced,
    // and the new one comes last, so an interrupted run is never mistaken for a finished one.
    const outputs = new Map<string, string>();
    const temp = (name: string) => {
      const p = tempPathFor(join(dir, name));
      temps.push(p);
      outputs.set(name, p);
      return p;
    };
    await mkdir(dir, { recursive: true });
    const events = eventColumns(src);
    await db.exec(
      `COPY (SELECT u AS "USER_ID", i AS "ITEM_ID", t AS "TIMESTAMP"${events.map((c) => `, ${c.short} AS ${sqlIdent(c.field)}`).join('')}
       FROM train ORDER BY u, t, i${events.map((c) => `, ${c.short}`).join('')})
       TO ${sqlString(temp(ARTIFACT_FILES.interactions))} (HEADER, DELIMITER ',')`,
    );
    if (items) await writeMetadataCsv(db, 'items', items, temp(ARTIFACT_FILES.items));
    if (users && usersStage) {
      // Only users of the training interactions: the model segments no one else, and every other row is paid
      // for at import time for nothing.
      const written = await writeMetadataCsv(db, 'users', users, temp(ARTIFACT_FILES.users), `"USER_ID" IN (SELECT DISTINCT u FROM train)`);
      stats.usersSource = { rowsRead: usersStage.rowsRead, filtered: usersStage.filtered, badRows: usersStage.badRows, users: usersStage.rows, written };
    }
    const truth: GroundTruthFile = {
      version: 1,
      kind: attributeRecipe ? 'attributes' : 'items',
      k,
      trainUserCount: t.trainUsers,
      queries,
    };
    await writeFileAtomic(temp(ARTIFACT_FILES.batchInput), batchInputJsonl(queries.map((q) => q.query)));
    await writeFileAtomic(temp(ARTIFACT_FILES.groundTruth), JSON.stringify(truth) + '\n');
    await writeFileAtomic(temp(ARTIFACT_FILES.stats), JSON.stringify(stats, null, 2) + '\n');
    opts.signal?.throwIfAborted();

    const manifest: PrepareManifest = { version: 1, fingerprint, segflowVersion, createdAt: new Date().toISOString(), outputs: {}, sources: fp.sources };
    for (const [name, p] of outputs) {
      manifest.outputs[name] = { sha256: await sha256File(p), bytes: (await stat(p)).size };
    }
    await rm(join(dir, ARTIFACT_FILES.manifest), { force: true });
    if (!spec.data.items) await rm(join(dir, ARTIFACT_FILES.items), { force: true });
    if (!spec.data.users) await rm(join(dir, ARTIFACT_FILES.users), { force: true });
    for (const [name, p] of outputs) await publishAtomic(p, join(dir, name));
    temps.length = 0;
    await writeJsonAtomic(join(dir, ARTIFACT_FILES.manifest), manifest);
    progress(`wrote ${t.trainRows} training interactions and ${queries.length} queries to ${dir}`);
    return { upToDate: false, fingerprint, stats, workDir: dir, download, changes, sources: fp.sources };
  } catch (e) {
    // Ctrl-C interrupts DuckDB mid-query; that is an expected stop, not a bug.
    if (opts.signal?.aborted) {
      throw new SegflowError('RUN_INTERRUPTED', 'prepare interrupted; the previous outputs (if any) are unchanged');
    }
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    db.close();
    for (const p of temps) await rm(p, { force: true }).catch(() => {});
    await rm(tmpDir, { recursive: true, force: true }).catch(() => {});
  }
}

/** Personalize: distinct event types plus optional metadata columns of an interactions dataset, at most 10 (limits.html). */
export const MAX_EVENT_TYPES = 10;

async function countEventTypes(db: Db, src: Spec['data']['interactions']): Promise<number | undefined> {
  if (src.columns.EVENT_TYPE === undefined) return undefined;
  const rows = await db.rows<{ e: string; n: number }>(`SELECT e, count(*) AS n FROM train GROUP BY e ORDER BY n DESC, e`);
  if (rows.length > MAX_EVENT_TYPES) {
    throw inputError('DATA_EVENT_TYPES', `data.interactions: ${rows.length} distinct EVENT_TYPE values in train; Personalize accepts at most ${MAX_EVENT_TYPES}`, [
      `most frequent: ${rows.slice(0, 12).map((r) => `${r.e} (${r.n})`).join(', ')}`,
      'narrow them with data.interactions.where, or map them to fewer types in the source',
    ]);
  }
  return rows.length;
}
