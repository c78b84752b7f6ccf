import type { S3Port } from '../aws/ports.js';
import { SegflowError } from '../util/errors.js';
import { prefixOf } from './naming.js';
import type { DestroyContext } from './types.js';
import { objectKeys } from './upload.js';

/**
 * The objects segflow wrote into a bucket: the prepared files it uploaded (recorded, and where the current spec
 * would put them), the objects any step recorded writing (`outputs.objects`: delivered segments), and the output
 * folders of this pipeline's batch segment jobs. Found with ListObjectVersions, so every version and delete marker
 * goes too (a versioned bucket is never empty while any remains).
 */
async function ourVersions(ctx: DestroyContext, bucket: string): Promise<Array<{ key: string; versionId?: string }>> {
  const recorded = Object.keys(ctx.state.step('upload')?.outputs?.['files'] ?? {});
  const written = Object.values(ctx.state.current.steps).flatMap((r) => (Array.isArray(r.outputs?.['objects']) ? (r.outputs['objects'] as string[]) : []));
  const keys = new Set([...recorded, ...written, ...Object.values(objectKeys(ctx.spec))]);
  // Every prefix this pipeline used: the current one and those its recorded uploads were written under.
  const prefixes = new Set([prefixOf(ctx.spec), ...recorded.map((k) => k.replace(/(input|batch)\/(segmentations\/[^/]+\/)?[^/]*$/, ''))]);
  const out: Array<{ key: string; versionId?: string }> = [];
  const seen = new Set<string>();
  const add = (key: string, versionId: string) => {
    const id = `${key}\u0000${versionId}`;
    if (seen.has(id)) return;
    out.push({ key, versionId });
    seen.add(id);
  };
  for (const key of keys) for (const v of await ctx.aws.s3.listObjectVersions(bucket, key)) if (v.key === key) add(v.key, v.versionId);
  for (const prefix of prefixes) {
    const jobs = `${prefix}output/${ctx.spec.name}-seg-`;
    for (const v of await ctx.aws.s3.listObjectVersions(bucket, jobs)) add(v.key, v.versionId);
  }
  return out;
}

/** Deletes every version of segflow's objects; a key S3 refuses to delete is an error naming it, never a loop. */
export async function deleteOurObjects(ctx: DestroyContext, bucket: string): Promise<number> {
  const versions = await ourVersions(ctx, bucket);
  if (versions.length === 0) return 0;
  const { deleted, errors } = await ctx.aws.s3.deleteObjects(bucket, versions);
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new SegflowError(
      'AWS_CALL_FAILED',
      `bucket: S3 refused to delete ${errors.length} object(s) in s3://${bucket}, e.g. ${first.key}: ${first.code}: ${first.message}`,
      ['fix the cause (a bucket policy Deny, object lock) and run destroy again'],
    );
  }
  return deleted;
}

/** Aborts the multipart uploads left incomplete under the pipeline's prefix (billed, and never listed as objects). */
export async function abortOurUploads(ctx: DestroyContext, bucket: string): Promise<number> {
  const uploads = await ctx.aws.s3.listMultipartUploads(bucket, prefixOf(ctx.spec));
  for (const u of uploads) await ctx.aws.s3.abortMultipartUpload(bucket, u.key, u.uploadId);
  return uploads.length;
}

/** How many object versions (and delete markers) are left in the bucket. */
export async function remainingObjects(s3: S3Port, bucket: string): Promise<number> {
  return (await s3.listObjectVersions(bucket, '')).length;
}
