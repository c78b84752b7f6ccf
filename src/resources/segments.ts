import { CreateBatchSegmentJobCommand, DescribeBatchSegmentJobCommand } from '@aws-sdk/client-personalize';
import { ARTIFACT_FILES } from '../data/artifacts.js';
import { inputsHashOf, jobName, personalizeArn, personalizeTags, prefixOf, s3Uri } from './naming.js';
import { createRecorded, phaseOf, readOrAbsent, waitActive } from './lifecycle.js';
import { artifactSha, preparedOf } from './prepare.js';
import { objectKeys } from './upload.js';
import { roleArnOf } from './import-job.js';
import type { Observation, StepContext, StepDefinition } from './types.js';

export function describeSegmentJob(ctx: StepContext, arn: string): Promise<Observation> {
  return readOrAbsent(async () => {
    const r = await ctx.aws.personalize.send(new DescribeBatchSegmentJobCommand({ batchSegmentJobArn: arn }));
    const j = r.batchSegmentJob;
    return {
      exists: true,
      arn,
      name: j?.jobName,
      status: j?.status,
      phase: phaseOf(j?.status),
      failureReason: j?.failureReason,
      details: { outputPath: j?.jobOutput?.s3DataDestination?.path, numResults: j?.numResults },
    };
  });
}

/** Where a job writes: its own folder under <prefix>output/, the only place the role may write. */
export function outputPrefix(ctx: Pick<StepContext, 'spec'>, job: string): string {
  return `${prefixOf(ctx.spec)}output/${job}/`;
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
  desired(ctx) {
    const inputs = {
      training: ctx.desired.get('training')!.inputsHash,
      numResults: preparedOf(ctx).stats.k,
      queries: artifactSha(ctx, ARTIFACT_FILES.batchInput) ?? 'missing',
    };
    const inputsHash = inputsHashOf(inputs);
    const record = ctx.state.step('segments');
    const attempt = record?.inputsHash === inputsHash ? (record.attempt ?? 1) : 1;
    return { name: jobName(ctx.spec, 'seg', inputsHash, attempt), inputs, inputsHash };
  },
  read(ctx, desired) {
    return describeSegmentJob(ctx, personalizeArn(ctx.aws.region, ctx.account, 'batch-segment-job', desired.name));
  },
  async apply(ctx, desired, record) {
    let attempt = record?.inputsHash === desired.inputsHash ? (record.attempt ?? 1) : 1;
    let name = desired.name;
    let arn = personalizeArn(ctx.aws.region, ctx.account, 'batch-segment-job', name);
    let seen = await describeSegmentJob(ctx, arn);
    if (seen.exists && seen.phase === 'failed') {
      attempt += 1;
      name = jobName(ctx.spec, 'seg', desired.inputsHash, attempt);
      arn = personalizeArn(ctx.aws.region, ctx.account, 'batch-segment-job', name);
      seen = await describeSegmentJob(ctx, arn);
    }
    const svArn = ctx.state.step('training')?.arn;
    if (!svArn) throw new Error('segments: no trained solution version recorded');
    let adopted = seen.exists;
    if (!seen.exists) {
      const bucket = ctx.spec.storage.bucket;
      adopted = (
        await createRecorded(
          ctx,
          'segments',
          { ...desired, name },
          async () =>
            (
              await ctx.aws.personalize.send(
                new CreateBatchSegmentJobCommand({
                  jobName: name,
                  solutionVersionArn: svArn,
                  numResults: Number(desired.inputs['numResults']),
                  jobInput: { s3DataSource: { path: s3Uri(bucket, objectKeys(ctx)[ARTIFACT_FILES.batchInput]!) } },
                  jobOutput: { s3DataDestination: { path: s3Uri(bucket, outputPrefix(ctx, name)) } },
                  roleArn: roleArnOf(ctx),
                  tags: personalizeTags(ctx.spec, 'segments'),
                }),
              )
            ).batchSegmentJobArn,
          attempt,
        )
      ).adopted;
    } else {
      await ctx.state.setStep('segments', { phase: 'created', name, arn, inputsHash: desired.inputsHash, inputs: desired.inputs, attempt });
    }
    await waitActive(ctx, 'segments', name, () => describeSegmentJob(ctx, arn));
    await ctx.state.patchStep('segments', { phase: 'done', arn, outputs: { outputPrefix: outputPrefix(ctx, name), numResults: desired.inputs['numResults'] } });
    return { arn, adopted };
  },
  // No destroy: batch segment jobs cannot be deleted; their output goes with the bucket.
};
