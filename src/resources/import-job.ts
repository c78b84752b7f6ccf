import { CreateDatasetImportJobCommand, DescribeDatasetImportJobCommand } from '@aws-sdk/client-personalize';
import { ARTIFACT_FILES } from '../data/artifacts.js';
import { inputsHashOf, jobName, personalizeArn, personalizeTags, s3Uri } from './naming.js';
import { createRecorded, phaseOf, readOrAbsent, waitActive } from './lifecycle.js';
import { datasetArn, describeDataset } from './dataset.js';
import { objectKeys } from './upload.js';
import { artifactSha } from './prepare.js';
import type { DatasetType } from './schema.js';
import type { Observation, StepContext, StepDefinition } from './types.js';

export function describeImportJob(ctx: StepContext, arn: string): Promise<Observation> {
  return readOrAbsent(async () => {
    const r = await ctx.aws.personalize.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn: arn }));
    const j = r.datasetImportJob;
    return {
      exists: true,
      arn,
      name: j?.jobName,
      status: j?.status,
      phase: phaseOf(j?.status),
      failureReason: j?.failureReason,
      details: { createdAt: j?.creationDateTime?.getTime() },
    };
  });
}

/**
 * An import into a dataset that was deleted and created again since (out of band, or replaced for a new schema)
 * imported into something that no longer exists: the job is stale even though its inputs are the same.
 */
async function staleness(ctx: StepContext, type: DatasetType, job: Observation): Promise<string | undefined> {
  if (!job.exists || job.phase === 'failed') return undefined;
  const dataset = await describeDataset(ctx, datasetArn(ctx, type));
  if (!dataset.exists) return `the ${type} dataset it imported into no longer exists`;
  const jobAt = job.details?.['createdAt'];
  const datasetAt = dataset.details?.['createdAt'];
  if (typeof jobAt === 'number' && typeof datasetAt === 'number' && datasetAt > jobAt) {
    return `the ${type} dataset was re-created after this import`;
  }
  return undefined;
}

export function roleArnOf(ctx: StepContext): string {
  return ctx.state.step('role')?.arn ?? `arn:aws:iam::${ctx.account}:role/${ctx.desired.get('role')!.name}`;
}

/**
 * A FULL import of one prepared file. Import jobs can never be deleted nor renamed, so the name carries a hash of
 * the file's content and the dataset: the same data is never imported (nor paid for) twice.
 */
export function importStep(type: DatasetType): StepDefinition {
  const id = `import-${type}`;
  const file = type === 'interactions' ? ARTIFACT_FILES.interactions : ARTIFACT_FILES.items;
  return {
    id,
    kind: 'import',
    title: `import ${type}`,
    deps: [`dataset-${type}`, 'upload', 'role'],
    costly: true,
    job: true,
    desired(ctx) {
      const inputs = { dataset: ctx.desired.get(`dataset-${type}`)!.inputsHash, sha256: artifactSha(ctx, file) ?? 'missing', mode: 'FULL' };
      const inputsHash = inputsHashOf(inputs);
      const record = ctx.state.step(id);
      const attempt = record?.inputsHash === inputsHash ? (record.attempt ?? 1) : 1;
      return { name: jobName(ctx.spec, type === 'interactions' ? 'imp-int' : 'imp-itm', inputsHash, attempt), inputs, inputsHash };
    },
    async read(ctx, desired) {
      const seen = await describeImportJob(ctx, personalizeArn(ctx.aws.region, ctx.account, 'dataset-import-job', desired.name));
      const stale = await staleness(ctx, type, seen);
      return stale ? { ...seen, drift: [stale] } : seen;
    },
    async apply(ctx, desired, record) {
      let name = desired.name;
      let attempt = record?.inputsHash === desired.inputsHash ? (record.attempt ?? 1) : 1;
      let arn = personalizeArn(ctx.aws.region, ctx.account, 'dataset-import-job', name);
      let seen = await describeImportJob(ctx, arn);
      // A failed or stale attempt stays forever under its name: use the next one.
      while (seen.exists && (seen.phase === 'failed' || (await staleness(ctx, type, seen)))) {
        attempt += 1;
        name = jobName(ctx.spec, type === 'interactions' ? 'imp-int' : 'imp-itm', desired.inputsHash, attempt);
        arn = personalizeArn(ctx.aws.region, ctx.account, 'dataset-import-job', name);
        seen = await describeImportJob(ctx, arn);
      }
      let adopted = seen.exists;
      if (!seen.exists) {
        const key = objectKeys(ctx)[file]!;
        adopted = (
          await createRecorded(
            ctx,
            id,
            { ...desired, name },
            async () =>
              (
                await ctx.aws.personalize.send(
                  new CreateDatasetImportJobCommand({
                    jobName: name,
                    datasetArn: datasetArn(ctx, type),
                    dataSource: { dataLocation: s3Uri(ctx.spec.storage.bucket, key) },
                    roleArn: roleArnOf(ctx),
                    importMode: 'FULL',
                    tags: personalizeTags(ctx.spec, id),
                  }),
                )
              ).datasetImportJobArn,
            attempt,
          )
        ).adopted;
      } else {
        await ctx.state.setStep(id, { phase: 'created', name, arn, inputsHash: desired.inputsHash, inputs: desired.inputs, attempt });
      }
      await waitActive(ctx, id, name, () => describeImportJob(ctx, arn));
      await ctx.state.patchStep(id, { phase: 'done', arn });
      return { arn, adopted };
    },
    // No destroy: AWS cannot delete import jobs; they go away with nothing to pay for.
  };
}
