import { isAwsError } from '../aws/errors.js';
import { attemptOf, earlierJob, usableAttempt } from './earlier-job.js';
import type { Segmentation, Spec } from '../spec/types.js';
import { pollUntil } from '../util/backoff.js';
import { SegflowError } from '../util/errors.js';
import { inputsHashOf, jobName, personalizeArn, prefixOf, s3Uri } from './naming.js';
import { observed } from './lifecycle.js';
import { createOrAdopt } from './create-or-adopt.js';
import { artifactSha } from './prepare.js';
import { roleArnOf } from './import-job.js';
import { findVersionByInputs, ourSolutionVersions } from './training.js';
import { segmentFilterArn, segmentFilterInputs } from './filter.js';
import { batchObjectKey, segmentationLayout } from './layout.js';
import { destroyOnce } from './lifecycle.js';
import { modelSteps, type Model, type SegmentationSteps } from './segmentation-ids.js';
import type { DestroyContext, DestroyReport, Observation, StepContext, StepDefinition } from './types.js';

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
    if (solutionVersionArn && made !== solutionVersionArn)
      return `the job named ${name} was made from another training (${made.split('/').slice(-2).join('/')})`;
    if (!solutionVersionArn && !(await ctx.aws.personalize.describeSolutionVersion(made)))
      return `the job named ${name} was made from a training that no longer exists`;
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

/** How long a job waits for one of the region's 5 in-flight batch segment job slots before giving up. */
const SLOT_WAIT_MS = 6 * 3600_000;

/** Batch segment jobs cannot be deleted: destroy lists those of the pipeline's solution versions (once). */
function listUndeletableJobs(ctx: DestroyContext): Promise<Partial<DestroyReport>> {
  return destroyOnce(ctx, 'segment-jobs', async () => {
    const undeletable: string[] = [];
    for (const v of await ourSolutionVersions(ctx)) {
      for (const j of await ctx.aws.personalize.listBatchSegmentJobs({ solutionVersionArn: v.arn }))
        undeletable.push(`batch segment job ${j.name} (${j.status})`);
    }
    return { undeletable };
  });
}

/**
 * One batch segment job: chunk `chunk` (1-based) of a segmentation's queries. Its name hashes the trained model's
 * inputs, numResults (resolved from the prepared data), the chunk's query file and the filter, so a changed
 * numResults re-runs only the jobs and what follows, and adding items at the end of a list re-runs only the last
 * chunk. Chunks run one after another (each waits for the one before): a kill between jobs never re-runs a
 * finished one, and a segmentation holds one of the region's 5 job slots at a time.
 */
export function segmentsStep(seg: Segmentation, model: Model, ids: SegmentationSteps, chunk: number): StepDefinition {
  const id = ids.segments[chunk - 1]!;
  const training = modelSteps(model).training;
  const chunks = ids.segments.length;
  return {
    id,
    kind: 'segments',
    title: `batch segment job${seg.primary ? '' : ` (${seg.name})`}${chunks > 1 ? ` ${chunk} of ${chunks}` : ''}`,
    deps: [training, 'upload', 'role', ...(ids.filter ? [ids.filter] : []), ...(chunk > 1 ? [ids.segments[chunk - 2]!] : [])],
    invalidatedBy: [training],
    costly: true,
    job: true,
    desired({ spec, prepared, upstream, record }) {
      const layout = segmentationLayout(spec, prepared, seg);
      const inputs = {
        training: upstream(training).inputsHash,
        numResults: layout.k,
        queries: artifactSha(prepared, layout.files[chunk - 1]!.path),
        ...segmentFilterInputs(ids.filter, { upstream }),
      };
      const inputsHash = inputsHashOf(inputs);
      return { name: jobName(spec, SEGMENT_ROLE, inputsHash, attemptOf(record, inputsHash)), inputs, inputsHash };
    },
    async observe(ctx, desired, record) {
      const seen = await describeSegmentJob(ctx, personalizeArn(ctx.env, 'batch-segment-job', desired.name));
      // The version this run will use: the recorded one, or (inputs changed, e.g. back to earlier ones) the one the
      // training step adopts by its inputs tag, as apply will compare against it.
      const trained = ctx.state.step(training);
      const want = ctx.desired(training).inputsHash;
      const version =
        trained?.phase === 'done' && trained.inputsHash === want ? trained.arn : seen.exists ? (await findVersionByInputs(ctx, model, want)).arn : undefined;
      const why = await notThisRunsJob(ctx, seen, desired.name, version);
      // Not this run's: a new job runs under the next name (drift when the state knew it, else a plain run).
      return why ? earlierJob(seen, why, desired.name, record) : seen;
    },
    async apply(ctx, desired, record) {
      const arnOf = (name: string) => personalizeArn(ctx.env, 'batch-segment-job', name);
      const svArn = ctx.state.step(training)?.arn;
      if (!svArn) throw new Error(`${id}: no trained solution version recorded`);
      // A job of another training or without output, like a failed one, keeps its name forever: the next one is used.
      const { attempt, name, seen } = await usableAttempt(
        { attempt: attemptOf(record, desired.inputsHash), name: desired.name },
        {
          nameOf: (next) => jobName(ctx.spec, SEGMENT_ROLE, desired.inputsHash, next),
          read: (name) => describeSegmentJob(ctx, arnOf(name)),
          passOver: (job, name) => notThisRunsJob(ctx, job, name, svArn),
        },
      );
      const layout = segmentationLayout(ctx.spec, ctx.prepared!, seg);
      const bucket = ctx.spec.storage.bucket;
      const filterArn = segmentFilterArn(ctx, ids.filter);
      return createOrAdopt(ctx, id, { ...desired, name }, seen, {
        attempt,
        arn: arnOf(name),
        describe: describeSegmentJob,
        // The region runs 5 batch segment jobs at once: a create waits for a free slot.
        create: ({ tags }) =>
          whenSlotFree(ctx, id, () =>
            ctx.aws.personalize.createBatchSegmentJob({
              name,
              solutionVersionArn: svArn,
              numResults: Number(desired.inputs['numResults']),
              inputPath: s3Uri(bucket, batchObjectKey(ctx.spec, layout.files[chunk - 1]!.path)),
              outputPath: s3Uri(bucket, outputPrefix(ctx.spec, name)),
              roleArn: roleArnOf(ctx),
              ...(filterArn ? { filterArn } : {}),
              tags,
            }),
          ),
        outputs: (final) => ({
          outputPrefix: jobOutputPrefix(ctx.spec, final, name) ?? outputPrefix(ctx.spec, name),
          numResults: desired.inputs['numResults'],
          queries: layout.files[chunk - 1]!.queries,
          users: ctx.prepared!.stats.trainUsers,
        }),
      });
    },
    status(ctx, record) {
      return record.arn ? describeSegmentJob(ctx, record.arn) : Promise.resolve(undefined);
    },
    destroy: listUndeletableJobs,
    billable({ spec, prepared }) {
      const layout = segmentationLayout(spec, prepared, seg);
      return { segments: { users: prepared.stats.trainUsers, queries: layout.files[chunk - 1]!.queries, jobs: 1 } };
    },
    billed({ record }) {
      const o = record.outputs ?? {};
      return typeof o['users'] === 'number' && typeof o['queries'] === 'number' ? { segments: { users: o['users'], queries: o['queries'], jobs: 1 } } : {};
    },
  };
}

/**
 * Personalize runs at most 5 batch segment jobs per region at once (LimitExceededException "More than 5 resources
 * with PENDING or IN_PROGRESS status", limits.html). Other pipelines may hold the slots: wait for one, polling,
 * instead of failing a run whose training was paid for.
 */
async function whenSlotFree(ctx: StepContext, id: string, create: () => Promise<string | undefined>): Promise<string | undefined> {
  let result: string | undefined;
  const started = Date.now();
  await pollUntil(
    async () => {
      try {
        result = await create();
        return true;
      } catch (e) {
        if (!isAwsError(e, 'limit-exceeded')) throw e;
        if (Date.now() - started > SLOT_WAIT_MS) {
          throw new SegflowError('RUN_WAIT_TIMEOUT', `${id}: no batch segment job slot became free in ${SLOT_WAIT_MS / 3600_000} h (${e.message})`);
        }
        ctx.progress(id, { message: 'waiting for a batch segment job slot (Personalize runs 5 per region at once)' });
        return false;
      }
    },
    (done) => done,
    { initialMs: Math.max(ctx.pollInitialMs, 1000), maxMs: ctx.pollMaxMs, signal: ctx.signal },
  );
  return result;
}
