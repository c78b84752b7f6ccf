import { ApiError } from '../api-error.js';
import type { S3Bucket, S3ObjectMeta } from '../store/state.js';
import { child, childText } from '../xml.js';
import { encryptionHeaders } from './bucket-config.js';
import { checksumHeader } from './checksums.js';
import { receiveBody } from './receive-body.js';
import { baseHeaders, header, httpDate, mustBucket, readXmlBody, sendEmpty, sendXml, type S3Request } from './responses.js';
import { getObject, setObject } from './s3-model.js';

export const MAX_KEY_BYTES = 1024;

export function checkKey(key: string): void {
  if (key === '') throw new ApiError('InvalidArgument', 'An object key must not be empty.');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new ApiError('KeyTooLongError', 'Your key is too long', 400);
}

function noSuchKey(key: string): ApiError {
  return new ApiError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
}

function preconditionFailed(condition: string): ApiError {
  return new ApiError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition: condition });
}

/** Conditional writes: If-None-Match: * (create only) and If-Match: <etag> (replace only that version). */
export function checkWriteConditions(r: S3Request, existing: S3ObjectMeta | undefined): void {
  const noneMatch = header(r.req, 'if-none-match');
  const match = header(r.req, 'if-match');
  if (noneMatch !== undefined) {
    if (noneMatch.trim() !== '*') throw new ApiError('NotImplemented', 'If-None-Match on writes only supports *', 501);
    if (existing) throw preconditionFailed('If-None-Match');
  }
  if (match !== undefined) {
    if (!existing) throw noSuchKey(r.key!);
    if (!etagMatches(match, existing.etag)) throw preconditionFailed('If-Match');
  }
}

function etagMatches(list: string, etag: string): boolean {
  return list.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || `"${v}"` === etag;
  });
}

export function userMetadata(r: S3Request): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.req.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) meta[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  if (Buffer.byteLength(JSON.stringify(meta)) > 2048) throw new ApiError('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size', 400);
  return meta;
}

function checksumResponseHeaders(checksums: Record<string, string>): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [a, v] of Object.entries(checksums)) h[checksumHeader(a as never)] = v;
  return h;
}

export async function putObject(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  checkKey(r.key!);
  checkWriteConditions(r, getObject(b, r.key!));
  const metadata = userMetadata(r);
  const body = await receiveBody(r.emu, r.req, r.emu.opts.maxObjectBytes, r.chain);
  const current = r.emu.store.state.s3.buckets[b.name];
  if (current !== b) {
    await r.emu.blobs.remove(await r.emu.blobs.adopt(body.tempFile));
    throw new ApiError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: b.name });
  }
  const blob = await r.emu.blobs.adopt(body.tempFile);
  try {
    checkWriteConditions(r, getObject(b, r.key!)); // again: another writer may have won while the body streamed
  } catch (e) {
    await r.emu.blobs.remove(blob);
    throw e;
  }
  const etag = `"${body.md5}"`;
  const old = setObject(b, r.key!, {
    blob,
    size: body.size,
    etag,
    lastModified: Date.now(),
    contentType: header(r.req, 'content-type') ?? 'application/octet-stream',
    metadata,
    checksums: body.checksums,
  });
  await r.emu.store.commit();
  if (old) await r.emu.blobs.remove(old);
  sendEmpty(r, 200, { etag, ...checksumResponseHeaders(body.checksums), ...encryptionHeaders(b) });
}

function objectHeaders(b: S3Bucket, o: S3ObjectMeta): Record<string, string> {
  const h: Record<string, string> = {
    etag: o.etag,
    'last-modified': httpDate(o.lastModified),
    'content-type': o.contentType,
    'accept-ranges': 'bytes',
    ...encryptionHeaders(b),
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

export function getObjectOrHead(r: S3Request, head: boolean): void {
  const b = mustBucket(r);
  const o = getObject(b, r.key!);
  if (!o) throw noSuchKey(r.key!);
  const cond = readConditions(r, o);
  if (cond === 412) throw preconditionFailed(header(r.req, 'if-match') !== undefined ? 'If-Match' : 'If-Unmodified-Since');
  if (cond === 304) {
    r.res.writeHead(304, { ...baseHeaders(r), etag: o.etag, 'last-modified': httpDate(o.lastModified) });
    r.res.end();
    return;
  }
  const range = parseRange(header(r.req, 'range'), o.size);
  if (range === 'invalid') {
    throw new ApiError('InvalidRange', 'The requested range is not satisfiable', 416, { RangeRequested: header(r.req, 'range') ?? '', ActualObjectSize: String(o.size) });
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

export async function deleteObject(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  const o = getObject(b, r.key!);
  if (o) {
    delete b.objects[r.key!];
    await r.emu.store.commit();
    await r.emu.blobs.remove(o.blob);
  }
  sendEmpty(r, 204);
}

/** DeleteObjects: at most 1000 keys; missing keys count as deleted, as on S3. */
export async function deleteObjects(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  const doc = await readXmlBody(r, 'Delete');
  const quiet = childText(doc, 'Quiet') === 'true';
  const objects = doc.children.filter((c) => c.name === 'Object');
  if (objects.length === 0 || objects.length > 1000) {
    throw new ApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  }
  const deleted: string[] = [];
  const errors: Array<[string, string, string]> = [];
  const blobs: string[] = [];
  for (const o of objects) {
    const key = child(o, 'Key')?.text;
    if (key === undefined || key === '') {
      errors.push(['', 'InvalidArgument', 'A key is required.']);
      continue;
    }
    const meta = getObject(b, key);
    if (meta) {
      blobs.push(meta.blob);
      delete b.objects[key];
    }
    deleted.push(key);
  }
  await r.emu.store.commit();
  for (const blob of blobs) await r.emu.blobs.remove(blob);
  sendXml(r, 200, 'DeleteResult', [
    ...(quiet ? [] : deleted.map((k) => ['Deleted', [['Key', k]]] as [string, [string, string][]])),
    ...errors.map(([k, code, message]) => ['Error', [['Key', k], ['Code', code], ['Message', message]]] as [string, [string, string][]]),
  ]);
}
