import { ApiError } from '../api-error.js';
import type { S3Bucket, S3ObjectMeta } from '../store/state.js';
import { authorizeCaller, objectArn } from './access.js';
import { etagMatches, preconditionFailed } from './conditional.js';
import { checkVersionId, storedVersion } from './objects.js';
import { header, noSuchBucket, type S3Request } from './responses.js';
import { getBucket } from './s3-model.js';

/**
 * The source of a CopyObject: the x-amz-copy-source header, the object it names, and the
 * x-amz-copy-source-if-* conditions on it (botocore s3 CopyObjectRequest, boto/botocore @ 0e6e2404):
 *  - "the name of the source bucket and the key of the source object, separated by a slash (/) ... The value must
 *    be URL-encoded", optionally after a slash (the model's pattern is `\/?.+\/.+`), with `?versionId=<version-id>`
 *    appended to copy another version than the current one;
 *  - "you must have s3:GetObject permission to read the source object" (s3:GetObjectVersion for a version, as for
 *    GetObject);
 *  - "If the current version is a delete marker, Amazon S3 behaves as if the object was deleted" (404 NoSuchKey); a
 *    delete marker named by its version id is 400 InvalidRequest (S3's wording, as LocalStack's S3 provider and other
 *    S3 implementations quote it);
 *  - malformed values are 400 InvalidArgument with the messages S3 answers, as versity/versitygw#1388, #1389 and
 *    #1390 report them: "Invalid copy source bucket name", "Invalid copy source object key".
 */
export interface CopySource {
  bucket: S3Bucket;
  key: string;
  /** The version id the header named, if any. */
  versionId?: string;
  object: S3ObjectMeta;
}

const HEADER = 'x-amz-copy-source';

function invalid(message: string, value: string): ApiError {
  return new ApiError('InvalidArgument', message, 400, { ArgumentName: HEADER, ArgumentValue: value });
}

/** Bucket, key and version id of an x-amz-copy-source value. */
export function parseCopySource(value: string): { bucket: string; key: string; versionId?: string } {
  const q = value.indexOf('?');
  const path = (q < 0 ? value : value.slice(0, q)).replace(/^\//, '');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw invalid('Invalid copy source encoding', value);
  }
  const slash = decoded.indexOf('/');
  if (slash === 0) throw invalid('Invalid copy source bucket name', value);
  if (slash < 0 || slash === decoded.length - 1) throw invalid('Invalid copy source object key', value);
  const out: { bucket: string; key: string; versionId?: string } = { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
  if (q >= 0) {
    const versionId = new URLSearchParams(value.slice(q + 1)).get('versionId');
    if (versionId === '') throw invalid('Version id cannot be the empty string', value);
    if (versionId !== null) out.versionId = checkVersionId(versionId, HEADER);
  }
  return out;
}

/** The header's value (the router sends a copy here only when it is present). */
export function copySourceHeader(r: S3Request): string {
  return header(r.req, HEADER) ?? '';
}

/** The source object, after the caller's read permission and the copy-source conditions. */
export function resolveCopySource(r: S3Request): CopySource {
  const { bucket: name, key, versionId } = parseCopySource(copySourceHeader(r));
  const bucket = getBucket(r.emu, r.info.partition, name);
  if (!bucket) throw noSuchBucket(name);
  authorizeCaller(r, bucket, versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion', objectArn(bucket, key));
  let object: S3ObjectMeta;
  try {
    object = storedVersion(bucket, key, versionId, 'PUT');
  } catch (e) {
    if (e instanceof ApiError && e.code === 'MethodNotAllowed') {
      throw new ApiError('InvalidRequest', 'The source of a copy request may not specifically refer to a delete marker by version id.');
    }
    throw e;
  }
  checkCopySourceConditions(r, object);
  return { bucket, key, object, ...(versionId !== undefined ? { versionId } : {}) };
}

/**
 * x-amz-copy-source-if-match / -if-none-match / -if-unmodified-since / -if-modified-since, every failure 412
 * PreconditionFailed. As the model documents: if-match true and if-unmodified-since false copies; if-none-match false
 * and if-modified-since true fails (an ETag condition decides over its date condition, as in RFC 7232).
 */
export function checkCopySourceConditions(r: S3Request, o: S3ObjectMeta): void {
  const h = (name: string) => header(r.req, `${HEADER}-${name}`);
  const match = h('if-match');
  const noneMatch = h('if-none-match');
  const unmodifiedSince = Date.parse(h('if-unmodified-since') ?? '');
  const modifiedSince = Date.parse(h('if-modified-since') ?? '');
  const seconds = Math.floor(o.lastModified / 1000) * 1000;
  if (match !== undefined && !etagMatches(match, o.etag)) throw preconditionFailed(`${HEADER}-If-Match`);
  if (match === undefined && seconds > unmodifiedSince) throw preconditionFailed(`${HEADER}-If-Unmodified-Since`);
  if (noneMatch !== undefined && etagMatches(noneMatch, o.etag)) throw preconditionFailed(`${HEADER}-If-None-Match`);
  if (noneMatch === undefined && seconds <= modifiedSince) throw preconditionFailed(`${HEADER}-If-Modified-Since`);
}
