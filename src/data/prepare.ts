import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Spec } from '../spec/types.js';
import { workDir } from '../util/paths.js';
import { ARTIFACT_FILES, type PrepareManifest, type PrepareStats } from './artifacts.js';
import { computedFingerprint, computeFingerprint, type Fingerprint, type SourceVersion } from './fingerprint.js';
import { emptyDownloadStats, type DownloadStats, type ObjectStore } from './object-store.js';

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

/** The inputs' fingerprint; hand the object itself back to prepareData (`fingerprint`) to prepare from it. */
export async function prepareFingerprint(spec: Spec, opts: { cwd: string; objects?: ObjectStore }): Promise<Fingerprint> {
  return computeFingerprint(spec, opts.cwd, opts.objects);
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

/**
 * prepare: the cache check (same fingerprint, same outputs: nothing to do), else the DuckDB run (build.ts).
 * DuckDB is loaded only for that run, so a plan on an unchanged pipeline decides from the sources' fingerprint and
 * the manifest alone (docs/architecture.md); nothing this module imports statically loads DuckDB.
 */
export async function prepareData(spec: Spec, opts: PrepareOptions): Promise<PrepareResult> {
  const dir = workDir(spec.name, opts.cwd);
  const fp = computedFingerprint(spec, opts.fingerprint) ?? (await computeFingerprint(spec, opts.cwd, opts.objects));
  const previous = await readManifest(dir);
  const cached = await upToDate(dir, previous, fp.fingerprint);
  if (cached)
    return { upToDate: true, fingerprint: fp.fingerprint, stats: cached, workDir: dir, download: emptyDownloadStats(), changes: [], sources: fp.sources };
  const { buildPrepared } = await import('./build.js');
  return buildPrepared(spec, opts, { dir, fp, previous });
}
