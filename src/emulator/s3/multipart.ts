import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { ApiError } from '../api-error.js';
import type { S3Bucket, S3ObjectMeta, S3Upload } from '../store/state.js';
import { childText } from '../xml.js';
import { checksumHeader, CHECKSUM_ALGORITHMS } from './checksums.js';
import { authorizeCaller, objectArn } from './access.js';
import { checkConditions, writeConditions } from './conditional.js';
import { checkKey, requestedSse, sseHeaders, userMetadata, versionHeader, writeContext } from './objects.js';
import { authorizeObjectKey } from './object-keys.js';
import { receiveBody } from './receive-body.js';
import { header, mustBucket, readXmlBody, sendEmpty, sendXml, type S3Request } from './responses.js';
import { getObject, stillStored } from './s3-model.js';
import { putVersion } from './versions.js';

export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PARTS = 10000;

function upload(r: S3Request, b: S3Bucket): S3Upload {
  const id = r.query.get('uploadId') ?? '';
  const u = Object.prototype.hasOwnProperty.call(b.uploads, id) ? b.uploads[id] : undefined;
  if (!u || u.key !== r.key) {
    throw new ApiError(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      404,
      { UploadId: id },
    );
  }
  return u;
}

export async function createMultipartUpload(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  checkKey(r.key!);
  authorizeCaller(r, b, 's3:PutObject', objectArn(b, r.key!), writeContext(r));
  // "To perform a multipart upload with encryption using an AWS KMS key, the requester must have permission to the
  // kms:Decrypt and kms:GenerateDataKey actions" (S3 user guide, mpuoverview.html#mpuAndPermissions).
  const sse = requestedSse(r, b);
  authorizeObjectKey(r, b, sse, 'kms:GenerateDataKey');
  authorizeObjectKey(r, b, sse, 'kms:Decrypt');
  const uploadId = randomBytes(24).toString('base64url');
  b.uploads[uploadId] = {
    uploadId,
    key: r.key!,
    initiated: Date.now(),
    contentType: header(r.req, 'content-type') ?? 'application/octet-stream',
    metadata: userMetadata(r),
    parts: {},
    sse,
  };
  await r.emu.store.commit();
  const algo = header(r.req, 'x-amz-checksum-algorithm');
  sendXml(
    r,
    200,
    'InitiateMultipartUploadResult',
    [
      ['Bucket', b.name],
      ['Key', r.key!],
      ['UploadId', uploadId],
    ],
    {
      ...(algo ? { 'x-amz-checksum-algorithm': algo.toUpperCase() } : {}),
      ...sseHeaders(b, b.uploads[uploadId]),
    },
  );
}

export async function uploadPart(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  const u = upload(r, b);
  authorizeCaller(r, b, 's3:PutObject', objectArn(b, u.key));
  const raw = r.query.get('partNumber') ?? '';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_PARTS) {
    throw new ApiError('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PARTS}, inclusive`, 400, {
      ArgumentName: 'partNumber',
      ArgumentValue: raw,
    });
  }
  const body = await receiveBody(r.emu, r.req, Math.min(r.emu.opts.maxObjectBytes, 5 * 1024 ** 3), r.chain);
  const blob = await r.emu.blobs.adopt(body.tempFile);
  if (!stillStored(r.emu, b) || b.uploads[u.uploadId] !== u) {
    await r.emu.blobs.remove(blob);
    throw new ApiError('NoSuchUpload', 'The specified upload does not exist.', 404, { UploadId: u.uploadId });
  }
  const etag = `"${body.md5}"`;
  const old = u.parts[String(n)];
  u.parts[String(n)] = { blob, size: body.size, etag, checksums: body.checksums };
  await r.emu.store.commit();
  if (old) await r.emu.blobs.remove(old.blob);
  const sums: Record<string, string> = {};
  for (const [a, v] of Object.entries(body.checksums)) sums[checksumHeader(a as never)] = v;
  sendEmpty(r, 200, { etag, ...sums, ...sseHeaders(b, u) });
}

export async function completeMultipartUpload(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  const u = upload(r, b);
  authorizeCaller(r, b, 's3:PutObject', objectArn(b, u.key), writeContext(r));
  const conditions = writeConditions(r);
  const doc = await readXmlBody(r, 'CompleteMultipartUpload');
  const listed = doc.children.filter((c) => c.name === 'Part');
  if (listed.length === 0) throw new ApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  // Evaluated when the upload completes, against the object committed then; a delete of the key since the upload
  // began is a conflict (409 for If-None-Match, 404 for If-Match).
  if (conditions) checkConditions(conditions, u.key, getObject(b, u.key), u.keyDeleted === true);
  let previous = 0;
  for (const p of listed) {
    const n = Number(childText(p, 'PartNumber'));
    if (!Number.isInteger(n) || n <= previous)
      throw new ApiError('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
    previous = n;
  }
  const chosen = listed.map((p, i) => {
    const n = Number(childText(p, 'PartNumber'));
    const part = u.parts[String(n)];
    const etag = childText(p, 'ETag') ?? '';
    const invalid = () =>
      new ApiError(
        'InvalidPart',
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        400,
        {
          UploadId: u.uploadId,
          PartNumber: String(n),
        },
      );
    if (!part || (etag !== part.etag && `"${etag}"` !== part.etag)) throw invalid();
    for (const a of CHECKSUM_ALGORITHMS) {
      const claimed = childText(p, `Checksum${a}`);
      if (claimed !== undefined && part.checksums[a] !== undefined && claimed !== part.checksums[a]) throw invalid();
    }
    if (i < listed.length - 1 && part.size < MIN_PART_BYTES) {
      throw new ApiError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', 400, {
        ProposedSize: String(part.size),
        MinSizeAllowed: String(MIN_PART_BYTES),
        PartNumber: String(n),
      });
    }
    return { n, part };
  });
  // Concatenate the parts into one object body.
  const tmp = r.emu.blobs.tempPath();
  const fh = await open(tmp, 'w');
  const md5s = createHash('md5');
  let size = 0;
  try {
    for (const { part } of chosen) {
      for await (const chunk of createReadStream(r.emu.blobs.path(part.blob))) {
        await fh.write(chunk as Buffer);
      }
      size += part.size;
      md5s.update(Buffer.from(part.etag.replace(/"/g, ''), 'hex'));
    }
  } finally {
    await fh.close();
  }
  const blob = await r.emu.blobs.adopt(tmp);
  if (!stillStored(r.emu, b) || b.uploads[u.uploadId] !== u) {
    await r.emu.blobs.remove(blob);
    throw new ApiError('NoSuchUpload', 'The specified upload does not exist.', 404, { UploadId: u.uploadId });
  }
  const etag = `"${md5s.digest('hex')}-${chosen.length}"`;
  try {
    if (conditions) checkConditions(conditions, u.key, getObject(b, u.key), u.keyDeleted === true);
  } catch (e) {
    await r.emu.blobs.remove(blob);
    throw e;
  }
  const meta: S3ObjectMeta = { blob, size, etag, lastModified: Date.now(), contentType: u.contentType, metadata: u.metadata, checksums: {}, sse: u.sse };
  const freed = putVersion(b, u.key, meta);
  const partBlobs = Object.values(u.parts).map((p) => p.blob);
  delete b.uploads[u.uploadId];
  await r.emu.store.commit();
  for (const p of [...partBlobs, ...freed]) await r.emu.blobs.remove(p);
  const host = header(r.req, 'host') ?? '127.0.0.1';
  sendXml(
    r,
    200,
    'CompleteMultipartUploadResult',
    [
      ['Location', `http://${host}/${b.name}/${encodeURIComponent(r.key!).replace(/%2F/g, '/')}`],
      ['Bucket', b.name],
      ['Key', r.key!],
      ['ETag', etag],
    ],
    { ...sseHeaders(b, meta), ...versionHeader(b, meta) },
  );
}

export async function abortMultipartUpload(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  const u = upload(r, b);
  authorizeCaller(r, b, 's3:AbortMultipartUpload', objectArn(b, u.key));
  const blobs = Object.values(u.parts).map((p) => p.blob);
  delete b.uploads[u.uploadId];
  await r.emu.store.commit();
  for (const blob of blobs) await r.emu.blobs.remove(blob);
  sendEmpty(r, 204);
}

export function listParts(r: S3Request): void {
  const b = mustBucket(r);
  const u = upload(r, b);
  authorizeCaller(r, b, 's3:ListMultipartUploadParts', objectArn(b, u.key));
  const int = (name: string, fallback: number) => {
    const raw = r.query.get(name);
    if (raw === null) return fallback;
    if (!/^\d+$/.test(raw))
      throw new ApiError('InvalidArgument', `Provided ${name} not an integer or within integer range`, 400, { ArgumentName: name, ArgumentValue: raw });
    return Number(raw);
  };
  const asked = Math.min(int('max-parts', 1000), 1000);
  const served = Math.min(asked, r.emu.opts.pageSize ?? Infinity);
  const after = int('part-number-marker', 0);
  const all = Object.entries(u.parts)
    .map(([n, p]) => [Number(n), p] as const)
    .filter(([n]) => n > after)
    .sort(([a], [c]) => a - c);
  const parts = all.slice(0, served);
  const truncated = all.length > served;
  sendXml(r, 200, 'ListPartsResult', [
    ['Bucket', b.name],
    ['Key', u.key],
    ['UploadId', u.uploadId],
    ['PartNumberMarker', after],
    ...(truncated ? [['NextPartNumberMarker', parts[parts.length - 1]![0]] as [string, number]] : []),
    ['MaxParts', asked],
    ['IsTruncated', truncated ? 'true' : 'false'],
    ...parts.map(
      ([n, p]) =>
        [
          'Part',
          [
            ['PartNumber', n],
            ['ETag', p.etag],
            ['Size', p.size],
          ],
        ] as [string, [string, string | number][]],
    ),
  ]);
}
