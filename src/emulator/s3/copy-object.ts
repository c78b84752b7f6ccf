import { createHash } from 'node:crypto';
import { ApiError } from '../api-error.js';
import type { S3Bucket, S3ObjectMeta } from '../store/state.js';
import type { XmlNode } from '../xml.js';
import { authorizeCaller, objectArn } from './access.js';
import { Checksum, CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './checksums.js';
import { beginConditionalWrite, checkConditions, endConditionalWrite, writeConditions } from './conditional.js';
import { resolveCopySource, type CopySource } from './copy-source.js';
import { authorizeObjectKey } from './object-keys.js';
import { checkKey, requestedSse, sseHeaders, userMetadata, versionHeader, writeContext } from './objects.js';
import { header, isoDate, mustBucket, noSuchBucket, sendXml, type S3Request } from './responses.js';
import { getObject, stillStored } from './s3-model.js';
import { putVersion, versionIdOf } from './versions.js';

/**
 * CopyObject (`PUT /{Bucket}/{Key}` with x-amz-copy-source), as the botocore s3 model describes it
 * (boto/botocore @ 0e6e2404, CopyObjectRequest / CopyObjectOutput):
 *  - the source (copy-source.ts): read permission, versions, delete markers, x-amz-copy-source-if-* conditions;
 *  - "you must have s3:PutObject permission to write the object copy to the destination bucket", with the
 *    s3:x-amz-copy-source and s3:x-amz-metadata-directive condition keys in the request context;
 *  - x-amz-metadata-directive COPY (the default: user metadata and Content-Type from the source; metadata headers
 *    in the request are ignored) or REPLACE (from the request);
 *  - "if you don't specify encryption information in your copy request, the encryption setting of the target object
 *    is set to the default encryption configuration of the destination bucket"; with SSE-KMS the caller needs
 *    kms:Decrypt on the source's key and kms:GenerateDataKey on the copy's (object-keys.ts);
 *  - a new version in a versioned destination (x-amz-version-id), x-amz-copy-source-version-id for the source;
 *  - If-Match / If-None-Match on the destination, as for PutObject (conditional.ts);
 *  - "You create a copy of your object up to 5 GB in size in a single atomic action": a bigger source is 400
 *    InvalidRequest, with the message S3 answers (seqeralabs/nf-tower#362); the limit is `maxObjectBytes`;
 *  - a copy of an object onto itself that changes nothing is 400 InvalidRequest (S3's wording, e.g. peak/s5cmd#711);
 *    a REPLACE directive, encryption or storage-class headers, or a destination bucket with a default encryption
 *    configuration make it legal (localstack/localstack#10412), and so does copying a noncurrent version onto its
 *    key ("Copy a previous version of the object into the same bucket", S3 User Guide, Restoring previous versions);
 *  - "If the source object is an object that was uploaded by using a multipart upload, the object copy will be a
 *    single part object": its ETag is the MD5 of the body; checksums are copied, or computed for
 *    x-amz-checksum-algorithm.
 * The answer is CopyObjectResult (ETag, LastModified, checksums). Object tags and SSE-C are not modelled (501).
 */
type Directive = 'COPY' | 'REPLACE';

const SELF_COPY =
  "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.";

function notImplemented(h: string): ApiError {
  return new ApiError('NotImplemented', 'A header you provided implies functionality that is not implemented', 501, { Header: h });
}

function directive(r: S3Request, name: string): Directive {
  const v = header(r.req, name);
  if (v === undefined || v === 'COPY' || v === 'REPLACE') return v ?? 'COPY';
  throw new ApiError('InvalidArgument', `Unknown ${name === 'x-amz-metadata-directive' ? 'metadata' : 'tagging'} directive.`, 400, {
    ArgumentName: name,
    ArgumentValue: v,
  });
}

function refuseUnmodelled(r: S3Request): void {
  for (const h of ['x-amz-server-side-encryption-customer-algorithm', 'x-amz-copy-source-server-side-encryption-customer-algorithm']) {
    if (header(r.req, h) !== undefined) throw notImplemented(h);
  }
  if (directive(r, 'x-amz-tagging-directive') === 'REPLACE' && (header(r.req, 'x-amz-tagging') ?? '') !== '') throw notImplemented('x-amz-tagging');
}

function checksumAlgorithm(r: S3Request): ChecksumAlgorithm | undefined {
  const v = header(r.req, 'x-amz-checksum-algorithm');
  if (v === undefined) return undefined;
  const a = CHECKSUM_ALGORITHMS.find((x) => x === v.toUpperCase());
  if (!a)
    throw new ApiError(
      'InvalidRequest',
      `Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${CHECKSUM_ALGORITHMS.join(', ')}]`,
    );
  return a;
}

/** Whether this is a copy of the current version onto itself that changes nothing S3 counts as a change. */
function changesNothing(r: S3Request, b: S3Bucket, key: string, src: CopySource, metadata: Directive): boolean {
  if (src.bucket !== b || src.key !== key || getObject(b, key) !== src.object) return false;
  const changed = ['x-amz-server-side-encryption', 'x-amz-storage-class', 'x-amz-website-redirect-location'].some((h) => header(r.req, h) !== undefined);
  return metadata === 'COPY' && !changed && b.encryption === undefined;
}

/** The copy's body as a new blob, its ETag, and its checksums. */
async function copyBody(
  r: S3Request,
  o: S3ObjectMeta,
  algorithm: ChecksumAlgorithm | undefined,
): Promise<{ blob: string; etag: string; checksums: Record<string, string> }> {
  let blob: string;
  try {
    blob = await r.emu.blobs.copy(o.blob);
  } catch (e) {
    // The source was replaced or deleted, and its body removed, while the copy began.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ApiError('InternalError', 'We encountered an internal error. Please try again.', 500);
    throw e;
  }
  const multipart = o.etag.includes('-');
  const wanted = algorithm !== undefined && o.checksums[algorithm] === undefined ? new Checksum(algorithm) : undefined;
  let etag = o.etag;
  if (multipart || wanted) {
    const md5 = createHash('md5');
    for await (const chunk of r.emu.blobs.stream(blob)) {
      md5.update(chunk as Buffer);
      wanted?.update(chunk as Buffer);
    }
    if (multipart) etag = `"${md5.digest('hex')}"`;
  }
  const checksums = algorithm !== undefined ? { [algorithm]: wanted?.digest() ?? o.checksums[algorithm]! } : { ...o.checksums };
  return { blob, etag, checksums };
}

function result(meta: S3ObjectMeta): XmlNode[] {
  const sums = Object.entries(meta.checksums);
  return [
    ['ETag', meta.etag],
    ['LastModified', isoDate(meta.lastModified)],
    ...(sums.length > 0 ? [['ChecksumType', 'FULL_OBJECT'] as XmlNode] : []),
    ...sums.map(([a, v]): XmlNode => [`Checksum${a}`, v]),
  ];
}

export async function copyObject(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  const key = r.key!;
  checkKey(key);
  refuseUnmodelled(r);
  const metadata = directive(r, 'x-amz-metadata-directive');
  const algorithm = checksumAlgorithm(r);
  const src = resolveCopySource(r);
  const context: Record<string, string> = { ...writeContext(r), 's3:x-amz-copy-source': `${src.bucket.name}/${src.key}` };
  if (header(r.req, 'x-amz-metadata-directive') !== undefined) context['s3:x-amz-metadata-directive'] = metadata;
  authorizeCaller(r, b, 's3:PutObject', objectArn(b, key), context);
  const o = src.object;
  const max = r.emu.opts.maxObjectBytes;
  if (o.size > max) throw new ApiError('InvalidRequest', `The specified copy source is larger than the maximum allowable size for a copy source: ${max}`);
  if (changesNothing(r, b, key, src, metadata)) throw new ApiError('InvalidRequest', SELF_COPY);
  const sse = requestedSse(r, b);
  authorizeObjectKey(r, src.bucket, o.sse, 'kms:Decrypt');
  authorizeObjectKey(r, b, sse, 'kms:GenerateDataKey');
  const described =
    metadata === 'COPY'
      ? { contentType: o.contentType, metadata: { ...o.metadata } }
      : { contentType: header(r.req, 'content-type') ?? 'application/octet-stream', metadata: userMetadata(r) };
  const conditions = writeConditions(r);
  if (conditions) checkConditions(conditions, key, getObject(b, key));
  const inFlight = conditions ? beginConditionalWrite(b, key) : undefined;
  try {
    const body = await copyBody(r, o, algorithm);
    try {
      if (!stillStored(r.emu, b)) throw noSuchBucket(b.name);
      // What decides: the destination at the moment of commit.
      if (conditions) checkConditions(conditions, key, getObject(b, key), inFlight!.deleted);
    } catch (e) {
      await r.emu.blobs.remove(body.blob);
      throw e;
    }
    const meta: S3ObjectMeta = { blob: body.blob, size: o.size, etag: body.etag, lastModified: Date.now(), ...described, checksums: body.checksums, sse };
    const freed = putVersion(b, key, meta);
    await r.emu.store.commit();
    for (const f of freed) await r.emu.blobs.remove(f);
    const sourceVersion: Record<string, string> = src.bucket.versioning || o.versionId ? { 'x-amz-copy-source-version-id': versionIdOf(o) } : {};
    sendXml(r, 200, 'CopyObjectResult', result(meta), { ...sseHeaders(b, meta), ...versionHeader(b, meta), ...sourceVersion });
  } finally {
    if (inFlight) endConditionalWrite(b, key, inFlight);
  }
}
