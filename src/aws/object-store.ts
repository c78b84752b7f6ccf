import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { bareEtag, type ObjectInfo, type ObjectStore } from '../data/object-store.js';
import { inputError, SegflowError } from '../util/errors.js';
import type { AwsClients } from './clients.js';
import { errorMessage, errorName, isNotFound } from './errors.js';

/**
 * The ObjectStore port (src/data/object-store.ts) on the SDK's S3 client: the same client every other step uses,
 * so the local target reads the emulator's S3 and aws reads the account's. Paging and error mapping live here.
 */
export function s3ObjectStore(aws: Pick<AwsClients, 's3' | 'label'>): ObjectStore {
  return {
    async list(bucket, prefix) {
      const out: ObjectInfo[] = [];
      let token: string | undefined;
      do {
        const page = await aws.s3
          .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }))
          .catch((e: unknown) => Promise.reject(mapError(e, bucket, `${prefix}*`, 'list', aws.label)));
        for (const o of page.Contents ?? []) {
          if (o.Key !== undefined) out.push({ key: o.Key, etag: bareEtag(o.ETag), size: o.Size ?? 0 });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async head(bucket, key) {
      try {
        const r = await aws.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { etag: bareEtag(r.ETag), size: r.ContentLength ?? 0 };
      } catch (e) {
        // A 404 on HEAD is a missing key or a missing bucket; both read as "absent" and the caller names the URL.
        if (isNotFound(e)) return 'absent';
        throw mapError(e, bucket, key, 'read', aws.label);
      }
    },
    async download(bucket, key, destFile) {
      try {
        const r = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!r.Body) throw new Error('empty response body');
        await pipeline(r.Body as Readable, createWriteStream(destFile));
      } catch (e) {
        throw mapError(e, bucket, key, 'download', aws.label);
      }
    },
  };
}

function mapError(e: unknown, bucket: string, key: string, verb: string, label: string): SegflowError {
  if (e instanceof SegflowError) return e;
  const name = errorName(e);
  const url = `s3://${bucket}/${key}`;
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (name === 'AccessDenied' || name === 'Forbidden' || name === 'AccessDeniedException' || status === 403) {
    return inputError('DATA_SOURCE_ACCESS', `cannot ${verb} ${url}: access denied (bucket ${bucket}, key ${key}, on ${label})`, [
      `grant s3:GetObject on arn:aws:s3:::${bucket}/${key} and s3:ListBucket on arn:aws:s3:::${bucket} to the credentials segflow runs with`,
    ]);
  }
  if (name === 'NoSuchBucket') return inputError('DATA_SOURCE_MISSING', `cannot ${verb} ${url}: bucket ${bucket} does not exist (on ${label})`);
  if (isNotFound(e)) return inputError('DATA_SOURCE_MISSING', `cannot ${verb} ${url}: no such object (on ${label})`);
  return new SegflowError('DATA_SOURCE_READ', `cannot ${verb} ${url}: ${name}: ${errorMessage(e)}`);
}
