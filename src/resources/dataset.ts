import { inputsHashOf, longLivedName, personalizeArn } from './naming.js';
import { personalizeTagging } from './tags.js';
import { deleteAndWait, observed } from './lifecycle.js';
import { createOrAdopt } from './create-or-adopt.js';
import { awsFailure } from './failures.js';
import { datasetGroupArn, ourDatasetGroups } from './dataset-group.js';
import type { DatasetKind } from './schema.js';
import type { Observation, StepContext, StepDefinition } from './types.js';
import { ownsPersonalizeResource } from './ownership.js';

const API_TYPE = { interactions: 'Interactions', items: 'Items', users: 'Users' } as const;

export async function describeDataset(ctx: StepContext, arn: string): Promise<Observation> {
  const d = await ctx.aws.personalize.describeDataset(arn);
  return observed(d, d ? { schemaArn: d.schemaArn ?? null, createdAt: d.createdAt?.getTime() ?? null } : undefined);
}

/** The dataset ARN is derived from the group name and the type, not the dataset name. */
export function datasetArn(ctx: StepContext, type: DatasetKind): string {
  return personalizeArn(ctx.env, 'dataset', `${ctx.desired('dataset-group').name}/${type.toUpperCase()}`);
}

export function datasetStep(type: DatasetKind): StepDefinition {
  const id = `dataset-${type}`;
  const schemaId = `schema-${type}`;
  const schemaArnOf = (ctx: StepContext, name: unknown) => personalizeArn(ctx.env, 'schema', String(name));
  return {
    id,
    kind: 'dataset',
    title: `${type} dataset`,
    deps: ['dataset-group', schemaId],
    desired({ spec, upstream }) {
      const inputs = { datasetGroup: upstream('dataset-group').name, schema: upstream(schemaId).name };
      return { name: longLivedName(spec, type), inputs, inputsHash: inputsHashOf(inputs) };
    },
    tagging: (ctx, _desired, arn) => personalizeTagging(ctx, arn),
    async observe(ctx, desired) {
      const seen = await describeDataset(ctx, datasetArn(ctx, type));
      const live = seen.details?.['schemaArn'];
      if (seen.exists && typeof live === 'string' && live !== schemaArnOf(ctx, desired.inputs['schema'])) {
        seen.drift = [`schema: ${live.split('/').pop()} -> ${String(desired.inputs['schema'])}`];
      }
      return seen;
    },
    async apply(ctx, desired) {
      const arn = datasetArn(ctx, type);
      const schemaArn = schemaArnOf(ctx, desired.inputs['schema']);
      const seen = await describeDataset(ctx, arn);
      return createOrAdopt(ctx, id, desired, seen, {
        arn,
        describe: describeDataset,
        create: ({ name, tags }) =>
          ctx.aws.personalize.createDataset({ name, schemaArn, datasetGroupArn: datasetGroupArn(ctx), datasetType: API_TYPE[type], tags }),
        // A new schema means a new dataset: the old one goes first.
        replace: seen.details?.['schemaArn'] !== schemaArn ? { remove: () => ctx.aws.personalize.deleteDataset(arn) } : undefined,
      });
    },
    status(ctx, record) {
      return record.arn ? describeDataset(ctx, record.arn) : Promise.resolve(undefined);
    },
    /** This type's dataset in every dataset group of the pipeline. */
    async destroy(ctx) {
      const deleted: string[] = [];
      for (const group of await ourDatasetGroups(ctx)) deleted.push(...(await deleteDatasets(ctx, id, group, (t) => t === type)));
      return { deleted };
    },
  };
}

/** Deletes the datasets of a group whose type matches (and waits for each); returns what it deleted. */
export async function deleteDatasets(ctx: StepContext, stepId: string, group: string, match: (type: string) => boolean): Promise<string[]> {
  const deleted: string[] = [];
  for (const d of await ctx.aws.personalize.listDatasets(group)) {
    const type = (d.datasetType ?? '').toLowerCase();
    // segflow's own datasets only (created with its tag): one someone else added to the group stays.
    if (!match(type) || !(await ownsPersonalizeResource(ctx, `dataset-${type}`, d.arn))) continue;
    ctx.progress(stepId, { message: `deleting dataset ${d.name}` });
    try {
      if (
        await deleteAndWait(
          ctx,
          stepId,
          d.name,
          () => describeDataset(ctx, d.arn),
          () => ctx.aws.personalize.deleteDataset(d.arn),
        )
      ) {
        deleted.push(`dataset ${d.name}`);
      }
    } catch (e) {
      throw awsFailure(stepId, `deleting dataset ${d.name}`, e);
    }
  }
  return deleted;
}
