import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createHash } from 'node:crypto';
import { tempPathFor } from '../util/atomic-write.js';
import type { DownloadStats, ObjectStore } from './object-store.js';
import type { SourceFile } from './source-files.js';

/**
 * S3 sources are read from a local cache keyed by ETag: .segflow/cache/s3/<bucket>/<hash of key>/<etag>/<file name>.
 * The file keeps its name so that DuckDB still sees its extension (.gz, .parquet). An object whose ETag is cached
 * costs nothing; a changed one is downloaded once (to a temporary sibling, then renamed) and older ETags of the
 * same key are removed.
 */
export function cachePathFor(cacheRoot: string, f: Extract<SourceFile, { kind: 's3' }>): string {
  const keyHash = createHash('sha256').update(f.key).digest('hex').slice(0, 16);
  return join(cacheRoot, 's3', safe(f.bucket), keyHash, safe(f.etag || 'no-etag'), basename(f.key) || 'object');
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** Local paths for every file of a source, downloading the S3 objects the cache lacks. */
export async function materialize(
  files: SourceFile[],
  cacheRoot: string,
  objects: ObjectStore | undefined,
  stats: DownloadStats,
  onProgress: (message: string) => void = () => {},
): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    if (f.kind === 'local') {
      out.push(f.path);
      continue;
    }
    const path = cachePathFor(cacheRoot, f);
    const cached = await stat(path).then(
      (s) => s.size === f.size,
      () => false,
    );
    if (cached) {
      stats.cached++;
      out.push(path);
      continue;
    }
    if (!objects) throw new Error(`no object store to download ${f.name}`);
    onProgress(`downloading ${f.name} (${(f.size / 1e6).toFixed(1)} MB)`);
    const keyDir = join(path, '..', '..');
    await rm(keyDir, { recursive: true, force: true }); // older ETags of this key
    await mkdir(join(path, '..'), { recursive: true });
    const tmp = tempPathFor(path);
    try {
      // Pinned to the ETag the listing gave (and fingerprinted): a file replaced meanwhile is refused, not mixed in.
      await objects.download(f.bucket, f.key, tmp, { etag: f.etag, ...(f.requesterPays ? { requesterPays: true } : {}) });
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
    stats.objects++;
    stats.bytes += (await stat(path)).size;
    out.push(path);
  }
  return out;
}
