import { existsSync, statSync } from 'node:fs';
import { matchLocalFiles } from '../spec/local-glob.js';
import { detectFormat } from '../spec/source-format.js';
import { globBase, globToRegExp, parseSourceLocation } from '../spec/source-location.js';
import type { DataFormat, DataSource } from '../spec/types.js';
import { inputError } from '../util/errors.js';
import type { ObjectStore } from './object-store.js';

/**
 * A dataset's `source` entries expanded into the files they name, in a stable order: each entry in the order
 * written, a glob's matches sorted. Listing costs no download: local files are found on disk, S3 objects by
 * ListObjectsV2 (globs) or HeadObject (keys), which also give the ETag and size that fingerprint them.
 */
export type SourceFile =
  | { kind: 'local'; name: string; path: string }
  | { kind: 's3'; name: string; bucket: string; key: string; etag: string; size: number; requesterPays?: boolean };

export interface ListedSource {
  /** `data.interactions` etc., for messages. */
  label: string;
  files: SourceFile[];
  format: DataFormat;
}

export async function listSourceFiles(label: string, src: DataSource, objects?: ObjectStore): Promise<ListedSource> {
  const files: SourceFile[] = [];
  const pays = src.requesterPays ? { requesterPays: true } : {};
  for (const entry of src.source) {
    const loc = parseSourceLocation(entry);
    if ('error' in loc) throw inputError('DATA_SOURCE', `${label}.source: ${loc.error}`);
    if (loc.kind === 'local') {
      const paths = loc.glob ? matchLocalFiles(loc.path) : [loc.path];
      if (loc.glob && paths.length === 0) throw inputError('DATA_SOURCE_MISSING', `${label}.source: ${entry} matches no file`);
      for (const path of paths) {
        if (!existsSync(path) || !statSync(path).isFile()) throw inputError('DATA_SOURCE_MISSING', `${label}.source: data source not found: ${path}`);
        files.push({ kind: 'local', name: path, path });
      }
      continue;
    }
    if (!objects) {
      throw inputError('DATA_SOURCE_S3', `${label}.source: ${entry} is on S3, and this command has no S3 client to read it with`);
    }
    if (!loc.glob) {
      const head = await objects.head(loc.bucket, loc.key, pays);
      if (head === 'absent') throw inputError('DATA_SOURCE_MISSING', `${label}.source: ${entry} does not exist (no such bucket or key)`);
      files.push({ kind: 's3', name: entry, bucket: loc.bucket, key: loc.key, ...head, ...pays });
      continue;
    }
    const re = globToRegExp(loc.key);
    const matched = (await objects.list(loc.bucket, globBase(loc.key), pays)).filter((o) => re.test(o.key));
    if (matched.length === 0) throw inputError('DATA_SOURCE_MISSING', `${label}.source: ${entry} matches no object`);
    for (const o of matched)
      files.push({ kind: 's3', name: `s3://${loc.bucket}/${o.key}`, bucket: loc.bucket, key: o.key, etag: o.etag, size: o.size, ...pays });
  }
  return { label, files, format: sourceFormat(label, src, files) };
}

/**
 * One format for the whole source (the declared one, or the extension's, as normalize resolved it). Files whose
 * extensions name different formats are an error naming the source: DuckDB reads one relation with one reader.
 */
function sourceFormat(label: string, src: DataSource, files: SourceFile[]): DataFormat {
  const detected = new Map<DataFormat, string>();
  for (const f of files) {
    const d = detectFormat(f.kind === 'local' ? f.path : f.key);
    if (d) detected.set(d, f.name);
  }
  if (detected.size > 1) {
    throw inputError('DATA_SOURCE_MIXED_FORMATS', `${label}.source mixes formats: ${[...detected].map(([f, n]) => `${f} (${n})`).join(', ')}`, [
      'read one format per source: split the files into separate sources or convert them',
    ]);
  }
  return src.format;
}
