import { ApiError } from '../api-error.js';
import type { S3Bucket, S3ObjectMeta } from '../store/state.js';
import { authorizeCaller, objectArn } from './access.js';
import { encryptionHeaders } from './bucket-config.js';
import { authorizeObjectKey } from './object-keys.js';
import { checksumHeader } from './checksums.js';
import { beginConditionalWrite, checkConditions, endConditionalWrite, etagMatches, noSuchKey, preconditionFailed, writeConditions } from './conditional.js';
import { receiveBody } from './receive-body.js';
import { baseHeaders, header, httpDate, mustBucket, sendEmpty, type S3Request } from './responses.js';
import { defaultSse, getObject, stillStored } from './s3-model.js';
import { findVersion, latestIsDeleteMarker, NULL_VERSION, putVersion } from './versions.js';

export const MAX_KEY_BYTES = 1024;

export function checkKey(key: string): void {
  if (key === '') throw new ApiError('InvalidArgument', 'An object key must not be empty.');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new ApiError('KeyTooLongError', 'Your key is too long', 400);
}

/** A versionId query parameter; S3 answers 400 InvalidArgument for a malformed one. */
export function versionIdParam(r: S3Request): string | undefined {
  const v = r.query.get('versionId');
  return v === null ? undefined : checkVersionId(v, 'versionId');
}

/** A version id S3 could have issued (or "null"); 400 InvalidArgument naming `argument` otherwise. */
export function checkVersionId(v: string, argument: string): string {
  if (v !== NULL_VERSION && !/^[A-Za-z0-9._-]{1,1024}$/.test(v)) {
    throw new ApiError('InvalidArgument', 'Invalid version id specified', 400, { ArgumentName: argument, ArgumentValue: v });
  }
  return v;
}

export function userMetadata(r: S3Request): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.req.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) meta[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  if (Buffer.byteLength(JSON.stringify(meta)) > 2048)
    throw new ApiError('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size', 400);
  return meta;
}

/** The encryption a write asks for (x-amz-server-side-encryption headers), else the bucket default. */
export function requestedSse(r: S3Request, b: S3Bucket): { algorithm: string; kmsKeyId?: string } {
  const algorithm = header(r.req, 'x-amz-server-side-encryption');
  if (!algorithm) return defaultSse(b);
  if (!['AES256', 'aws:kms', 'aws:kms:dsse'].includes(algorithm)) {
    throw new ApiError('InvalidArgument', 'Server Side Encryption with AWS Key Management Service or Customer Provided Keys is not valid', 400, {
      ArgumentName: 'x-amz-server-side-encryption',
      ArgumentValue: algorithm,
    });
  }
  const kmsKeyId = header(r.req, 'x-amz-server-side-encryption-aws-kms-key-id') ?? (algorithm !== 'AES256' ? b.encryption?.kmsKeyId : undefined);
  return kmsKeyId ? { algorithm, kmsKeyId } : { algorithm };
}

/** The condition keys S3 puts in the request context of a write (e.g. to enforce conditional writes by policy). */
export function writeContext(r: S3Request): Record<string, string> {
  const ctx: Record<string, string> = {};
  for (const [h, key] of [
    ['if-none-match', 's3:if-none-match'],
    ['if-match', 's3:if-match'],
    ['x-amz-server-side-encryption', 's3:x-amz-server-side-encryption'],
    ['x-amz-server-side-encryption-aws-kms-key-id', 's3:x-amz-server-side-encryption-aws-kms-key-id'],
    ['x-amz-content-sha256', 's3:x-amz-content-sha256'],
  ] as const) {
    const v = header(r.req, h);
    if (v !== undefined) ctx[key] = v;
  }
  return ctx;
}

function checksumResponseHeaders(checksums: Record<string, string>): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [a, v] of Object.entries(checksums)) h[checksumHeader(a as never)] = v;
  return h;
}

export function versionHeader(b: S3Bucket, meta: { versionId?: string }): Record<string, string> {
  return b.versioning || meta.versionId ? { 'x-amz-version-id': meta.versionId ?? NULL_VERSION } : {};
}

export function sseHeaders(b: S3Bucket, o: { sse?: { algorithm: string; kmsKeyId?: string } }): Record<string, string> {
  if (!o.sse) return encryptionHeaders(b);
  return encryptionHeaders({ encryption: { algorithm: o.sse.algorithm, kmsKeyId: o.sse.kmsKeyId, bucketKeyEnabled: b.encryption?.bucketKeyEnabled ?? false } });
}

export async function putObject(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  const key = r.key!;
  checkKey(key);
  authorizeCaller(r, b, 's3:PutObject', objectArn(b, key), writeContext(r));
  const conditions = writeConditions(r);
  if (conditions) checkConditions(conditions, key, getObject(b, key));
  const metadata = userMetadata(r);
  const sse = requestedSse(r, b);
  authorizeObjectKey(r, b, sse, 'kms:GenerateDataKey');
  const inFlight = conditions ? beginConditionalWrite(b, key) : undefined;
  try {
    const body = await receiveBody(r.emu, r.req, r.emu.opts.maxObjectBytes, r.chain);
    const blob = await r.emu.blobs.adopt(body.tempFile);
    if (!stillStored(r.emu, b)) {
      await r.emu.blobs.remove(blob);
      throw new ApiError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: b.name });
    }
    try {
      // What decides: the state at the moment of commit (another writer may have finished while the body streamed).
      if (conditions) checkConditions(conditions, key, getObject(b, key), inFlight!.deleted);
    } catch (e) {
      await r.emu.blobs.remove(blob);
      throw e;
    }
    const meta: S3ObjectMeta = {
      blob,
      size: body.size,
      etag: `"${body.md5}"`,
      lastModified: Date.now(),
      contentType: header(r.req, 'content-type') ?? 'application/octet-stream',
      metadata,
      checksums: body.checksums,
      sse,
    };
    const freed = putVersion(b, key, meta);
    await r.emu.store.commit();
    for (const f of freed) await r.emu.blobs.remove(f);
    sendEmpty(r, 200, { etag: meta.etag, ...checksumResponseHeaders(body.checksums), ...sseHeaders(b, meta), ...versionHeader(b, meta) });
  } finally {
    if (inFlight) endConditionalWrite(b, key, inFlight);
  }
}

function objectHeaders(b: S3Bucket, o: S3ObjectMeta): Record<string, string> {
  const h: Record<string, string> = {
    etag: o.etag,
    'last-modified': httpDate(o.lastModified),
    'content-type': o.contentType,
    'accept-ranges': 'bytes',
    ...sseHeaders(b, o),
    ...versionHeader(b, o),
  };
  for (const [k, v] of Object.entries(o.metadata)) h[`x-amz-meta-${k}`] = v;
  return h;
}

/** If-Match / If-None-Match / If-(Un)Modified-Since on reads: 412 or 304, as S3 evaluates them. */
function readConditions(r: S3Request, o: S3ObjectMeta): 304 | 412 | undefined {
  const match = header(r.req, 'if-match');
  const noneMatch = header(r.req, 'if-none-match');
  const since = header(r.req, 'if-modified-since');
  const unmodified = header(r.req, 'if-unmodified-since');
  const seconds = Math.floor(o.lastModified / 1000) * 1000;
  if (match !== undefined && !etagMatches(match, o.etag)) return 412;
  if (match === undefined && unmodified !== undefined && seconds > Date.parse(unmodified)) return 412;
  if (noneMatch !== undefined && etagMatches(noneMatch, o.etag)) return 304;
  if (noneMatch === undefined && since !== undefined && seconds <= Date.parse(since)) return 304;
  return undefined;
}

/** A single byte range: bytes=a-b, bytes=a-, bytes=-n. Other forms are ignored (whole object), like S3. */
function parseRange(value: string | undefined, size: number): { start: number; end: number } | 'invalid' | undefined {
  if (!value) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'invalid';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size) return 'invalid';
  return { start, end };
}

/**
 * The stored version a read names: the current one, or `versionId`'s. No current version is 404 NoSuchKey (with
 * x-amz-delete-marker when a delete marker is the latest); a delete marker named by its id is 405, as on S3.
 */
export function storedVersion(b: S3Bucket, key: string, versionId: string | undefined, method: string): S3ObjectMeta {
  if (versionId === undefined) {
    const o = getObject(b, key);
    if (o) return o;
    if (!latestIsDeleteMarker(b, key)) throw noSuchKey(key);
    throw new ApiError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key }, { 'x-amz-delete-marker': 'true' });
  }
  const v = findVersion(b, key, versionId);
  if (!v) throw new ApiError('NoSuchVersion', 'The specified version does not exist.', 404, { Key: key, VersionId: versionId });
  if ('deleteMarker' in v && v.deleteMarker) {
    throw new ApiError(
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
      405,
      { Method: method, ResourceType: 'DeleteMarker' },
      {
        'x-amz-delete-marker': 'true',
        'x-amz-version-id': versionId,
      },
    );
  }
  return v as S3ObjectMeta;
}

/** The object a read names: the current version, or ?versionId=. */
function objectToRead(r: S3Request, b: S3Bucket): S3ObjectMeta {
  const versionId = versionIdParam(r);
  authorizeCaller(r, b, versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion', objectArn(b, r.key!));
  return storedVersion(b, r.key!, versionId, r.req.method ?? 'GET');
}

export function getObjectOrHead(r: S3Request, head: boolean): void {
  const b = mustBucket(r);
  const o = objectToRead(r, b);
  const cond = readConditions(r, o);
  if (cond === 412) throw preconditionFailed(header(r.req, 'if-match') !== undefined ? 'If-Match' : 'If-Unmodified-Since');
  if (cond === 304) {
    r.res.writeHead(304, { ...baseHeaders(r), etag: o.etag, 'last-modified': httpDate(o.lastModified), ...versionHeader(b, o) });
    r.res.end();
    return;
  }
  // Reading an SSE-KMS object's bytes decrypts them with the caller's permission (HEAD reads metadata only).
  if (!head) authorizeObjectKey(r, b, o.sse, 'kms:Decrypt');
  const range = parseRange(header(r.req, 'range'), o.size);
  if (range === 'invalid') {
    throw new ApiError('InvalidRange', 'The requested range is not satisfiable', 416, {
      RangeRequested: header(r.req, 'range') ?? '',
      ActualObjectSize: String(o.size),
    });
  }
  const headers = { ...baseHeaders(r), ...objectHeaders(b, o) };
  if (!range && header(r.req, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') {
    Object.assign(headers, checksumResponseHeaders(o.checksums));
    if (Object.keys(o.checksums).length > 0) headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${o.size}`;
    headers['content-length'] = String(range.end - range.start + 1);
  } else headers['content-length'] = String(o.size);
  r.res.writeHead(range ? 206 : 200, headers);
  if (head || o.size === 0 || (range && range.end < range.start)) {
    r.res.end();
    return;
  }
  const stream = r.emu.blobs.stream(o.blob, range);
  stream.on('error', () => r.res.destroy());
  stream.pipe(r.res);
}
