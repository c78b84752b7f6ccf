import { createHash } from 'node:crypto';
import type { Emu } from '../context.js';
import { partitionOf } from '../partitions.js';
import type { EmulatorState, S3Bucket, S3ObjectMeta } from '../store/state.js';
import { historyBlobs, putVersion } from './versions.js';

/** The S3 data model shared by the REST handlers and by Personalize jobs (which read input and write output). */
export function buckets(emu: Emu): Record<string, S3Bucket> {
  return emu.store.state.s3.buckets;
}

/**
 * Bucket names are one namespace per partition, shared by all accounts: "each bucket name must be unique across all
 * Amazon Web Services accounts in all the Amazon Web Services Regions within a partition" (botocore s3 CreateBucket).
 * The state keys buckets by partition and name ('/' cannot occur in a bucket name).
 */
export function bucketKey(partition: string, name: string): string {
  return `${partition}/${name}`;
}

export function partitionOfBucket(b: S3Bucket): string {
  return partitionOf(b.region);
}

export function getBucket(emu: Emu, partition: string, name: string): S3Bucket | undefined {
  const key = bucketKey(partition, name);
  return Object.prototype.hasOwnProperty.call(buckets(emu), key) ? buckets(emu)[key] : undefined;
}

/** Whether `b` is still the stored bucket (not deleted, nor deleted and created again, while a request waited). */
export function stillStored(emu: Emu, b: S3Bucket): boolean {
  return getBucket(emu, partitionOfBucket(b), b.name) === b;
}

export function getObject(bucket: S3Bucket, key: string): S3ObjectMeta | undefined {
  return Object.prototype.hasOwnProperty.call(bucket.objects, key) ? bucket.objects[key] : undefined;
}

export function sortedKeys(bucket: S3Bucket, prefix = ''): string[] {
  return Object.keys(bucket.objects)
    .filter((k) => k.startsWith(prefix))
    .sort(compareKeys);
}

/** S3 lists keys in UTF-8 binary order. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The encryption a new object gets from its bucket's default (SSE-S3 since 2023, or the configured KMS key). */
export function defaultSse(bucket: S3Bucket): { algorithm: string; kmsKeyId?: string } {
  const e = bucket.encryption;
  return e ? { algorithm: e.algorithm, ...(e.kmsKeyId ? { kmsKeyId: e.kmsKeyId } : {}) } : { algorithm: 'AES256' };
}

/** Writes a whole object from memory (Personalize job output), as a new version when the bucket is versioned. */
export async function writeObject(emu: Emu, bucket: S3Bucket, key: string, data: Buffer, contentType: string): Promise<void> {
  const blob = await emu.blobs.write(data);
  const freed = putVersion(bucket, key, {
    blob,
    size: data.length,
    etag: `"${createHash('md5').update(data).digest('hex')}"`,
    lastModified: Date.now(),
    contentType,
    metadata: {},
    checksums: {},
    sse: defaultSse(bucket),
  });
  await emu.store.commit();
  for (const b of freed) await emu.blobs.remove(b);
}

export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/s.exec(uri);
  if (!m) return undefined;
  return { bucket: m[1]!, key: m[2]! };
}

/** Every blob the S3 state refers to (for sweeping orphans after a crash). */
export function s3Blobs(state: EmulatorState): string[] {
  const out: string[] = [];
  for (const b of Object.values(state.s3.buckets)) {
    for (const o of Object.values(b.objects)) out.push(o.blob);
    out.push(...historyBlobs(b));
    for (const u of Object.values(b.uploads)) for (const p of Object.values(u.parts)) out.push(p.blob);
  }
  return out;
}
