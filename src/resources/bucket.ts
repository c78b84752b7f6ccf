import { isAwsError } from '../aws/errors.js';
import { SegflowError } from '../util/errors.js';
import type { StepRecord } from '../state/types.js';
import type { DestroyContext, StepContext, StepDefinition } from './types.js';
import { TAG_PIPELINE, bucketArn, inputsHashOf, prefixOf, tagsFor } from './naming.js';
import { awsFailure } from './failures.js';
import { mergePolicy, parsePolicy, segflowStatements, statementDrift, withoutOurs } from './bucket-policy.js';
import { abortOurUploads, deleteOurObjects, remainingObjects } from './bucket-objects.js';

/**
 * The S3 bucket. A bucket segflow creates is configured fully (public access blocked, default encryption, tags,
 * policy). A bucket that already existed (the user's, or shared with other pipelines) is adopted: segflow only
 * adds its own labelled statements to its policy and leaves everything else (other statements, encryption,
 * access block, tags, other people's objects) as it is. destroy removes segflow's objects and statements, and
 * the bucket only if segflow created it and nothing else is left in it.
 */
async function bucketAccess(ctx: StepContext, bucket: string) {
  const access = await ctx.aws.s3.headBucket(bucket);
  if (access === 'forbidden') throw foreign(bucket);
  return access;
}

function foreign(bucket: string): SegflowError {
  return new SegflowError('PLAN_BUCKET_FORBIDDEN', `storage.bucket ${bucket} exists but this identity may not use it (S3 answers 403 Forbidden)`, [
    'bucket names are global: another account probably owns it; choose another storage.bucket',
  ]);
}

/** Whether segflow created the recorded bucket (records before segflow 0.2 did not say: it always created or took over). */
export function createdBySegflow(record: StepRecord | undefined, bucket: string): boolean {
  if (!record || record.name !== bucket) return false;
  const created = record.outputs?.['created'];
  return created === undefined ? true : created === true;
}

/**
 * The same, for a bucket that exists: the record says, and without one (a lost state) the tags do, since segflow
 * tags only the buckets it creates (segflow:pipeline=<name>).
 */
async function madeBySegflow(ctx: StepContext, bucket: string, record: StepRecord | undefined): Promise<boolean> {
  if (record?.name === bucket) return createdBySegflow(record, bucket);
  const tags = await ctx.aws.s3.getBucketTagging(bucket).catch(() => undefined);
  return tags?.[TAG_PIPELINE] === ctx.spec.name;
}

/**
 * What differs in the configuration segflow keeps on a bucket it created, key by key ("lifecycle: (none) -> ..."
 * for a bucket made before segflow added its lifecycle rule): the plan's reason for the update.
 */
function configurationChanges(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const show = (v: unknown) => (v === undefined || v === null ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return keys.length ? keys.map((k) => `bucket ${k}: ${show(before[k])} -> ${show(after[k])}`) : ['bucket configuration changed'];
}

export const bucketStep: StepDefinition = {
  id: 'bucket',
  kind: 'bucket',
  title: 'S3 bucket',
  deps: [],
  desired({ spec, env }) {
    // What decides the configuration; whether segflow created the bucket is read at observe and apply.
    const inputs = {
      bucket: spec.storage.bucket,
      prefix: prefixOf(spec),
      kmsKeyArn: spec.storage.kmsKeyArn ?? null,
      account: env.account,
      partition: env.partition,
      lifecycle: `${ABORT_UPLOADS_RULE}:${ABORT_UPLOADS_AFTER_DAYS}d`,
    };
    return { name: spec.storage.bucket, inputs, inputsHash: inputsHashOf(inputs) };
  },
  // S3 replaces a bucket's whole tag set at once: read, change segflow's part, write back. Only on a bucket segflow
  // created: an adopted bucket's tags are its owner's.
  tagging: (ctx, desired, _arn, record) =>
    createdBySegflow(record, desired.name)
      ? {
          read: async () => (await ctx.aws.s3.getBucketTagging(desired.name)) ?? {},
          async write(set, remove, live) {
            const next = { ...live, ...set };
            for (const k of remove) delete next[k];
            await ctx.aws.s3.putBucketTagging(desired.name, next);
          },
        }
      : undefined,
  async observe(ctx, desired, record) {
    if ((await bucketAccess(ctx, desired.name)) === 'absent') return { exists: false };
    // The policy is the part other people also write: read it, and say when segflow's statements are missing.
    const live = parsePolicy(await ctx.aws.s3.getBucketPolicy(desired.name));
    const drift = statementDrift(live, segflowStatements(ctx.spec, ctx.env, await madeBySegflow(ctx, desired.name, record)), ctx.spec);
    if (createdBySegflow(record, desired.name) && record?.inputsHash && record.inputsHash !== desired.inputsHash)
      drift.push(...configurationChanges(record.inputs ?? {}, desired.inputs));
    return {
      exists: true,
      name: desired.name,
      arn: bucketArn(ctx.env, desired.name),
      phase: 'active',
      status: 'exists',
      ...(drift.length ? { drift: drift.map((d) => `${d} (updated in place)`), updatable: true } : {}),
    };
  },
  async apply(ctx, desired, record) {
    const { aws, spec } = ctx;
    const bucket = desired.name;
    const arn = bucketArn(ctx.env, bucket);
    if (record?.name && record.name !== bucket) {
      // storage.bucket changed: the old bucket is no longer used, but destroy must still clean it up.
      const old = bucketArn(ctx.env, record.name);
      const wasCreated = createdBySegflow(record, record.name);
      await ctx.state.update((s) => {
        s.orphans = [...(s.orphans ?? []).filter((o) => o.arn !== old), { kind: 'bucket', arn: old, name: record.name!, created: wasCreated }];
      });
    }
    const exists = (await bucketAccess(ctx, bucket)) === 'owned';
    // Write-ahead: "segflow creates it" is on disk before CreateBucket, so a crash right after is still known as ours.
    let created = exists ? await madeBySegflow(ctx, bucket, record) : true;
    await ctx.state.setStep('bucket', { phase: 'intent', name: bucket, inputsHash: desired.inputsHash, inputs: desired.inputs, outputs: { created } });
    try {
      if (!exists) created = (await aws.s3.createBucket(bucket)) === 'created';
    } catch (e) {
      if (isAwsError(e, 'already-exists')) throw foreign(bucket);
      throw awsFailure('bucket', `creating bucket ${bucket}`, e);
    }
    await ctx.state.patchStep('bucket', { outputs: { created } });
    try {
      if (created) await configureOwnBucket(ctx, bucket);
      const live = parsePolicy(await aws.s3.getBucketPolicy(bucket));
      const merged = mergePolicy(live, segflowStatements(spec, ctx.env, created), spec, { legacy: created });
      await aws.s3.putBucketPolicy(bucket, JSON.stringify(merged));
    } catch (e) {
      throw awsFailure('bucket', `configuring bucket ${bucket}`, e);
    }
    await ctx.state.patchStep('bucket', { phase: 'done', arn });
    return { arn, adopted: !created, ...(created ? {} : { note: "adopted: only segflow's own policy statements were added" }) };
  },
  async status(ctx, record) {
    if (!record.name) return undefined;
    return (await ctx.aws.s3.headBucket(record.name)) === 'owned' ? { exists: true, status: 'exists', phase: 'active' } : { exists: false };
  },
  async destroy(ctx) {
    const { spec } = ctx;
    const record = ctx.state.step('bucket');
    const buckets = [
      ...(ctx.state.current.orphans ?? [])
        .filter((o) => o.kind === 'bucket' && o.name && o.name !== spec.storage.bucket)
        .map((o) => ({ name: o.name!, created: o.created !== false })),
      {
        name: spec.storage.bucket,
        created: (await ctx.aws.s3.headBucket(spec.storage.bucket)) === 'owned' && (await madeBySegflow(ctx, spec.storage.bucket, record)),
      },
    ];
    if (ctx.keepData) {
      return {
        kept: buckets.map((b) => `bucket s3://${b.name} and its objects (--keep-data)`),
        stillBilling: [`S3 storage of s3://${spec.storage.bucket} (kept with --keep-data)`],
        keepRecord: true,
      };
    }
    const report = { deleted: [] as string[], kept: [] as string[] };
    for (const b of buckets) await cleanUp(ctx, b.name, b.created, report);
    return report;
  },
};

/** Public access blocked, default encryption and tags: only on a bucket segflow created. */
async function configureOwnBucket(ctx: StepContext, bucket: string): Promise<void> {
  const { aws, spec } = ctx;
  await aws.s3.putPublicAccessBlock(bucket, { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true });
  await aws.s3.putBucketEncryption(
    bucket,
    spec.storage.kmsKeyArn
      ? { algorithm: 'aws:kms', kmsKeyArn: spec.storage.kmsKeyArn, bucketKeyEnabled: true }
      : { algorithm: 'AES256', bucketKeyEnabled: false },
  );
  // Tags others added to the bucket since stay; spec tags the spec dropped are removed afterwards (resources/tags.ts).
  const live = (await aws.s3.getBucketTagging(bucket)) ?? {};
  await aws.s3.putBucketTagging(bucket, { ...live, ...tagsFor(spec, 'bucket') });
  // Parts of an upload that never completed are billed and invisible: S3 removes them after a week. A lifecycle
  // configuration someone else put on the bucket is theirs (S3 would replace it whole): left as it is.
  if ((await aws.s3.getBucketLifecycleRuleIds(bucket)) === undefined) {
    await aws.s3.putBucketLifecycle(bucket, [{ id: ABORT_UPLOADS_RULE, prefix: '', abortIncompleteUploadsAfterDays: ABORT_UPLOADS_AFTER_DAYS }]);
  }
}

/** The lifecycle rule on buckets segflow creates (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpu-abort-incomplete-mpu-lifecycle-config.html). */
export const ABORT_UPLOADS_RULE = 'segflow-abort-incomplete-multipart-uploads';
export const ABORT_UPLOADS_AFTER_DAYS = 7;

/** Removes segflow's objects (every version) and statements; the bucket too when segflow made it and it is empty. */
async function cleanUp(ctx: DestroyContext, bucket: string, created: boolean, report: { deleted: string[]; kept: string[] }): Promise<void> {
  const { aws, spec } = ctx;
  if ((await aws.s3.headBucket(bucket)) !== 'owned') return;
  ctx.progress('bucket', { message: `removing segflow's objects from s3://${bucket}` });
  try {
    const aborted = await abortOurUploads(ctx, bucket);
    if (aborted > 0) report.deleted.push(`${aborted} incomplete multipart upload(s) under s3://${bucket}/${prefixOf(spec)}`);
    const removed = await deleteOurObjects(ctx, bucket);
    if (removed > 0) report.deleted.push(`${removed} object version(s) segflow wrote in s3://${bucket}/${prefixOf(spec)}`);
    const others = await remainingObjects(aws.s3, bucket);
    if (created && others === 0) {
      await aws.s3.deleteBucket(bucket);
      report.deleted.push(`bucket ${bucket}`);
      return;
    }
    const rest = withoutOurs(parsePolicy(await aws.s3.getBucketPolicy(bucket)), spec, { legacy: created });
    if (rest) await aws.s3.putBucketPolicy(bucket, JSON.stringify(rest));
    else await aws.s3.deleteBucketPolicy(bucket);
    report.kept.push(
      created
        ? `bucket ${bucket}: it holds ${others} object version(s) segflow did not write (segflow's statements removed)`
        : `bucket ${bucket}: it was not created by segflow (segflow's objects and policy statements removed)`,
    );
  } catch (e) {
    throw awsFailure('bucket', `cleaning up bucket ${bucket}`, e);
  }
}
