import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BadRowPolicy, DataSource, Spec } from '../spec/types.js';
import { publishAtomic, tempPathFor, writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';
import { inputError, SegflowError } from '../util/errors.js';
import { sha256File } from '../util/hash.js';
import { segflowDir, segflowVersion } from '../util/paths.js';
import { ARTIFACT_FILES, type PrepareManifest, type PrepareStats } from './artifacts.js';
import { applyBadRowPolicy } from './bad-row-policy.js';
import type { Field } from './classify.js';
import { Db, sqlIdent, sqlString } from './duckdb.js';
import { describeSourceChanges, type Datasets, type SourceVersion } from './fingerprint.js';
import { retireOutputs } from './manifest.js';
import { checkCategoricalLengths, stageMetadata, writeMetadataCsv, type MetadataSpec } from './metadata.js';
import { materialize } from './object-cache.js';
import { emptyDownloadStats } from './object-store.js';
import { preflight } from './preflight.js';
import type { PrepareOptions, PrepareResult, StaleOutputs } from './prepare.js';
import { prepareSegmentation, type SegmentationOutput } from './segmentation-queries.js';
import type { ListedSource } from './source-files.js';
import { csvOptionsOf, sourceLabel, type SourceSpec } from './source.js';
import { timestampFormatHint } from './timestamp-formats.js';
import { fieldValues } from './field-values.js';
import { describeBadRows, stageSource, type StageResult } from './stage.js';
import { eventColumns, transform, type TransformResult } from './transform.js';

const iso = (epoch: number | null) => (epoch === null ? '' : new Date(epoch * 1000).toISOString());

/**
 * The DuckDB run of prepare (prepare.ts decides whether it is needed), in its phases: reading the interactions
 * (stage, filter, split), reading item and user metadata, each segmentation's queries, the stats and their
 * preflight, then the atomic publish of every output with the manifest last.
 */
export async function buildPrepared(spec: Spec, opts: PrepareOptions, { dir, fp, previous }: StaleOutputs): Promise<PrepareResult> {
  const progress = opts.onProgress ?? (() => {});
  const { fingerprint } = fp;
  const download = emptyDownloadStats();
  const changes = describeSourceChanges(previous?.sources, fp.sources);
  for (const c of changes) progress(c);

  const tmpDir = join(dir, '.duckdb-tmp');
  const cacheDir = opts.cacheDir ?? join(segflowDir(opts.cwd), 'cache');
  const db = await Db.open({ threads: opts.threads, memoryLimit: opts.memoryLimit, tempDirectory: tmpDir });
  const onAbort = () => db.interrupt();
  opts.signal?.addEventListener('abort', onAbort);
  const out = new Outputs(dir);
  try {
    const step = (message: string) => {
      opts.signal?.throwIfAborted();
      progress(message);
    };
    const open = async (listed: ListedSource | undefined, ds: DataSource): Promise<SourceSpec> => {
      if (!listed) throw new Error(`${ds.source.join(', ')} was not listed`);
      const files = await materialize(listed.files, cacheDir, opts.objects, download, step);
      return { files, names: listed.files.map((f) => f.name), format: listed.format, ...csvOptionsOf(ds), ...(ds.where !== undefined && { where: ds.where }) };
    };
    const read = await readInteractions(db, spec, await open(fp.datasets.interactions, spec.data.interactions), step);
    const meta = await readMetadata(db, spec, fp.datasets, open, step);

    step(spec.split ? 'choosing queries and computing ground truth' : 'choosing queries');
    const segmentations: SegmentationOutput[] = [];
    for (const seg of spec.segmentations) {
      const items = seg.queries.items;
      segmentations.push(
        await prepareSegmentation(db, {
          seg,
          trainUsers: read.t.trainUsers,
          experiment: spec.split !== undefined,
          ...(spec.data.items ? { itemAttributes: spec.data.items.attributes } : {}),
          sources: {
            ...(items?.kind === 'source' ? { querySource: await open(fp.datasets[`queries:${seg.name}`], items.source) } : {}),
            ...(items?.kind === 'where' && spec.data.items && meta.itemsSource ? { items: { source: meta.itemsSource, spec: spec.data.items } } : {}),
          },
        }),
      );
    }
    const stats = statsOf(spec, read, meta, segmentations);
    const values = await fieldValues(db, spec, meta.usersStage !== undefined);
    if (Object.keys(values).length) stats.fieldValues = values;

    step('writing outputs');
    await out.begin();
    const events = eventColumns(spec.data.interactions);
    await db.exec(
      `COPY (SELECT u AS "USER_ID", i AS "ITEM_ID", t AS "TIMESTAMP"${events.map((c) => `, ${c.short} AS ${sqlIdent(c.field)}`).join('')}
       FROM train ORDER BY u, t, i${events.map((c) => `, ${c.short}`).join('')})
       TO ${sqlString(out.temp(ARTIFACT_FILES.interactions))} (HEADER, DELIMITER ',')`,
    );
    if (meta.items) await writeMetadataCsv(db, 'items', meta.items, out.temp(ARTIFACT_FILES.items));
    if (meta.users && meta.usersStage) {
      // Only users of the training interactions: the model segments no one else, and every other row is paid
      // for at import time for nothing.
      const written = await writeMetadataCsv(db, 'users', meta.users, out.temp(ARTIFACT_FILES.users), `"USER_ID" IN (SELECT DISTINCT u FROM train)`);
      const u = meta.usersStage;
      stats.usersSource = { rowsRead: u.rowsRead, filtered: u.filtered, badRows: u.badRows, users: u.rows, written };
    }
    for (const seg of segmentations) for (const f of seg.files) await writeFileAtomic(out.temp(f.path), f.text);
    await writeFileAtomic(out.temp(ARTIFACT_FILES.stats), JSON.stringify(stats, null, 2) + '\n');
    opts.signal?.throwIfAborted();
    await out.publish(fingerprint, fp.sources, previous);
    progress(`wrote ${read.t.trainRows} training interactions and ${stats.segmentations!.reduce((n, s) => n + s.queries, 0)} queries to ${dir}`);
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
    await out.cleanUp();
    await rm(tmpDir, { recursive: true, force: true }).catch(() => {});
  }
}

type Step = (message: string) => void;

interface ReadInteractions {
  staged: StageResult;
  t: TransformResult;
  eventTypes: number | undefined;
  usersWithTwo: number;
}

/** The interactions, staged (one scan, bad rows located), filtered and split into the tables train and test. */
async function readInteractions(db: Db, spec: Spec, source: SourceSpec, step: Step): Promise<ReadInteractions> {
  const src = spec.data.interactions;
  step(`reading ${sourceLabel(source)}`);
  const fields: Field[] = [
    { name: 'USER_ID', column: src.columns.USER_ID, kind: 'id' },
    { name: 'ITEM_ID', column: src.columns.ITEM_ID, kind: 'id' },
    { name: 'TIMESTAMP', column: src.columns.TIMESTAMP, kind: 'timestamp' },
    ...(src.columns.EVENT_TYPE !== undefined ? [{ name: 'EVENT_TYPE', column: src.columns.EVENT_TYPE, kind: 'text' as const }] : []),
    ...(src.columns.EVENT_VALUE !== undefined ? [{ name: 'EVENT_VALUE', column: src.columns.EVENT_VALUE, kind: 'value' as const }] : []),
  ];
  const staged = await stageSource(db, 'ev0', { ...source, ...(src.timestampFormat !== undefined && { timestampFormat: src.timestampFormat }) }, fields, {
    distinct: src.dedupe,
  });
  const hint =
    staged.badRows > 0 && src.timestampFormat === undefined
      ? await timestampFormatHint(db, source, src.columns.TIMESTAMP, staged, 'data.interactions')
      : undefined;
  applyBadRowPolicy('interactions', sourceLabel(source), src, staged, hint);
  step(`read ${staged.rowsRead} rows; filtering${spec.split ? ' and splitting' : ''}`);
  const t = await transform(db, src, spec.split);
  const eventTypes = await countEventTypes(db, src);
  const usersWithTwo = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM (SELECT u FROM train GROUP BY u HAVING count(*) >= 2)`)).n;
  return { staged, t, eventTypes, usersWithTwo };
}

interface ReadMetadata {
  items?: MetadataSpec;
  users?: MetadataSpec;
  itemsStage?: StageResult & { rows: number };
  usersStage?: StageResult & { rows: number };
  /** data.items' opened source (queries.items.where reads its columns). */
  itemsSource?: SourceSpec;
}

/** data.items and data.users into the tables items and users (id plus attributes). */
async function readMetadata(
  db: Db,
  spec: Spec,
  datasets: Datasets,
  open: (listed: ListedSource | undefined, ds: DataSource) => Promise<SourceSpec>,
  step: Step,
): Promise<ReadMetadata> {
  const out: ReadMetadata = {};
  const stage = async (what: 'items' | 'users', ds: DataSource & BadRowPolicy, meta: MetadataSpec) => {
    const s = await open(datasets[what], ds);
    step(`reading ${sourceLabel(s)}`);
    const r = await stageMetadata(db, what, s, meta);
    applyBadRowPolicy(what, sourceLabel(s), ds, r);
    await checkCategoricalLengths(db, what, what, meta);
    return { r, s };
  };
  if (spec.data.items) {
    out.items = { id: 'ITEM_ID', idColumn: spec.data.items.columns.ITEM_ID, attributes: spec.data.items.attributes };
    const { r, s } = await stage('items', spec.data.items, out.items);
    out.itemsStage = r;
    // The where of data.items is applied again when queries.items.where is combined with it.
    out.itemsSource = { files: s.files, names: s.names, format: s.format, ...csvOptionsOf(s) };
  }
  if (spec.data.users) {
    out.users = { id: 'USER_ID', idColumn: spec.data.users.columns.USER_ID, attributes: spec.data.users.attributes };
    out.usersStage = (await stage('users', spec.data.users, out.users)).r;
  }
  return out;
}

/** stats.json: counts, drops, every segmentation's queries, and the preflight's verdict. */
function statsOf(spec: Spec, read: ReadInteractions, meta: ReadMetadata, segmentations: SegmentationOutput[]): PrepareStats {
  const { staged, t } = read;
  const src = spec.data.interactions;
  // The top-level query figures are the primary segmentation's (reports of earlier versions read them).
  const first = (segmentations.find((s) => spec.segmentations.find((x) => x.name === s.stats.name)?.primary) ?? segmentations[0]!).stats;
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
    queries: first.queries,
    coldQueries: first.coldQueries,
    k: first.k,
    minTimestamp: iso(t.minTimestamp),
    maxTimestamp: iso(t.maxTimestamp),
    usersWithTwoInteractions: read.usersWithTwo,
    costBasis: t.costBasis,
    mode: spec.split ? 'experiment' : 'production',
    segmentations: segmentations.map((s) => s.stats),
    ...(t.windowStart !== undefined ? { windowStart: iso(t.windowStart) } : {}),
    ...(staged.badRows ? { badRowExamples: staged.badExamples } : {}),
    ...(meta.itemsStage
      ? {
          itemsSource: {
            rowsRead: meta.itemsStage.rowsRead,
            filtered: meta.itemsStage.filtered,
            badRows: meta.itemsStage.badRows,
            items: meta.itemsStage.rows,
          },
        }
      : {}),
    ...(read.eventTypes !== undefined ? { eventTypes: read.eventTypes } : {}),
    ...(first.generatedQueries ? { generatedQueries: first.generatedQueries } : {}),
  };
  const warnings = preflight(base, read.usersWithTwo, spec);
  if (staged.badRows) warnings.unshift(`skipped ${staged.badRows} bad rows (first: ${describeBadRows(staged.badExamples.slice(0, 1))[0] ?? ''})`);
  return { ...base, warnings };
}

/**
 * Every output is written to a temporary sibling first; the old manifest goes before any output is replaced, and
 * the new one comes last, so an interrupted run is never mistaken for a finished one. Files the previous manifest
 * listed and this run no longer writes (a job chunk fewer, data.items removed) are deleted (retireOutputs, which
 * promote.ts follows too when it moves a plan's staged outputs in).
 */
class Outputs {
  private readonly temps = new Map<string, string>();
  constructor(private readonly dir: string) {}

  async begin(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  temp(name: string): string {
    const p = tempPathFor(join(this.dir, name));
    this.temps.set(name, p);
    return p;
  }

  async publish(fingerprint: string, sources: SourceVersion[], previous: PrepareManifest | undefined): Promise<void> {
    const manifest: PrepareManifest = { version: 1, fingerprint, segflowVersion, createdAt: new Date().toISOString(), outputs: {}, sources };
    for (const [name, p] of this.temps) manifest.outputs[name] = { sha256: await sha256File(p), bytes: (await stat(p)).size };
    await retireOutputs(this.dir, previous, (f) => this.temps.has(f));
    for (const [name, p] of this.temps) await publishAtomic(p, join(this.dir, name));
    this.temps.clear();
    await writeJsonAtomic(join(this.dir, ARTIFACT_FILES.manifest), manifest);
  }

  async cleanUp(): Promise<void> {
    for (const p of this.temps.values()) await rm(p, { force: true }).catch(() => {});
  }
}

/** Personalize: distinct event types plus optional metadata columns of an interactions dataset, at most 10 (limits.html). */
export const MAX_EVENT_TYPES = 10;

async function countEventTypes(db: Db, src: Spec['data']['interactions']): Promise<number | undefined> {
  if (src.columns.EVENT_TYPE === undefined) return undefined;
  const rows = await db.rows<{ e: string; n: number }>(`SELECT e, count(*) AS n FROM train GROUP BY e ORDER BY n DESC, e`);
  if (rows.length > MAX_EVENT_TYPES) {
    throw inputError(
      'DATA_EVENT_TYPES',
      `data.interactions: ${rows.length} distinct EVENT_TYPE values in train; Personalize accepts at most ${MAX_EVENT_TYPES}`,
      [
        `most frequent: ${rows
          .slice(0, 12)
          .map((r) => `${r.e} (${r.n})`)
          .join(', ')}`,
        'narrow them with data.interactions.where, or map them to fewer types in the source',
      ],
    );
  }
  return rows.length;
}
