import { ApiError } from '../api-error.js';
import type { S3Bucket } from '../store/state.js';
import type { XmlNode } from '../xml.js';
import { isoDate, mustBucket, sendXml, type S3Request } from './responses.js';
import { sortedKeys } from './s3-model.js';
import { authorizeCaller, bucketArn } from './access.js';

interface Entry {
  key?: string;
  commonPrefix?: string;
}

/**
 * The listing walk shared by ListObjectsV2 and ListObjects: keys in UTF-8 order after a marker, grouped into
 * CommonPrefixes by the delimiter; a common prefix counts as one entry toward max-keys.
 */
function walk(b: S3Bucket, prefix: string, delimiter: string, after: string, skipPrefix: string | undefined, maxKeys: number) {
  const entries: Entry[] = [];
  let truncated = false;
  let lastMarker = '';
  let lastWasPrefix = false;
  const seen = new Set<string>();
  for (const key of sortedKeys(b, prefix)) {
    if (after && Buffer.compare(Buffer.from(key), Buffer.from(after)) <= 0) continue;
    if (skipPrefix && key.startsWith(skipPrefix)) continue;
    let cp: string | undefined;
    if (delimiter) {
      const idx = key.indexOf(delimiter, prefix.length);
      if (idx >= 0) cp = key.slice(0, idx + delimiter.length);
    }
    if (cp && seen.has(cp)) continue;
    if (entries.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (cp) {
      seen.add(cp);
      entries.push({ commonPrefix: cp });
      lastMarker = cp;
      lastWasPrefix = true;
    } else {
      entries.push({ key });
      lastMarker = key;
      lastWasPrefix = false;
    }
  }
  return { entries, truncated, lastMarker, lastWasPrefix };
}

/** max-keys as asked (reported back as MaxKeys) and the page actually served: S3 "returns up to" MaxKeys keys. */
export function readMaxKeys(r: S3Request): { asked: number; served: number } {
  const raw = r.query.get('max-keys');
  let asked = 1000;
  if (raw !== null) {
    if (!/^\d+$/.test(raw))
      throw new ApiError('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400, { ArgumentName: 'max-keys', ArgumentValue: raw });
    asked = Math.min(1000, Number(raw));
  }
  return { asked, served: Math.min(asked, r.emu.opts.pageSize ?? Infinity) };
}

function encoder(r: S3Request): (s: string) => string {
  const type = r.query.get('encoding-type');
  if (type === null) return (s) => s;
  if (type !== 'url')
    throw new ApiError('InvalidArgument', 'Invalid Encoding Method specified in Request', 400, { ArgumentName: 'encoding-type', ArgumentValue: type });
  return (s) => encodeURIComponent(s).replace(/%2F/g, '/');
}

function contents(b: S3Bucket, entries: Entry[], enc: (s: string) => string, owner: string | undefined): XmlNode[] {
  const out: XmlNode[] = [];
  for (const e of entries) {
    if (e.key === undefined) continue;
    const o = b.objects[e.key]!;
    out.push([
      'Contents',
      [
        ['Key', enc(e.key)],
        ['LastModified', isoDate(o.lastModified)],
        ['ETag', o.etag],
        ...(Object.keys(o.checksums).length > 0 ? Object.keys(o.checksums).map((a) => ['ChecksumAlgorithm', a] as XmlNode) : []),
        ['Size', o.size],
        ['StorageClass', 'STANDARD'],
        ...(owner
          ? [
              [
                'Owner',
                [
                  ['ID', owner],
                  ['DisplayName', 'segflow-emulator'],
                ],
              ] as XmlNode,
            ]
          : []),
      ],
    ]);
  }
  for (const e of entries) if (e.commonPrefix !== undefined) out.push(['CommonPrefixes', [['Prefix', enc(e.commonPrefix)]]]);
  return out;
}

function encodeToken(marker: string, isPrefix: boolean): string {
  return Buffer.from(JSON.stringify({ m: marker, p: isPrefix })).toString('base64url');
}

function decodeToken(token: string): { m: string; p: boolean } {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { m?: unknown; p?: unknown };
    if (typeof v.m === 'string' && typeof v.p === 'boolean') return { m: v.m, p: v.p };
  } catch {
    /* below */
  }
  throw new ApiError('InvalidArgument', 'The continuation token provided is incorrect', 400, { ArgumentName: 'continuation-token' });
}

/** ListBucket, with the s3:prefix / s3:delimiter / s3:max-keys condition keys a policy may test. */
export function authorizeList(r: S3Request, b: S3Bucket, action = 's3:ListBucket'): void {
  const ctx: Record<string, string> = { 's3:prefix': r.query.get('prefix') ?? '' };
  const delimiter = r.query.get('delimiter');
  if (delimiter !== null) ctx['s3:delimiter'] = delimiter;
  const maxKeys = r.query.get('max-keys');
  if (maxKeys !== null) ctx['s3:max-keys'] = maxKeys;
  authorizeCaller(r, b, action, bucketArn(b), ctx);
}

export function listObjectsV2(r: S3Request): void {
  const b = mustBucket(r);
  authorizeList(r, b);
  const prefix = r.query.get('prefix') ?? '';
  const delimiter = r.query.get('delimiter') ?? '';
  const startAfter = r.query.get('start-after') ?? '';
  const token = r.query.get('continuation-token');
  const maxKeys = readMaxKeys(r);
  const enc = encoder(r);
  const cursor = token !== null ? decodeToken(token) : undefined;
  const after = cursor ? cursor.m : startAfter;
  const { entries, truncated, lastMarker, lastWasPrefix } = walk(b, prefix, delimiter, after, cursor?.p ? cursor.m : undefined, maxKeys.served);
  const owner = r.query.get('fetch-owner') === 'true' ? b.owner : undefined;
  sendXml(r, 200, 'ListBucketResult', [
    ['Name', b.name],
    ['Prefix', enc(prefix)],
    ...(token !== null ? [['ContinuationToken', token] as XmlNode] : []),
    ...(startAfter ? [['StartAfter', enc(startAfter)] as XmlNode] : []),
    ['KeyCount', entries.length],
    ['MaxKeys', maxKeys.asked],
    ...(delimiter ? [['Delimiter', enc(delimiter)] as XmlNode] : []),
    ...(r.query.get('encoding-type') ? [['EncodingType', 'url'] as XmlNode] : []),
    ['IsTruncated', truncated ? 'true' : 'false'],
    ...(truncated ? [['NextContinuationToken', encodeToken(lastMarker, lastWasPrefix)] as XmlNode] : []),
    ...contents(b, entries, enc, owner),
  ]);
}

/** ListObjects (version 1): Marker / NextMarker instead of continuation tokens. */
export function listObjectsV1(r: S3Request): void {
  const b = mustBucket(r);
  authorizeList(r, b);
  const prefix = r.query.get('prefix') ?? '';
  const delimiter = r.query.get('delimiter') ?? '';
  const marker = r.query.get('marker') ?? '';
  const maxKeys = readMaxKeys(r);
  const enc = encoder(r);
  const { entries, truncated, lastMarker } = walk(
    b,
    prefix,
    delimiter,
    marker,
    marker && delimiter && marker.endsWith(delimiter) ? marker : undefined,
    maxKeys.served,
  );
  sendXml(r, 200, 'ListBucketResult', [
    ['Name', b.name],
    ['Prefix', enc(prefix)],
    ['Marker', enc(marker)],
    ...(truncated && delimiter ? [['NextMarker', enc(lastMarker)] as XmlNode] : []),
    ['MaxKeys', maxKeys.asked],
    ...(delimiter ? [['Delimiter', enc(delimiter)] as XmlNode] : []),
    ['IsTruncated', truncated ? 'true' : 'false'],
    ...contents(b, entries, enc, b.owner),
  ]);
}
