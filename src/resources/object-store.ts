import type { S3Port } from '../aws/ports.js';
import { isAwsError } from '../aws/errors.js';
import { bareEtag, type ObjectStore } from '../data/object-store.js';
import { inputError, SegflowError } from '../util/errors.js';

/**
 * The ObjectStore src/data reads s3:// sources through, on the command's own S3 port: the local target reads the
 * emulator's S3, aws the account's. Failures become data errors naming the bucket and key.
 */
export function objectStoreOf(s3: S3Port, label: string): ObjectStore {
  return {
    async list(bucket, prefix, opts) {
      const objects = await s3.listObjects(bucket, prefix, opts).catch((e: unknown) => Promise.reject(sourceError(e, bucket, `${prefix}*`, 'list', label)));
      return objects.map((o) => ({ key: o.key, etag: bareEtag(o.etag), size: o.size })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async head(bucket, key, opts) {
      // A missing key or bucket both read as "absent"; the caller names the URL.
      const o = await s3.headObject(bucket, key, opts).catch((e: unknown) => Promise.reject(sourceError(e, bucket, key, 'read', label)));
      return o ? { etag: bareEtag(o.etag), size: o.size } : 'absent';
    },
    async download(bucket, key, destFile, opts) {
      const pinned = opts?.etag ? { ifMatch: `"${opts.etag}"` } : {};
      const o = await s3.downloadObject(bucket, key, destFile, { ...pinned, ...(opts?.requesterPays ? { requesterPays: true } : {}) }).catch((e: unknown) => {
        if (isAwsError(e, 'precondition-failed')) {
          return Promise.reject(
            new SegflowError(
              'DATA_SOURCE_CHANGED',
              `s3://${bucket}/${key} changed while segflow read it: it was listed with ETag ${opts?.etag ?? '?'} and is now another object (on ${label})`,
              ['run the command again: it reads the sources afresh (a source that is still being written should be complete first)'],
            ),
          );
        }
        return Promise.reject(sourceError(e, bucket, key, 'download', label));
      });
      if (!o) throw inputError('DATA_SOURCE_MISSING', `cannot download s3://${bucket}/${key}: no such object (on ${label})`);
    },
  };
}

function sourceError(e: unknown, bucket: string, key: string, verb: string, label: string): Error {
  if (!isAwsError(e)) return e instanceof Error ? e : new Error(String(e));
  const url = `s3://${bucket}/${key}`;
  if (e.kind === 'access-denied') {
    return inputError('DATA_SOURCE_ACCESS', `cannot ${verb} ${url}: access denied (bucket ${bucket}, key ${key}, on ${label})`, [
      `grant s3:GetObject on the key and s3:ListBucket on bucket ${bucket} to the credentials segflow runs with`,
      `if ${bucket} is a Requester Pays bucket, say so on the source: requesterPays: true (S3 refuses others' reads that do not)`,
    ]);
  }
  if (e.code === 'NoSuchBucket') return inputError('DATA_SOURCE_MISSING', `cannot ${verb} ${url}: bucket ${bucket} does not exist (on ${label})`);
  if (e.kind === 'not-found') return inputError('DATA_SOURCE_MISSING', `cannot ${verb} ${url}: no such object (on ${label})`);
  return new SegflowError('DATA_SOURCE_READ', `cannot ${verb} ${url}: ${e.code}: ${e.awsMessage}`);
}
