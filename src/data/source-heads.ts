import { isS3 } from '../spec/source-location.js';
import type { DataSource, Spec } from '../spec/types.js';
import { materialize } from './object-cache.js';
import { emptyDownloadStats, type ObjectStore } from './object-store.js';
import { listSourceFiles } from './source-files.js';

/**
 * For `validate --data`: the first file of every source whose first entry is on S3, downloaded into the object
 * cache (where prepare finds it again, by ETag), keyed by the entry as the pipeline writes it. validate then checks
 * the columns against it exactly as it does against a local file.
 */
export async function firstS3Files(spec: Spec, objects: ObjectStore, cacheRoot: string): Promise<Map<string, string>> {
  const sources: Array<[string, DataSource]> = [
    ['data.interactions', spec.data.interactions],
    ...(spec.data.items ? [['data.items', spec.data.items] as [string, DataSource]] : []),
    ...(spec.data.users ? [['data.users', spec.data.users] as [string, DataSource]] : []),
    ...spec.segmentations.flatMap((s) =>
      s.queries.items?.kind === 'source' ? [[`${s.name}: queries.items`, s.queries.items.source] as [string, DataSource]] : [],
    ),
  ];
  const out = new Map<string, string>();
  for (const [label, src] of sources) {
    const entry = src.source[0];
    if (entry === undefined || !isS3(entry) || out.has(entry)) continue;
    const listed = await listSourceFiles(label, { ...src, source: [entry] }, objects);
    const first = listed.files[0];
    if (!first) continue;
    const [path] = await materialize([first], cacheRoot, objects, emptyDownloadStats());
    out.set(entry, path!);
  }
  return out;
}
