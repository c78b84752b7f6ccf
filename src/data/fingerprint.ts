import { stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Spec } from '../spec/types.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { hashJson, sha256File } from '../util/hash.js';
import { segflowVersion, workDir } from '../util/paths.js';

/**
 * prepare's fingerprint: one hash over the source files' contents, the slice of the spec prepare reads, and the
 * segflow version. Source hashes are cached by (path, size, mtime) in the work dir, so `plan` does not re-read a
 * 150 MB file each time; touching or rewriting the file invalidates the cache entry.
 */
const CACHE_FILE = 'source-hashes.json';

type HashCache = Record<string, { size: number; mtimeMs: number; sha256: string }>;

export function specSlice(spec: Spec): unknown {
  const { source: _i, ...interactions } = spec.data.interactions;
  const items = spec.data.items ? (({ source: _s, ...rest }) => rest)(spec.data.items) : null;
  return {
    interactions,
    items,
    split: { testStartEpoch: spec.split.testStartEpoch, warmUsersOnly: spec.split.warmUsersOnly, trainStartEpoch: spec.split.trainStartEpoch ?? null },
    queries: {
      items: spec.recipe === 'aws-item-affinity' ? (spec.queries.items ?? null) : null,
      attributes: spec.recipe === 'aws-item-attribute-affinity' ? (spec.queries.attributes ?? []).map((q) => q.expression) : null,
    },
    numResults: spec.segments.numResults,
  };
}

export async function sourceHash(path: string, cacheDir: string): Promise<string> {
  const st = await stat(path);
  const cachePath = join(cacheDir, CACHE_FILE);
  let cache: HashCache = {};
  try {
    cache = JSON.parse(await readFile(cachePath, 'utf8')) as HashCache;
  } catch {
    /* no cache yet */
  }
  const hit = cache[path];
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.sha256;
  const sha256 = await sha256File(path);
  cache[path] = { size: st.size, mtimeMs: st.mtimeMs, sha256 };
  await writeJsonAtomic(cachePath, cache);
  return sha256;
}

export async function computeFingerprint(spec: Spec, cwd: string): Promise<string> {
  const dir = workDir(spec.name, cwd);
  const interactions = await sourceHash(spec.data.interactions.source, dir);
  const items = spec.data.items ? await sourceHash(spec.data.items.source, dir) : null;
  return hashJson({ version: segflowVersion, sources: { interactions, items }, spec: specSlice(spec) });
}
