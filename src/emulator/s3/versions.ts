import { randomBytes } from 'node:crypto';
import type { S3Bucket, S3DeleteMarker, S3ObjectMeta, S3Version } from '../store/state.js';

/**
 * S3 Versioning as the user guide describes it (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html):
 *  - unversioned bucket: a PUT replaces the object, a DELETE removes it;
 *  - versioning Enabled: every PUT adds a version with a new id; a DELETE without a version id adds a delete marker
 *    (which becomes the current version) and removes nothing; DELETE with a version id removes that version for good;
 *  - Suspended: new writes get version id "null", replacing only the existing "null" version; a plain DELETE adds a
 *    "null" delete marker (replacing the "null" version); the other versions stay.
 * The current version of a key that is not a delete marker is in `bucket.objects` (what listings and reads see);
 * everything older, and delete markers, is in `bucket.versions[key]`, newest first.
 */
const own = <T>(o: Record<string, T> | undefined, k: string): T | undefined => (o && Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
const define = <T>(o: Record<string, T>, k: string, v: T) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

export const NULL_VERSION = 'null';

export function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}

/** The id a version answers to: objects written before versioning was ever enabled are "null". */
export function versionIdOf(v: S3ObjectMeta | S3Version): string {
  return v.versionId ?? NULL_VERSION;
}

export function history(b: S3Bucket, key: string): S3Version[] {
  return own(b.versions, key) ?? [];
}

function setHistory(b: S3Bucket, key: string, list: S3Version[]): void {
  b.versions ??= {};
  if (list.length === 0) delete b.versions[key];
  else define(b.versions, key, list);
}

function asVersion(o: S3ObjectMeta): S3Version {
  return { ...o, versionId: versionIdOf(o) };
}

function blobOf(v: S3ObjectMeta | S3Version | undefined): string[] {
  return v && !('deleteMarker' in v && v.deleteMarker) ? [v.blob] : [];
}

/** Removes the "null" version (object or marker) wherever it is; returns its blob to free. */
function dropNullVersion(b: S3Bucket, key: string): string[] {
  const freed: string[] = [];
  const current = own(b.objects, key);
  if (current && versionIdOf(current) === NULL_VERSION) {
    freed.push(current.blob);
    delete b.objects[key];
  }
  const list = history(b, key);
  const kept = list.filter((v) => v.versionId !== NULL_VERSION);
  for (const v of list) if (v.versionId === NULL_VERSION) freed.push(...blobOf(v));
  setHistory(b, key, kept);
  return freed;
}

/** Moves the current object, if any, to the front of the history (it becomes noncurrent). */
function retireCurrent(b: S3Bucket, key: string): void {
  const current = own(b.objects, key);
  if (!current) return;
  delete b.objects[key];
  setHistory(b, key, [asVersion(current), ...history(b, key)]);
}

/**
 * Writes a new current version of `key` (PutObject, CompleteMultipartUpload, a job's output). Sets meta.versionId as
 * the bucket's versioning state says. Returns the blobs that no version refers to any more, to remove after the
 * state is committed (never before: a crash in between must leave the old object readable).
 */
export function putVersion(b: S3Bucket, key: string, meta: S3ObjectMeta): string[] {
  let freed: string[] = [];
  if (!b.versioning) {
    freed = blobOf(own(b.objects, key));
  } else if (b.versioning === 'Enabled') {
    meta.versionId = newVersionId();
    retireCurrent(b, key);
  } else {
    meta.versionId = NULL_VERSION;
    freed = dropNullVersion(b, key);
    retireCurrent(b, key);
  }
  define(b.objects, key, meta);
  return freed;
}

export interface DeleteOutcome {
  /** Whether the request created (plain delete) or removed (delete by id) a delete marker. */
  deleteMarker: boolean;
  versionId?: string;
  freed: string[];
}

/** DELETE without a version id. */
export function deleteCurrent(b: S3Bucket, key: string): DeleteOutcome {
  if (!b.versioning) {
    const freed = blobOf(own(b.objects, key));
    delete b.objects[key];
    return { deleteMarker: false, freed };
  }
  const marker: S3DeleteMarker = { deleteMarker: true, versionId: b.versioning === 'Enabled' ? newVersionId() : NULL_VERSION, lastModified: Date.now() };
  const freed = b.versioning === 'Suspended' ? dropNullVersion(b, key) : [];
  retireCurrent(b, key);
  setHistory(b, key, [marker, ...history(b, key)]);
  return { deleteMarker: true, versionId: marker.versionId, freed };
}

/** DELETE ?versionId=: removes that version for good; the next newest becomes current. Unknown ids do nothing. */
export function deleteVersion(b: S3Bucket, key: string, versionId: string): DeleteOutcome {
  const current = own(b.objects, key);
  let outcome: DeleteOutcome = { deleteMarker: false, versionId, freed: [] };
  if (current && versionIdOf(current) === versionId) {
    delete b.objects[key];
    outcome = { deleteMarker: false, versionId, freed: [current.blob] };
  } else {
    const list = history(b, key);
    const found = list.find((v) => v.versionId === versionId);
    if (!found) return outcome;
    setHistory(
      b,
      key,
      list.filter((v) => v !== found),
    );
    outcome = { deleteMarker: found.deleteMarker === true, versionId, freed: blobOf(found) };
  }
  // The newest remaining version becomes current, unless it is a delete marker (then the key reads as deleted).
  if (!own(b.objects, key)) {
    const [next, ...rest] = history(b, key);
    if (next && !next.deleteMarker) {
      define(b.objects, key, next);
      setHistory(b, key, rest);
    }
  }
  return outcome;
}

/** A version by id, whether current or not. */
export function findVersion(b: S3Bucket, key: string, versionId: string): S3ObjectMeta | S3DeleteMarker | undefined {
  const current = own(b.objects, key);
  if (current && versionIdOf(current) === versionId) return current;
  return history(b, key).find((v) => v.versionId === versionId);
}

/** Whether the latest version of the key is a delete marker. */
export function latestIsDeleteMarker(b: S3Bucket, key: string): boolean {
  return !own(b.objects, key) && history(b, key)[0]?.deleteMarker === true;
}

/** "a versioned bucket is not empty until all versions and delete markers are gone" */
export function bucketIsEmpty(b: S3Bucket): boolean {
  return Object.keys(b.objects).length === 0 && Object.keys(b.versions ?? {}).length === 0;
}

/** Every version of a key, newest first, with whether it is the latest. */
export function versionsOf(b: S3Bucket, key: string): Array<{ v: S3ObjectMeta | S3Version; latest: boolean }> {
  const current = own(b.objects, key);
  const all: Array<S3ObjectMeta | S3Version> = [...(current ? [current] : []), ...history(b, key)];
  return all.map((v, i) => ({ v, latest: i === 0 }));
}

/** Blobs of noncurrent versions (for the orphan sweep at start). */
export function historyBlobs(b: S3Bucket): string[] {
  return Object.values(b.versions ?? {}).flatMap((list) => list.flatMap((v) => blobOf(v)));
}
