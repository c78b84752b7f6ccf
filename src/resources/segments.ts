import { ARTIFACT_FILES } from '../data/artifacts.js';
import { inputsHashOf, jobName, personalizeArn, prefixOf, s3Uri, tagsFor } from './naming.js';
import { createRecorded, observed, recordExisting, waitActive } from './lifecycle.js';
import { artifactSha } from './prepare.js';
import { objectKeys } from './upload.js';
import { roleArnOf } from './import-job.js';
import { ourSolutionVersions } from './training.js';
import { segmentFilterArn, segmentFilterInputs } from './filter.js';
import type { Observation, StepContext, StepDefinition } from './types.js';
import type { Spec } from '../spec/types.js';

export async function describeSegmentJob(ctx: StepContext, arn: string): Promise<Observation> {
  const j = await ctx.aws.personalize.describeBatchSegmentJob(arn);
  return observed(j, j ? { outputPath: j.outputPath ?? null, numResults: j.numResults ?? null } : undefined);
}

/** Where a job writes: its own folder under <prefix>output/, the only place the role may write. */
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
    return { name: jobName(spec, 'seg', inputsHash, attempt), inputs, inputsHash };
  },
  observe(ctx, desired) {
    return describeSegmentJob(ctx, personalizeArn(ctx.env, 'batch-segment-job', desired.name));
  },
  async apply(ctx, desired, record) {
    let attempt = record?.inputsHash === desired.inputsHash ? (record.attempt ?? 1) : 1;
    let name = desired.name;
    let arn = personalizeArn(ctx.env, 'batch-segment-job', name);
    let seen = await describeSegmentJob(ctx, arn);
    if (seen.exists && seen.phase === 'failed') {
      attempt += 1;
      name = jobName(ctx.spec, 'seg', desired.inputsHash, attempt);
      arn = personalizeArn(ctx.env, 'batch-segment-job', name);
      seen = await describeSegmentJob(ctx, arn);
    }
    const svArn = ctx.state.step('training')?.arn;
    if (!svArn) throw new Error('segments: no trained solution version recorded');
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
    await waitActive(ctx, 'segments', name, () => describeSegmentJob(ctx, arn));
    await ctx.state.patchStep('segments', { phase: 'done', arn, outputs: { outputPrefix: outputPrefix(ctx.spec, name), numResults: desired.inputs['numResults'] } });
    return { arn, adopted };
  },
  status(ctx, record) {
    return record.arn ? describeSegmentJob(ctx, record.arn) : Promise.resolve(undefined);
  },
  /** Batch segment jobs cannot be deleted: destroy lists those of the pipeline's solution versions. */
  async destroy(ctx) {
    const versions = new Set((await ourSolutionVersions(ctx)).map((v) => v.arn));
    if (versions.size === 0) return {};
    const jobs = await ctx.aws.personalize.listBatchSegmentJobs();
    return { undeletable: jobs.filter((j) => j.solutionVersionArn && versions.has(j.solutionVersionArn)).map((j) => `batch segment job ${j.name} (${j.status})`) };
  },
};
