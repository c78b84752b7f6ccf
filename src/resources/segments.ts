import { ARTIFACT_FILES } from '../data/artifacts.js';
import { inputsHashOf, jobName, personalizeArn, prefixOf, s3Uri, tagsFor } from './naming.js';
import { createRecorded, observed, recordExisting, waitActive } from './lifecycle.js';
import { artifactSha } from './prepare.js';
import { objectKeys } from './upload.js';
import { roleArnOf } from './import-job.js';
import { findVersionByInputs, ourSolutionVersions } from './training.js';
import { segmentFilterArn, segmentFilterInputs } from './filter.js';
import type { Observation, StepContext, StepDefinition } from './types.js';
import type { Spec } from '../spec/types.js';

export async function describeSegmentJob(ctx: StepContext, arn: string): Promise<Observation> {
  const j = await ctx.aws.personalize.describeBatchSegmentJob(arn);
  return observed(j, j ? { outputPath: j.outputPath ?? null, numResults: j.numResults ?? null, solutionVersionArn: j.solutionVersionArn ?? null } : undefined);
}

/**
 * A job found by its name is this run's job only if it was made from the solution version this run uses and its
 * output is still there: jobs cannot be deleted, so after a destroy (or a retraining) an old job keeps the name
 * while its version and output are gone. Returns why it is not, or undefined when it is.
 */
async function notThisRunsJob(ctx: StepContext, job: Observation, name: string, solutionVersionArn: string | undefined): Promise<string | undefined> {
  if (!job.exists || job.phase !== 'active') return undefined;
  const made = job.details?.['solutionVersionArn'];
  if (typeof made === 'string') {
    if (solutionVersionArn && made !== solutionVersionArn) return `the job named ${name} was made from another training (${made.split('/').slice(-2).join('/')})`;
    if (!solutionVersionArn && !(await ctx.aws.personalize.describeSolutionVersion(made))) return `the job named ${name} was made from a training that no longer exists`;
  }
  const bucket = ctx.spec.storage.bucket;
  const prefix = jobOutputPrefix(ctx.spec, job, name);
  if (prefix === undefined) return `the output of the job named ${name} is in another bucket (${String(job.details?.['outputPath'])})`;
  if ((await ctx.aws.s3.headBucket(bucket)) !== 'owned' || !(await ctx.aws.s3.listObjects(bucket, prefix)).some((o) => o.key.endsWith('.out'))) {
    return `the output of the job named ${name} (s3://${bucket}/${prefix}) is gone`;
  }
  return undefined;
}

/**
 * Where the job wrote its output in the pipeline's bucket: its own outputPath (a job made before storage.prefix
 * changed wrote under the old prefix, and its segments are as good: no second job is paid for), else where this
 * spec puts it; undefined when it wrote to another bucket.
 */
function jobOutputPrefix(spec: Spec, job: Observation, name: string): string | undefined {
  const path = job.details?.['outputPath'];
  const m = typeof path === 'string' ? /^s3:\/\/([^/]+)\/(.*)$/.exec(path) : null;
  if (!m) return outputPrefix(spec, name);
  return m[1] === spec.storage.bucket ? m[2] : undefined;
}

/** Where a job writes: its own folder under <prefix>output/, the only place the role may write. */
/** Batch segment job names: `<pipeline>-seg-<hash>[-<attempt>]`. */
export const SEGMENT_ROLE = 'seg';

export function outputPrefix(spec: Spec, job: string): string {
  return `${prefixOf(spec)}output/${job}/`;
}

/**
 * The batch segment job. Its name hashes the trained model's inputs, numResults (resolved from the prepared
 * data: stats.json k) and the query file, so a changed numResults re-runs only this and what follows.
 */
export const segmentsStep: StepDefinition = {
  id: 'segments',
  kind: 'segments',
  title: 'batch segment job',
  deps: ['training', 'upload', 'role'],
  invalidatedBy: ['training'],
  costly: true,
  job: true,
  desired({ spec, prepared, upstream, record, has }) {
    const inputs = {
      training: upstream('training').inputsHash,
      numResults: prepared.stats.k,
      queries: artifactSha(prepared, ARTIFACT_FILES.batchInput),
      ...segmentFilterInputs({ has, upstream }),
    };
    const inputsHash = inputsHashOf(inputs);
    const attempt = record?.inputsHash === inputsHash ? (record.attempt ?? 1) : 1;
    return { name: jobName(spec, SEGMENT_ROLE, inputsHash, attempt), inputs, inputsHash };
  },
  async observe(ctx, desired) {
    const seen = await describeSegmentJob(ctx, personalizeArn(ctx.env, 'batch-segment-job', desired.name));
    // The version this run will use: the recorded one, or (inputs changed, e.g. back to earlier ones) the one the
    // training step adopts by its inputs tag, as apply will compare against it.
    const training = ctx.state.step('training');
    const want = ctx.desired('training').inputsHash;
    const version = training?.phase === 'done' && training.inputsHash === want ? training.arn : seen.exists ? (await findVersionByInputs(ctx, want)).arn : undefined;
    const why = await notThisRunsJob(ctx, seen, desired.name, version);
    // Not this run's: a new job runs under the next name (shown as drift, so the plan says why).
    return why ? { ...seen, drift: [why] } : seen;
  },
  async apply(ctx, desired, record) {
    let attempt = record?.inputsHash === desired.inputsHash ? (record.attempt ?? 1) : 1;
    let name = desired.name;
    let arn = personalizeArn(ctx.env, 'batch-segment-job', name);
    const svArn = ctx.state.step('training')?.arn;
    if (!svArn) throw new Error('segments: no trained solution version recorded');
    let seen = await describeSegmentJob(ctx, arn);
    // A failed attempt, or a job of another training or without output, keeps its name forever: use the next one.
    while (seen.exists && (seen.phase === 'failed' || (await notThisRunsJob(ctx, seen, name, svArn)))) {
      attempt += 1;
      name = jobName(ctx.spec, SEGMENT_ROLE, desired.inputsHash, attempt);
      arn = personalizeArn(ctx.env, 'batch-segment-job', name);
      seen = await describeSegmentJob(ctx, arn);
    }
    let adopted = seen.exists;
    if (!seen.exists) {
      const bucket = ctx.spec.storage.bucket;
      const filterArn = segmentFilterArn(ctx);
      adopted = (
        await createRecorded(
          ctx,
          'segments',
          { ...desired, name },
          () =>
            ctx.aws.personalize.createBatchSegmentJob({
              name,
              solutionVersionArn: svArn,
              numResults: Number(desired.inputs['numResults']),
              inputPath: s3Uri(bucket, objectKeys(ctx.spec)[ARTIFACT_FILES.batchInput]!),
              outputPath: s3Uri(bucket, outputPrefix(ctx.spec, name)),
              roleArn: roleArnOf(ctx),
              ...(filterArn ? { filterArn } : {}),
              tags: tagsFor(ctx.spec, 'segments'),
            }),
          attempt,
        )
      ).adopted;
    } else {
      await recordExisting(ctx, 'segments', { ...desired, name }, arn, attempt);
    }
    const final = await waitActive(ctx, 'segments', name, () => describeSegmentJob(ctx, arn));
    const written = jobOutputPrefix(ctx.spec, final, name) ?? outputPrefix(ctx.spec, name);
    await ctx.state.patchStep('segments', { phase: 'done', arn, outputs: { outputPrefix: written, numResults: desired.inputs['numResults'] } });
    return { arn, adopted };
  },
  status(ctx, record) {
    return record.arn ? describeSegmentJob(ctx, record.arn) : Promise.resolve(undefined);
  },
  /** Batch segment jobs cannot be deleted: destroy lists those of the pipeline's solution versions. */
  async destroy(ctx) {
    const undeletable: string[] = [];
    for (const v of await ourSolutionVersions(ctx)) {
      for (const j of await ctx.aws.personalize.listBatchSegmentJobs({ solutionVersionArn: v.arn })) undeletable.push(`batch segment job ${j.name} (${j.status})`);
    }
    return { undeletable };
  },
};
