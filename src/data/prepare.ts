import type { Spec } from '../spec/types.js';
import { workDir } from '../util/paths.js';
import type { PrepareManifest, PrepareStats } from './artifacts.js';
import { computedFingerprint, computeFingerprint, type Fingerprint, type SourceVersion } from './fingerprint.js';
import { intactOutputs, readManifest } from './manifest.js';
import { emptyDownloadStats, type DownloadStats, type ObjectStore } from './object-store.js';
import { promoteStaged } from './promote.js';

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
  /**
   * What prepareFingerprint returned for this spec in this process, so the sources are not listed (S3) or hashed (a
   * changed local file) a second time; anything else is ignored and the fingerprint computed afresh.
   */
  fingerprint?: { fingerprint: string };
  /**
   * The working directory a plan prepared changed data under (its staging directory): when the outputs under `cwd`
   * are stale and that prepare is complete and of the same fingerprint, its outputs are moved in (promote.ts).
   */
  staged?: string;
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
  /** The staged work dir whose outputs were moved in instead of preparing them again (see `staged`). */
  reusedFrom?: string;
}

/** What prepare found stale: where the outputs go, the inputs' fingerprint, and the manifest they replace. */
export interface StaleOutputs {
  dir: string;
  fp: Fingerprint;
  previous: PrepareManifest | undefined;
}

/** The inputs' fingerprint; hand the object itself back to prepareData (`fingerprint`) to prepare from it. */
export async function prepareFingerprint(spec: Spec, opts: { cwd: string; objects?: ObjectStore }): Promise<Fingerprint> {
  return computeFingerprint(spec, opts.cwd, opts.objects);
}

/**
 * prepare: the cache check (same fingerprint, same outputs: nothing to do), else a plan's staged prepare of the same
 * fingerprint moved in (promote.ts), else the DuckDB run (build.ts). DuckDB is loaded only for that run, so a plan on
 * an unchanged pipeline decides from the sources' fingerprint and the manifest alone (docs/architecture.md), and an
 * apply after a plan reuses what the plan prepared without it; nothing this module imports statically loads DuckDB.
 */
export async function prepareData(spec: Spec, opts: PrepareOptions): Promise<PrepareResult> {
  const dir = workDir(spec.name, opts.cwd);
  const fp = computedFingerprint(spec, opts.fingerprint) ?? (await computeFingerprint(spec, opts.cwd, opts.objects));
  const previous = await readManifest(dir);
  const cached = await intactOutputs(dir, previous, fp.fingerprint);
  if (cached)
    return { upToDate: true, fingerprint: fp.fingerprint, stats: cached, workDir: dir, download: emptyDownloadStats(), changes: [], sources: fp.sources };
  const stale: StaleOutputs = { dir, fp, previous };
  if (opts.staged !== undefined) {
    const progress = opts.onProgress ?? (() => {});
    // Failing to move the staged files is no reason to fail prepare: it can still run, and leaves the outputs whole.
    const promoted = await promoteStaged(workDir(spec.name, opts.staged), stale, progress).catch((e: unknown) => {
      progress(`could not reuse the data \`segflow plan\` prepared (${e instanceof Error ? e.message : String(e)}); preparing again`);
      return undefined;
    });
    if (promoted) return promoted;
  }
  const { buildPrepared } = await import('./build.js');
  return buildPrepared(spec, opts, stale);
}
