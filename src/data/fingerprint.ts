import { stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ItemQueries, QuerySource, Segmentation, Spec } from '../spec/types.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { hashJson, sha256File } from '../util/hash.js';
import { segflowVersion, workDir } from '../util/paths.js';
import type { ObjectStore } from './object-store.js';
import { listSourceFiles, type ListedSource } from './source-files.js';

/**
 * prepare's fingerprint: one hash over the sources' versions, the slice of the spec prepare reads, and the segflow
 * version. A local file's version is its sha256, cached by (path, size, mtime) in the work dir so that `plan` does
 * not re-read a 150 MB file each time; an S3 object's version is its key, ETag and size (no download, no re-hash).
 */
const CACHE_FILE = 'source-hashes.json';

type HashCache = Record<string, { size: number; mtimeMs: number; sha256: string }>;

/** One file of a source as the fingerprint (and the manifest) records it. */
export type SourceVersion = { name: string; sha256: string } | { name: string; etag: string; size: number };

/** The datasets' listed files, and each query source's under `queries:<segmentation>`. */
export type Datasets = Partial<Record<'interactions' | 'items' | 'users', ListedSource>> & Record<`queries:${string}`, ListedSource>;

export function specSlice(spec: Spec): unknown {
  const { source: _i, ...interactions } = spec.data.interactions;
  const split = spec.split;
  const only = spec.segmentations.length === 1 ? spec.segmentations[0]! : undefined;
  return {
    interactions,
    items: spec.data.items ? strip(spec.data.items) : null,
    ...(spec.data.users ? { users: strip(spec.data.users) } : {}),
    split: split ? { testStartEpoch: split.testStartEpoch, warmUsersOnly: split.warmUsersOnly, trainStartEpoch: split.trainStartEpoch ?? null } : null,
    // The one segmentation of a file written with top-level keys hashes as it did before segmentations existed,
    // so upgrading segflow does not re-run prepare.
    ...(only?.primary
      ? segmentationSlice(only)
      : { segmentations: spec.segmentations.map((s) => ({ name: s.name, primary: s.primary, recipe: s.recipe, ...segmentationSlice(s) })) }),
  };
}

function segmentationSlice(seg: Segmentation): { queries: unknown; numResults: unknown } {
  const items = seg.queries.items;
  const attributeRecipe = seg.recipe === 'aws-item-attribute-affinity';
  return {
    queries: {
      items: attributeRecipe ? null : items === undefined ? null : itemQueriesSlice(items),
      attributes: attributeRecipe ? (seg.queries.attributes ?? []).map((q) => q.expression) : null,
      ...(attributeRecipe && seg.queries.topAttributeValues ? { top: seg.queries.topAttributeValues } : {}),
    },
    numResults: seg.segments.numResults,
  };
}

function itemQueriesSlice(q: ItemQueries): unknown {
  // excludeCold only when set: files without it keep their fingerprint.
  if (q.kind === 'sample') return { sample: q.sample, seed: q.seed, ...(q.excludeCold && { excludeCold: true }) };
  if (q.kind === 'source') return { kind: q.kind, source: strip(q.source), keepUnknown: q.keepUnknown };
  return q;
}

function strip<T extends { source: string[] }>(d: T): Omit<T, 'source'> {
  const { source: _s, ...rest } = d;
  return rest;
}

/** Sources that are neither datasets: each segmentation's file of chosen item ids, keyed `queries:<segmentation>`. */
export function querySources(spec: Spec): Array<{ key: string; label: string; source: QuerySource }> {
  return spec.segmentations.flatMap((s) =>
    s.queries.items?.kind === 'source'
      ? [{ key: `queries:${s.name}`, label: `${s.primary ? '' : `segmentations.${s.name}.`}queries.items`, source: s.queries.items.source }]
      : [],
  );
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

/** Lists every dataset's files (no download). */
export async function listDatasets(spec: Spec, objects?: ObjectStore): Promise<Datasets> {
  const out: Datasets = { interactions: await listSourceFiles('data.interactions', spec.data.interactions, objects) };
  if (spec.data.items) out.items = await listSourceFiles('data.items', spec.data.items, objects);
  if (spec.data.users) out.users = await listSourceFiles('data.users', spec.data.users, objects);
  for (const q of querySources(spec)) out[q.key as `queries:${string}`] = await listSourceFiles(q.label, q.source, objects);
  return out;
}

export async function sourceVersions(listed: ListedSource, cacheDir: string): Promise<SourceVersion[]> {
  const out: SourceVersion[] = [];
  for (const f of listed.files) {
    out.push(f.kind === 'local' ? { name: f.name, sha256: await sourceHash(f.path, cacheDir) } : { name: f.name, etag: f.etag, size: f.size });
  }
  return out;
}

export interface Fingerprint {
  fingerprint: string;
  datasets: Datasets;
  /** Every source file's version, dataset by dataset (recorded in the manifest to explain the next change). */
  sources: SourceVersion[];
}

/**
 * The fingerprints computeFingerprint returned, each with the spec it was computed for. The engine hands the one
 * `prepareFingerprint` gave it back to prepareData (a plan decides from it where to prepare), which takes it only if
 * it is one of these and for the same spec: the sources are listed and hashed once, and a look-alike object can never
 * stand in for what was read.
 */
const computed = new WeakMap<object, { spec: Spec; fp: Fingerprint }>();

/** The Fingerprint `given` is, when computeFingerprint computed it for this very spec in this process. */
export function computedFingerprint(spec: Spec, given: { fingerprint: string } | undefined): Fingerprint | undefined {
  const known = given && computed.get(given);
  return known?.spec === spec ? known.fp : undefined;
}

export async function computeFingerprint(spec: Spec, cwd: string, objects?: ObjectStore): Promise<Fingerprint> {
  const dir = workDir(spec.name, cwd);
  const datasets = await listDatasets(spec, objects);
  const versions: Record<string, SourceVersion[]> = {};
  for (const [name, listed] of Object.entries(datasets)) versions[name] = await sourceVersions(listed, dir);
  // A single local file hashes as before (its sha256 alone), so upgrading segflow does not re-run prepare for it.
  const compact = (v: SourceVersion[] | undefined) => (v === undefined ? null : v.length === 1 && 'sha256' in v[0]! ? v[0].sha256 : v);
  const queries = Object.fromEntries(querySources(spec).map((q) => [q.key, compact(versions[q.key])]));
  const sources = {
    interactions: compact(versions['interactions']),
    items: compact(versions['items']),
    ...(versions['users'] ? { users: compact(versions['users']) } : {}),
    ...(Object.keys(queries).length ? { queries } : {}),
  };
  const fingerprint = hashJson({ version: segflowVersion, sources, spec: specSlice(spec) });
  const fp: Fingerprint = { fingerprint, datasets, sources: Object.values(versions).flat() };
  computed.set(fp, { spec, fp });
  return fp;
}

/** Why prepare re-runs, in words: "s3://b/k changed (etag x -> y)", a file added or gone. */
export function describeSourceChanges(before: SourceVersion[] | undefined, after: SourceVersion[]): string[] {
  if (!before) return [];
  const old = new Map(before.map((v) => [v.name, v]));
  const out: string[] = [];
  for (const v of after) {
    const o = old.get(v.name);
    old.delete(v.name);
    if (!o) out.push(`${v.name} added`);
    else if ('etag' in v && 'etag' in o && (o.etag !== v.etag || o.size !== v.size)) out.push(`${v.name} changed (etag ${o.etag} -> ${v.etag})`);
    else if ('sha256' in v && 'sha256' in o && o.sha256 !== v.sha256)
      out.push(`${v.name} changed (sha256 ${o.sha256.slice(0, 12)} -> ${v.sha256.slice(0, 12)})`);
  }
  for (const name of old.keys()) out.push(`${name} removed`);
  return out;
}
