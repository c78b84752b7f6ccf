import { ARTIFACT_FILES } from '../data/artifacts.js';
import { inputsHashOf, jobName, personalizeArn, s3Uri } from './naming.js';
import { observed, phaseOf } from './lifecycle.js';
import { createOrAdopt } from './create-or-adopt.js';
import { datasetArn, describeDataset } from './dataset.js';
import { ourDatasetGroups } from './dataset-group.js';
import { objectKeys } from './upload.js';
import { artifactSha } from './prepare.js';
import { findVersionByInputs } from './training.js';
import { modelSteps, modelsOf } from './segmentation-ids.js';
import { attemptOf, earlierJob, usableAttempt } from './earlier-job.js';
import type { DatasetKind } from './schema.js';
import type { Observation, StepContext, StepDefinition } from './types.js';

export async function describeImportJob(ctx: StepContext, arn: string): Promise<Observation> {
  const j = await ctx.aws.personalize.describeDatasetImportJob(arn);
  return observed(j, j ? { createdAt: j.createdAt?.getTime() ?? null } : undefined);
}

/**
 * Whether an import found by its name still holds the dataset's rows, or why not (it is stale even though its
 * inputs are the same):
 * - the dataset it imported into was deleted and created again since (out of band, or replaced for a new schema);
 * - a later FULL import replaced its rows (the inputs changed, then changed back) and a step is about to read them
 *   (`rowsReader`). With no reader the job is kept: the training of these inputs exists (adopted by its
 *   segflow:inputs tag) and reads nothing, so importing the same file again would be paid for and never used.
 *   Should a training of these inputs have to be made later, this check then says so and the rows come back first.
 */
async function staleness(ctx: StepContext, type: DatasetKind, job: Observation, reader: () => Promise<string | undefined>): Promise<string | undefined> {
  if (!job.exists || job.phase === 'failed') return undefined;
  const dataset = await describeDataset(ctx, datasetArn(ctx, type));
  if (!dataset.exists) return `the ${type} dataset it imported into no longer exists`;
  const jobAt = job.details?.['createdAt'];
  const datasetAt = dataset.details?.['createdAt'];
  if (typeof jobAt === 'number' && typeof datasetAt === 'number' && datasetAt > jobAt) {
    return `the ${type} dataset was re-created after this import`;
  }
  if (typeof jobAt === 'number') {
    const later = (await ctx.aws.personalize.listDatasetImportJobs(datasetArn(ctx, type))).find(
      (j) => j.arn !== job.arn && phaseOf(j.status) !== 'failed' && (j.createdAt?.getTime() ?? 0) > jobAt,
    );
    const who = later ? await reader() : undefined;
    if (later && who) return `a later import (${later.name}) replaced the rows it imported into the ${type} dataset, and ${who}`;
  }
  return undefined;
}

/**
 * Which step will read the rows of this dataset in this run (for the plan's reason), or undefined when none will.
 * A filter reads the Users and Interactions datasets whenever a batch segment job runs (kept eager: whether a
 * filtered job runs is decided later). A training reads interactions and items when a version is made: when no
 * version tagged with the inputs it wants is active or in progress (absent, failed, or being stopped).
 */
async function rowsReader(ctx: StepContext, type: DatasetKind): Promise<string | undefined> {
  if (type !== 'items' && ctx.spec.segmentations.some((s) => s.segments.filter)) return 'the segment filter reads them';
  if (type === 'users') return undefined;
  for (const model of modelsOf(ctx.spec)) {
    const id = modelSteps(model).training;
    const version = await findVersionByInputs(ctx, model, ctx.desired(id).inputsHash);
    if (!version.exists || version.phase === 'failed' || version.phase === 'stopping') return `${id} will learn from them`;
  }
  return undefined;
}

/** The reader, asked at most once per observe or apply (it lists solution versions and their tags). */
function readerOnce(ctx: StepContext, type: DatasetKind): () => Promise<string | undefined> {
  let asked: Promise<string | undefined> | undefined;
  return () => (asked ??= rowsReader(ctx, type));
}

/** Import job names carry a short role tag: `<pipeline>-imp-int-<hash>`, `-imp-itm-`, `-imp-usr-`. */
const IMPORT_ROLE: Record<DatasetKind, string> = { interactions: 'imp-int', items: 'imp-itm', users: 'imp-usr' };
export const IMPORT_ROLES = Object.values(IMPORT_ROLE);

/** The role the jobs pass to Personalize: the recorded ARN, else the one its deterministic name gives. */
export function roleArnOf(ctx: StepContext): string {
  return ctx.state.step('role')?.arn ?? `arn:${ctx.env.partition}:iam::${ctx.env.account}:role/${ctx.desired('role').name}`;
}

/**
 * A FULL import of one prepared file. Import jobs can never be deleted nor renamed, so the name carries a hash of
 * the file's content and the dataset: the same data is never imported (nor paid for) twice.
 */
export function importStep(type: DatasetKind): StepDefinition {
  const id = `import-${type}`;
  const file = ARTIFACT_FILES[type];
  const role = IMPORT_ROLE[type];
  return {
    id,
    kind: 'import',
    title: `import ${type}`,
    deps: [`dataset-${type}`, 'upload', 'role'],
    invalidatedBy: [`dataset-${type}`],
    costly: true,
    job: true,
    billable({ prepared }) {
      // Ingestion is billed per GB the import reads.
      return { ingestBytes: prepared.manifest.outputs[file]?.bytes ?? 0 };
    },
    billed({ record }) {
      const bytes = record.outputs?.['bytes'];
      return typeof bytes === 'number' ? { ingestBytes: bytes } : {};
    },
    desired({ spec, prepared, upstream, record }) {
      const inputs = { dataset: upstream(`dataset-${type}`).inputsHash, sha256: artifactSha(prepared, file), mode: 'FULL' };
      const inputsHash = inputsHashOf(inputs);
      return { name: jobName(spec, role, inputsHash, attemptOf(record, inputsHash)), inputs, inputsHash };
    },
    async observe(ctx, desired, record) {
      const seen = await describeImportJob(ctx, personalizeArn(ctx.env, 'dataset-import-job', desired.name));
      const stale = await staleness(ctx, type, seen, readerOnce(ctx, type));
      return stale ? earlierJob(seen, stale, desired.name, record) : seen;
    },
    async apply(ctx, desired, record) {
      const arnOf = (name: string) => personalizeArn(ctx.env, 'dataset-import-job', name);
      const reader = readerOnce(ctx, type);
      // A stale attempt, like a failed one, keeps its name forever: the next one is used.
      const { attempt, name, seen } = await usableAttempt(
        { attempt: attemptOf(record, desired.inputsHash), name: desired.name },
        {
          nameOf: (next) => jobName(ctx.spec, role, desired.inputsHash, next),
          read: (name) => describeImportJob(ctx, arnOf(name)),
          passOver: (job) => staleness(ctx, type, job, reader),
        },
      );
      return createOrAdopt(ctx, id, { ...desired, name }, seen, {
        attempt,
        arn: arnOf(name),
        describe: describeImportJob,
        create: ({ tags }) =>
          ctx.aws.personalize.createDatasetImportJob({
            name,
            datasetArn: datasetArn(ctx, type),
            dataLocation: s3Uri(ctx.spec.storage.bucket, objectKeys(ctx.spec)[file]!),
            roleArn: roleArnOf(ctx),
            importMode: 'FULL',
            tags,
          }),
        // The bytes this import read, for the run's billed cost (the same file the plan priced).
        outputs: () => ({ bytes: ctx.prepared?.manifest.outputs[file]?.bytes ?? 0 }),
      });
    },
    status(ctx, record) {
      return record.arn ? describeImportJob(ctx, record.arn) : Promise.resolve(undefined);
    },
    /** AWS offers no delete for import jobs: destroy lists them (they cost nothing once finished). */
    async destroy(ctx) {
      const undeletable: string[] = [];
      for (const group of await ourDatasetGroups(ctx)) {
        for (const d of await ctx.aws.personalize.listDatasets(group)) {
          if ((d.datasetType ?? '').toLowerCase() !== type) continue;
          for (const j of await ctx.aws.personalize.listDatasetImportJobs(d.arn)) undeletable.push(`dataset import job ${j.name} (${j.status})`);
        }
      }
      return { undeletable };
    },
  };
}
