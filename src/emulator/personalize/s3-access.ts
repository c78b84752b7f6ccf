import type { Emu } from '../context.js';
import { getBucket, getObject, parseS3Uri, sortedKeys } from '../s3/s3-model.js';
import type { S3Bucket } from '../store/state.js';

/**
 * How Personalize jobs reach the emulated S3 through the role they were given. The role must exist in the emulated
 * IAM (its policies are not evaluated: see docs/emulator.md).
 */
export const INSUFFICIENT_PRIVILEGES =
  'Insufficient privileges for accessing data in S3. Please look at https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html and make sure you have the correct permissions.';

export function roleProblem(emu: Emu, roleArn: string | undefined): string | undefined {
  if (!roleArn) return INSUFFICIENT_PRIVILEGES;
  const m = /^arn:[a-z\d-]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!m || m[1] !== emu.opts.accountId) return INSUFFICIENT_PRIVILEGES;
  const role = emu.store.state.iam.roles[m[2]!];
  if (!role || role.arn !== roleArn) return `${INSUFFICIENT_PRIVILEGES} (The role ${roleArn} does not exist.)`;
  return undefined;
}

export interface S3InputFile {
  bucket: S3Bucket;
  key: string;
  uri: string;
}

/**
 * A data location names one object or a folder: `s3://b/file.csv`, or `s3://b/folder/` (every object under it).
 * As on AWS, a prefix without a trailing '/' also matches `folderName_test/...`.
 */
export function resolveInput(emu: Emu, location: string): { ok: true; files: S3InputFile[] } | { ok: false; reason: string } {
  const parsed = parseS3Uri(location);
  if (!parsed) return { ok: false, reason: `The data location ${location} is not an s3:// URI.` };
  const bucket = getBucket(emu, parsed.bucket);
  if (!bucket) return { ok: false, reason: `The S3 bucket ${parsed.bucket} of ${location} does not exist.` };
  const exact = parsed.key !== '' && !parsed.key.endsWith('/') ? getObject(bucket, parsed.key) : undefined;
  const keys = exact ? [parsed.key] : sortedKeys(bucket, parsed.key).filter((k) => !k.endsWith('/') && bucket.objects[k]!.size > 0);
  if (keys.length === 0) return { ok: false, reason: `No data was found at ${location}. Check that the object or folder exists.` };
  return { ok: true, files: keys.map((key) => ({ bucket, key, uri: `s3://${bucket.name}/${key}` })) };
}
