import { CreateDatasetCommand, DeleteDatasetCommand, DescribeDatasetCommand } from '@aws-sdk/client-personalize';
import { inputsHashOf, longLivedName, personalizeArn, personalizeTags } from './naming.js';
import { createRecorded, deleteIgnoringAbsent, phaseOf, readOrAbsent, waitActive, waitGone } from './lifecycle.js';
import { datasetGroupArn } from './dataset-group.js';
import type { DatasetType } from './schema.js';
import type { Observation, StepContext, StepDefinition } from './types.js';

export function describeDataset(ctx: StepContext, arn: string): Promise<Observation> {
  return readOrAbsent(async () => {
    const r = await ctx.aws.personalize.send(new DescribeDatasetCommand({ datasetArn: arn }));
    const d = r.dataset;
    return {
      exists: true,
      arn,
      name: d?.name,
      status: d?.status,
      phase: phaseOf(d?.status),
      details: { schemaArn: d?.schemaArn, createdAt: d?.creationDateTime?.getTime() },
    };
  });
}

/** The dataset ARN is derived from the group name and the type, not the dataset name. */
export function datasetArn(ctx: StepContext, type: DatasetType): string {
  return personalizeArn(ctx.aws.region, ctx.account, 'dataset', `${ctx.desired.get('dataset-group')!.name}/${type.toUpperCase()}`);
}

export function datasetStep(type: DatasetType): StepDefinition {
  const id = `dataset-${type}`;
  const schemaId = `schema-${type}`;
  return {
    id,
    kind: 'dataset',
    title: `${type} dataset`,
    deps: ['dataset-group', schemaId],
    desired(ctx) {
      const inputs = { datasetGroup: ctx.desired.get('dataset-group')!.name, schema: ctx.desired.get(schemaId)!.name };
      return { name: longLivedName(ctx.spec, type), inputs, inputsHash: inputsHashOf(inputs) };
    },
    async read(ctx, desired) {
      const seen = await describeDataset(ctx, datasetArn(ctx, type));
      const wantSchema = personalizeArn(ctx.aws.region, ctx.account, 'schema', String(desired.inputs['schema']));
      if (seen.exists && seen.details?.['schemaArn'] && seen.details['schemaArn'] !== wantSchema) {
        seen.drift = [`schema: ${String(seen.details['schemaArn']).split('/').pop()} -> ${desired.inputs['schema']}`];
      }
      return seen;
    },
    async apply(ctx, desired) {
      const arn = datasetArn(ctx, type);
      const schemaArn = personalizeArn(ctx.aws.region, ctx.account, 'schema', String(desired.inputs['schema']));
      let seen = await describeDataset(ctx, arn);
      if (seen.exists && seen.details?.['schemaArn'] !== schemaArn) {
        // A new schema means a new dataset: delete the old one (and wait) before creating it again.
        if (seen.phase !== 'deleting') await deleteIgnoringAbsent(() => ctx.aws.personalize.send(new DeleteDatasetCommand({ datasetArn: arn })));
        await waitGone(ctx, id, desired.name, () => describeDataset(ctx, arn));
        seen = { exists: false };
      }
      let adopted = seen.exists;
      if (!seen.exists) {
        adopted = (
          await createRecorded(ctx, id, desired, async () => {
            const out = await ctx.aws.personalize.send(
              new CreateDatasetCommand({
                name: desired.name,
                schemaArn,
                datasetGroupArn: datasetGroupArn(ctx),
                datasetType: type === 'interactions' ? 'Interactions' : 'Items',
                tags: personalizeTags(ctx.spec, id),
              }),
            );
            return out.datasetArn;
          })
        ).adopted;
      } else {
        await ctx.state.setStep(id, { phase: 'created', name: desired.name, arn, inputsHash: desired.inputsHash, inputs: desired.inputs });
      }
      await waitActive(ctx, id, desired.name, () => describeDataset(ctx, arn));
      await ctx.state.patchStep(id, { phase: 'done', arn });
      return { arn, adopted };
    },
    async destroy(ctx, record) {
      if (!record.arn) return;
      const seen = await describeDataset(ctx, record.arn);
      if (!seen.exists) return;
      if (seen.phase !== 'deleting') {
        await deleteIgnoringAbsent(() => ctx.aws.personalize.send(new DeleteDatasetCommand({ datasetArn: record.arn })));
      }
      await waitGone(ctx, id, record.name ?? record.arn, () => describeDataset(ctx, record.arn!));
    },
  };
}
