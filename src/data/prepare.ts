import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BadRowPolicy, Spec } from '../spec/types.js';
import { publishAtomic, tempPathFor, writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';
import { inputError, SegflowError } from '../util/errors.js';
import { sha256File } from '../util/hash.js';
import { segflowVersion, workDir } from '../util/paths.js';
import { ARTIFACT_FILES, type GroundTruthFile, type PrepareManifest, type PrepareStats } from './artifacts.js';
import type { Field } from './classify.js';
import { Db, sqlString } from './duckdb.js';
import { computeFingerprint } from './fingerprint.js';
import { stageItems, writeItemsCsv } from './items.js';
import { preflight } from './preflight.js';
import { attributeQueries, batchInputJsonl, itemQueries } from './queries.js';
import { resolveNumResults } from '../spec/normalize.js';
import { describeBadRows, stageSource, type StageResult } from './stage.js';
import { transform } from './transform.js';

export interface PrepareOptions {
  cwd: string;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
  /** DuckDB worker threads; the outputs are identical for any value. */
  threads?: number;
  /** DuckDB buffer pool limit (default 1GB); larger data spills to disk. */
  memoryLimit?: string;
}

export interface PrepareResult {
  upToDate: boolean;
  fingerprint: string;
  stats: PrepareStats;
  workDir: string;
}

export async function prepareFingerprint(spec: Spec, opts: { cwd?: string } = {}): Promise<string> {
  return computeFingerprint(spec, opts.cwd ?? process.cwd());
}

/** The outputs on disk still are what the manifest recorded for this fingerprint. */
async function upToDate(dir: string, fingerprint: string): Promise<PrepareStats | null> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, ARTIFACT_FILES.manifest), 'utf8')) as PrepareManifest;
    if (manifest.fingerprint !== fingerprint) return null;
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
  const fingerprint = await computeFingerprint(spec, opts.cwd);
  const cached = await upToDate(dir, fingerprint);
  if (cached) return { upToDate: true, fingerprint, stats: cached, workDir: dir };

  const src = spec.data.interactions;
  const tmpDir = join(dir, '.duckdb-tmp');
  const db = await Db.open({ threads: opts.threads, memoryLimit: opts.memoryLimit, tempDirectory: tmpDir });
  const onAbort = () => db.interrupt();
  opts.signal?.addEventListener('abort', onAbort);
  const temps: string[] = [];
  try {
    const step = (message: string) => {
      opts.signal?.throwIfAborted();
      progress(message);
    };
    step(`reading ${src.source}`);
    const fields: Field[] = [
      { name: 'USER_ID', column: src.columns.USER_ID, kind: 'id' },
      { name: 'ITEM_ID', column: src.columns.ITEM_ID, kind: 'id' },
      { name: 'TIMESTAMP', column: src.columns.TIMESTAMP, kind: 'timestamp' },
    ];
    const staged = await stageSource(db, 'ev0', src, fields, { distinct: src.dedupe });
    applyBadRowPolicy('interactions', src.source, src, staged);
    step(`read ${staged.rowsRead} rows; filtering and splitting`);
    const t = await transform(db, src, spec.split);

    let itemsStage: Awaited<ReturnType<typeof stageItems>> | undefined;
    if (spec.data.items) {
      step(`reading ${spec.data.items.source}`);
      itemsStage = await stageItems(db, spec.data.items);
      applyBadRowPolicy('items', spec.data.items.source, spec.data.items, itemsStage);
    }

    step('sampling queries and computing ground truth');
    const attributeRecipe = spec.recipe === 'aws-item-attribute-affinity';
    const itemSample = spec.queries.items ?? { sample: 500, seed: 10 };
    let queries: GroundTruthFile['queries'];
    if (attributeRecipe) {
      if (!spec.data.items) throw inputError('DATA_ITEMS_REQUIRED', 'aws-item-attribute-affinity needs data.items');
      queries = await attributeQueries(db, spec.queries.attributes ?? [], spec.data.items.attributes.map((a) => a.name));
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
        ? { itemsSource: { rowsRead: itemsStage.rowsRead, filtered: itemsStage.filtered, badRows: itemsStage.badRows, items: itemsStage.items } }
        : {}),
    };
    const requested = attributeRecipe ? (spec.queries.attributes ?? []).length : itemSample.sample;
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
    await db.exec(
      `COPY (SELECT u AS "USER_ID", i AS "ITEM_ID", t AS "TIMESTAMP" FROM train ORDER BY u, t, i)
       TO ${sqlString(temp(ARTIFACT_FILES.interactions))} (HEADER, DELIMITER ',')`,
    );
    if (spec.data.items) await writeItemsCsv(db, spec.data.items, temp(ARTIFACT_FILES.items));
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

    const manifest: PrepareManifest = { version: 1, fingerprint, segflowVersion, createdAt: new Date().toISOString(), outputs: {} };
    for (const [name, p] of outputs) {
      manifest.outputs[name] = { sha256: await sha256File(p), bytes: (await stat(p)).size };
    }
    await rm(join(dir, ARTIFACT_FILES.manifest), { force: true });
    if (!spec.data.items) await rm(join(dir, ARTIFACT_FILES.items), { force: true });
    for (const [name, p] of outputs) await publishAtomic(p, join(dir, name));
    temps.length = 0;
    await writeJsonAtomic(join(dir, ARTIFACT_FILES.manifest), manifest);
    progress(`wrote ${t.trainRows} training interactions and ${queries.length} queries to ${dir}`);
    return { upToDate: false, fingerprint, stats, workDir: dir };
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
