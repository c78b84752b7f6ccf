import { posix } from 'node:path';
import type { Emu } from '../context.js';
import { getBucket, getObject, parseS3Uri, sortedKeys } from '../s3/s3-model.js';
import type { S3Bucket } from '../store/state.js';
import type { S3Use } from './job-access.js';

/** Where Personalize jobs read and write in the emulated S3, and the S3 actions that takes (see job-access.ts). */
export interface S3InputFile {
  bucket: S3Bucket;
  key: string;
  uri: string;
}

/**
 * A data location names one object or a folder: `s3://b/file.csv`, or `s3://b/folder/` (every object under it).
 * As on AWS, a prefix without a trailing '/' also matches `folderName_test/...`. Bucket names are looked up in the
 * job's partition (whoever owns the bucket: the policies decide whether the job may use it).
 */
export function resolveInput(emu: Emu, partition: string, location: string): { ok: true; files: S3InputFile[] } | { ok: false; reason: string } {
  const parsed = parseS3Uri(location);
  if (!parsed) return { ok: false, reason: `The data location ${location} is not an s3:// URI.` };
  const bucket = getBucket(emu, partition, parsed.bucket);
  if (!bucket) return { ok: false, reason: `The S3 bucket ${parsed.bucket} of ${location} does not exist.` };
  const exact = parsed.key !== '' && !parsed.key.endsWith('/') ? getObject(bucket, parsed.key) : undefined;
  const keys = exact ? [parsed.key] : sortedKeys(bucket, parsed.key).filter((k) => !k.endsWith('/') && bucket.objects[k]!.size > 0);
  if (keys.length === 0) return { ok: false, reason: `No data was found at ${location}. Check that the object or folder exists.` };
  return { ok: true, files: keys.map((key) => ({ bucket, key, uri: `s3://${bucket.name}/${key}` })) };
}

/** Reading a location: listing the bucket under its key, then getting each object (with the key it is encrypted with). */
export function inputUses(emu: Emu, partition: string, location: string): S3Use[] {
  const parsed = parseS3Uri(location);
  const bucket = parsed && getBucket(emu, partition, parsed.bucket);
  if (!parsed || !bucket) return [];
  const input = resolveInput(emu, partition, location);
  const files = input.ok ? input.files : [];
  return [
    { bucket, action: 's3:ListBucket', key: parsed.key },
    ...files.map((f): S3Use => ({ bucket, action: 's3:GetObject', key: f.key, ...kmsOf(getObject(bucket, f.key)?.sse) })),
  ];
}

function kmsOf(sse: { algorithm: string; kmsKeyId?: string } | undefined): { kmsKeyId?: string } {
  return sse && sse.algorithm !== 'AES256' && sse.kmsKeyId ? { kmsKeyId: sse.kmsKeyId } : {};
}

/** The output folder of a batch job: `s3://b/out/` (a missing trailing '/' is added). */
export function outputFolder(emu: Emu, partition: string, path: string): { bucket: S3Bucket; prefix: string } | undefined {
  const out = parseS3Uri(path);
  const bucket = out && getBucket(emu, partition, out.bucket);
  if (!out || !bucket) return undefined;
  return { bucket, prefix: out.key === '' || out.key.endsWith('/') ? out.key : `${out.key}/` };
}

/** The object a batch job writes for an input file: `<output folder><input file name>.out`. */
export function outputKey(prefix: string, inputKey: string): string {
  return `${prefix}${posix.basename(inputKey)}.out`;
}

/** Writing one output object per input file, encrypted as the output bucket's default says. */
export function outputUses(emu: Emu, partition: string, path: string, inputs: S3Use[]): S3Use[] {
  const out = outputFolder(emu, partition, path);
  if (!out) return [];
  const e = out.bucket.encryption;
  return inputs
    .filter((u) => u.action === 's3:GetObject')
    .map((u) => ({ bucket: out.bucket, action: 's3:PutObject' as const, key: outputKey(out.prefix, u.key), ...kmsOf(e) }));
}
