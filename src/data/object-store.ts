/**
 * The port through which src/data reads s3:// sources. src/data never imports the AWS SDK: the adapter lives in
 * src/aws/object-store.ts (built from the command's SDK clients, so the local target reads the emulator's S3), and
 * tests can hand in any implementation. Implementations map errors to SegflowError values: an access error is
 * DATA_SOURCE_ACCESS (exit 2) naming the bucket and key; a missing bucket DATA_SOURCE_MISSING (exit 2).
 */
export interface ObjectInfo {
  key: string;
  /** The object's ETag without quotes: the cache key and the fingerprint of an S3 source. */
  etag: string;
  size: number;
}

export interface ObjectStore {
  /** Every object under the prefix, all pages, in key order. */
  list(bucket: string, prefix: string, opts?: ReadOpts): Promise<ObjectInfo[]>;
  head(bucket: string, key: string, opts?: ReadOpts): Promise<{ etag: string; size: number } | 'absent'>;
  /**
   * Streams the object into destFile (which the caller then renames into place). With `etag`, only that version
   * of it: an object replaced since it was listed is DATA_SOURCE_CHANGED, never a mix of two versions' data.
   */
  download(bucket: string, key: string, destFile: string, opts?: ReadOpts & { etag?: string }): Promise<void>;
}

/** Sources in a Requester Pays bucket (the spec's `requesterPays: true`). */
export interface ReadOpts {
  requesterPays?: boolean;
}

/** What reading S3 sources cost in one prepare (or fingerprint): tests assert 0 bytes for a no-op plan. */
export interface DownloadStats {
  /** Objects fetched from the store. */
  objects: number;
  bytes: number;
  /** Objects already in the local cache with the same ETag. */
  cached: number;
}

export function emptyDownloadStats(): DownloadStats {
  return { objects: 0, bytes: 0, cached: 0 };
}

/** ETags arrive quoted ("abc"); the bare value names cache entries and appears in messages. */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/"/g, '');
}
