/**
 * S3 objects over @aws-sdk/client-s3 (+ lib-storage for big files). Lists page to the end (ContinuationToken;
 * KeyMarker + VersionIdMarker for versions); DeleteObjects goes in batches of 1,000 (the API's maximum); CopyObject
 * copies on the server side (its bytes are not counted as uploaded).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { CallCounter } from './call-counter.js';
import { PortCalls } from './port-call.js';
import type { CopySource, ObjectBody, ObjectInfo, ObjectText, ObjectVersionInfo, PutOptions, ReadOptions, S3Port } from './ports.js';

/** Files at least this big go up in parts (several in flight), like `segflow apply` always did. */
export const MULTIPART_THRESHOLD = 64 * 1024 * 1024;
const PART_SIZE = 16 * 1024 * 1024;
const DELETE_BATCH = 1000;

/** Sizes the tests shrink to see paging and multipart without thousands of objects or 64 MiB files. */
export interface S3Tuning {
  /** MaxKeys per list page (S3's default and maximum is 1,000). */
  listPageSize?: number;
  multipartThreshold?: number;
  /** At least 5 MiB (S3's minimum part size). */
  partSize?: number;
}

type ObjectPort = Pick<
  S3Port,
  'headObject' | 'putObject' | 'downloadObject' | 'getObjectText' | 'listObjects' | 'listObjectVersions' | 'copyObject' | 'deleteObject' | 'deleteObjects'
>;

function objectInfo(
  key: string,
  o: { ETag?: string; ContentLength?: number; Size?: number; Metadata?: Record<string, string>; VersionId?: string; LastModified?: Date },
): ObjectInfo {
  const info: ObjectInfo = { key, etag: o.ETag ?? '', size: o.ContentLength ?? o.Size ?? 0 };
  if (o.Metadata) info.metadata = o.Metadata;
  if (o.VersionId) info.versionId = o.VersionId;
  if (o.LastModified) info.lastModified = o.LastModified;
  return info;
}

/** A Requester Pays read says who pays. */
function payer(options: ReadOptions | undefined): { RequestPayer?: 'requester' } {
  return options?.requesterPays ? { RequestPayer: 'requester' } : {};
}

function conditions(options: PutOptions | undefined) {
  return {
    ...(options?.ifNoneMatch ? { IfNoneMatch: options.ifNoneMatch } : {}),
    ...(options?.ifMatch ? { IfMatch: options.ifMatch } : {}),
    ...(options?.metadata ? { Metadata: options.metadata } : {}),
    ...(options?.contentType ? { ContentType: options.contentType } : {}),
  };
}

/** x-amz-copy-source: "bucket/key", URL-encoded (each key segment, '/' kept), with ?versionId= for a version. */
export function copySourceHeader(source: CopySource): string {
  const key = source.key.split('/').map(encodeURIComponent).join('/');
  const version = source.versionId !== undefined ? `?versionId=${encodeURIComponent(source.versionId)}` : '';
  return `${encodeURIComponent(source.bucket)}/${key}${version}`;
}

export function sdkS3ObjectPort(client: S3Client, calls: CallCounter, tuning: S3Tuning = {}): ObjectPort {
  const c = new PortCalls('s3');
  const threshold = tuning.multipartThreshold ?? MULTIPART_THRESHOLD;
  const partSize = tuning.partSize ?? PART_SIZE;
  const maxKeys = tuning.listPageSize !== undefined ? { MaxKeys: tuning.listPageSize } : {};

  /**
   * Small bodies go as one Buffer: the SDK retries a Buffer but never a stream. Files from 64 MiB stream in 16 MiB
   * parts; lib-storage aborts the multipart upload if a part fails, and passes If-None-Match/If-Match on to
   * CompleteMultipartUpload.
   */
  async function send(bucket: string, key: string, body: ObjectBody, options: PutOptions | undefined): Promise<{ etag: string; bytes: number }> {
    const params = { Bucket: bucket, Key: key, ...conditions(options) };
    const abort = options?.signal ? { abortSignal: options.signal } : {};
    if (body.file !== undefined) {
      const size = (await stat(body.file)).size;
      if (size >= threshold) {
        const file = body.file;
        const out = await c.run('PutObject', () => new Upload({ client, params: { ...params, Body: createReadStream(file) }, partSize, queueSize: 4 }).done());
        return { etag: out.ETag ?? '', bytes: size };
      }
      const data = await readFile(body.file);
      const out = await c.run('PutObject', () => client.send(new PutObjectCommand({ ...params, Body: data }), abort));
      return { etag: out.ETag ?? '', bytes: data.length };
    }
    const data = typeof body.data === 'string' ? Buffer.from(body.data, 'utf8') : (body.data ?? Buffer.alloc(0));
    const out = await c.run('PutObject', () => client.send(new PutObjectCommand({ ...params, Body: data }), abort));
    return { etag: out.ETag ?? '', bytes: data.length };
  }

  return {
    headObject: (bucket, key, options) =>
      c.read('HeadObject', async () => objectInfo(key, await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...payer(options) })))),

    async putObject(bucket, key, body, options) {
      const result = await send(bucket, key, body, options);
      calls.bytesUploaded += result.bytes;
      return result;
    },

    async downloadObject(bucket, key, file, options) {
      const r = await c.read('GetObject', () =>
        client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...payer(options), ...(options?.ifMatch ? { IfMatch: options.ifMatch } : {}) })),
      );
      if (r === undefined) return undefined;
      // Into a sibling file first: a failed transfer never leaves half an object under the final name.
      const partial = `${file}.partial`;
      try {
        await c.run('GetObject', () => pipeline(r.Body as Readable, createWriteStream(partial)));
        await rename(partial, file);
      } finally {
        await rm(partial, { force: true });
      }
      return objectInfo(key, r);
    },

    getObjectText: (bucket, key, options) =>
      c.read('GetObject', async () => {
        const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(options?.versionId ? { VersionId: options.versionId } : {}) }));
        const out: ObjectText = { text: (await r.Body?.transformToString('utf8')) ?? '', etag: r.ETag ?? '' };
        if (r.LastModified) out.lastModified = r.LastModified;
        if (r.VersionId) out.versionId = r.VersionId;
        return out;
      }),

    listObjects: async (bucket, prefix, options) =>
      (
        await c.pages(
          'ListObjectsV2',
          (token) =>
            client.send(
              new ListObjectsV2Command({
                Bucket: bucket,
                ...(prefix ? { Prefix: prefix } : {}),
                ...maxKeys,
                ...payer(options),
                ...(token ? { ContinuationToken: token } : {}),
              }),
            ),
          (p) => p.Contents,
          (p) => (p.IsTruncated ? p.NextContinuationToken : undefined),
        )
      ).map((o) => objectInfo(o.Key ?? '', o)),

    listObjectVersions: (bucket, prefix) =>
      // The version list pages on a pair of markers; PortCalls.pages wants one token, so the pair is encoded in it.
      c.pages(
        'ListObjectVersions',
        (token) => {
          const [KeyMarker, VersionIdMarker] = token ? (JSON.parse(token) as [string, string | undefined]) : [];
          return client.send(new ListObjectVersionsCommand({ Bucket: bucket, ...(prefix ? { Prefix: prefix } : {}), ...maxKeys, KeyMarker, VersionIdMarker }));
        },
        (p) => [
          ...(p.Versions ?? []).map((v): ObjectVersionInfo => ({
            key: v.Key ?? '',
            versionId: v.VersionId ?? 'null',
            isDeleteMarker: false,
            isLatest: v.IsLatest === true,
            size: v.Size ?? 0,
            ...(v.LastModified ? { lastModified: v.LastModified } : {}),
          })),
          ...(p.DeleteMarkers ?? []).map((m): ObjectVersionInfo => ({
            key: m.Key ?? '',
            versionId: m.VersionId ?? 'null',
            isDeleteMarker: true,
            isLatest: m.IsLatest === true,
            ...(m.LastModified ? { lastModified: m.LastModified } : {}),
          })),
        ],
        (p) => (p.IsTruncated ? JSON.stringify([p.NextKeyMarker ?? '', p.NextVersionIdMarker]) : undefined),
      ),

    async copyObject(bucket, key, source, options) {
      const out = await c.run('CopyObject', () =>
        client.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: key,
            CopySource: copySourceHeader(source),
            ...(options?.ifMatch ? { CopySourceIfMatch: options.ifMatch } : {}),
            ...(options?.metadata ? { MetadataDirective: 'REPLACE', Metadata: options.metadata } : {}),
          }),
        ),
      );
      return { etag: out.CopyObjectResult?.ETag ?? '', ...(out.VersionId ? { versionId: out.VersionId } : {}) };
    },

    async deleteObject(bucket, key, options) {
      await c.remove('DeleteObject', () =>
        client.send(
          new DeleteObjectCommand({
            Bucket: bucket,
            Key: key,
            ...(options?.versionId ? { VersionId: options.versionId } : {}),
            ...(options?.ifMatch ? { IfMatch: options.ifMatch } : {}),
          }),
        ),
      );
    },

    async deleteObjects(bucket, objects) {
      let deleted = 0;
      const errors: Array<{ key: string; versionId?: string; code: string; message: string }> = [];
      for (let i = 0; i < objects.length; i += DELETE_BATCH) {
        const batch = objects.slice(i, i + DELETE_BATCH);
        const out = await c.read('DeleteObjects', () =>
          client.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              // Quiet: the answer lists only failures; everything else in the batch was deleted (or already gone).
              Delete: { Quiet: true, Objects: batch.map((o) => ({ Key: o.key, ...(o.versionId ? { VersionId: o.versionId } : {}) })) },
            }),
          ),
        );
        if (out === undefined) return { deleted, errors }; // the bucket is gone, and every object with it
        const failed = (out.Errors ?? []).map((e) => ({
          key: e.Key ?? '',
          ...(e.VersionId ? { versionId: e.VersionId } : {}),
          code: e.Code ?? 'Unknown',
          message: e.Message ?? '',
        }));
        errors.push(...failed);
        deleted += batch.length - failed.length;
      }
      return { deleted, errors };
    },
  };
}
