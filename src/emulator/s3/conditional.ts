import { ApiError } from '../api-error.js';
import type { S3Bucket, S3ObjectMeta } from '../store/state.js';
import { header, type S3Request } from './responses.js';

/**
 * Conditional writes and deletes as the S3 User Guide describes them
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html, "Conditional write behavior";
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html):
 *  - If-None-Match: * succeeds only if the key has no current version (a delete marker counts as none), else 412;
 *    "If multiple conditional writes ... occur for the same object name, the first write operation to finish
 *    succeeds", later ones get 412; a delete that succeeds while the write is in flight gives 409
 *    ConditionalRequestConflict;
 *  - If-Match: <etag> succeeds only if the current version has that ETag, else 412; no current version (or a delete
 *    marker) is 404 NoSuchKey, and so is a delete that succeeds while the write is in flight;
 *  - a multipart upload is in flight from CreateMultipartUpload to CompleteMultipartUpload; the conditions are
 *    evaluated when it completes, against the object committed then.
 * Conditions are checked when the request arrives (so a doomed upload is refused before its body is read) and
 * again at the moment of commit, which is what decides.
 */
export interface WriteConditions {
  ifNoneMatch?: '*';
  ifMatch?: string;
}

export function preconditionFailed(condition: string): ApiError {
  return new ApiError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition: condition });
}

export function noSuchKey(key: string): ApiError {
  return new ApiError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
}

export function conflict(): ApiError {
  return new ApiError(
    'ConditionalRequestConflict',
    'A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part.',
    409,
  );
}

/** The conditions of a write request. If-None-Match takes only `*` on writes. */
export function writeConditions(r: S3Request): WriteConditions | undefined {
  const noneMatch = header(r.req, 'if-none-match');
  const match = header(r.req, 'if-match');
  if (noneMatch === undefined && match === undefined) return undefined;
  if (noneMatch !== undefined && noneMatch.trim() !== '*')
    throw new ApiError('NotImplemented', 'A header you provided implies functionality that is not implemented', 501, { Header: 'If-None-Match' });
  return { ...(noneMatch !== undefined ? { ifNoneMatch: '*' as const } : {}), ...(match !== undefined ? { ifMatch: match } : {}) };
}

/** RFC 7232 entity-tag list matching, with `*` matching any existing object. */
export function etagMatches(list: string, etag: string): boolean {
  return list.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === '*' || v === etag || `"${v}"` === etag;
  });
}

/** Checks the conditions against the key's current version (undefined when absent or a delete marker). */
export function checkConditions(c: WriteConditions, key: string, current: S3ObjectMeta | undefined, deletedMeanwhile = false): void {
  if (c.ifNoneMatch) {
    if (deletedMeanwhile) throw conflict();
    if (current) throw preconditionFailed('If-None-Match');
  }
  if (c.ifMatch !== undefined) {
    if (!current || deletedMeanwhile) throw noSuchKey(key);
    if (!etagMatches(c.ifMatch, current.etag)) throw preconditionFailed('If-Match');
  }
}

/** A conditional single-request write in flight: did a delete of its key succeed meanwhile? */
export interface InFlight {
  deleted: boolean;
}

const inFlight = new WeakMap<S3Bucket, Map<string, Set<InFlight>>>();

export function beginConditionalWrite(b: S3Bucket, key: string): InFlight {
  let keys = inFlight.get(b);
  if (!keys) inFlight.set(b, (keys = new Map<string, Set<InFlight>>()));
  let set = keys.get(key);
  if (!set) keys.set(key, (set = new Set()));
  const w: InFlight = { deleted: false };
  set.add(w);
  return w;
}

export function endConditionalWrite(b: S3Bucket, key: string, w: InFlight): void {
  const set = inFlight.get(b)?.get(key);
  set?.delete(w);
  if (set && set.size === 0) inFlight.get(b)!.delete(key);
}

/** A delete of `key` succeeded: conditional writes and multipart uploads of that key in flight now conflict. */
export function noteKeyDeleted(b: S3Bucket, key: string): void {
  for (const w of inFlight.get(b)?.get(key) ?? []) w.deleted = true;
  for (const u of Object.values(b.uploads)) if (u.key === key) u.keyDeleted = true;
}
