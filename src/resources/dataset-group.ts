import {
  CreateDatasetGroupCommand,
  DeleteDatasetGroupCommand,
  DescribeDatasetGroupCommand,
} from '@aws-sdk/client-personalize';
import { inputsHashOf, longLivedName, personalizeArn, personalizeTags } from './naming.js';
import { createRecorded, deleteIgnoringAbsent, phaseOf, readOrAbsent, waitActive, waitGone } from './lifecycle.js';
import type { Observation, StepContext, StepDefinition } from './types.js';

export function describeDatasetGroup(ctx: StepContext, arn: string): Promise<Observation> {
  return readOrAbsent(async () => {
    const r = await ctx.aws.personalize.send(new DescribeDatasetGroupCommand({ datasetGroupArn: arn }));
    const g = r.datasetGroup;
    return { exists: true, arn, name: g?.name, status: g?.status, phase: phaseOf(g?.status), failureReason: g?.failureReason };
  });
}

export function datasetGroupArn(ctx: StepContext): string {
  return personalizeArn(ctx.aws.region, ctx.account, 'dataset-group', ctx.desired.get('dataset-group')!.name);
}

export const datasetGroupStep: StepDefinition = {
  id: 'dataset-group',
  kind: 'dataset-group',
  title: 'dataset group',
  deps: [],
  desired({ spec }) {
    const inputs = { domain: 'custom' };
    return { name: longLivedName(spec, 'dsg'), inputs, inputsHash: inputsHashOf(inputs) };
  },
  read(ctx, desired) {
    return describeDatasetGroup(ctx, personalizeArn(ctx.aws.region, ctx.account, 'dataset-group', desired.name));
  },
  async apply(ctx, desired) {
    const arn = personalizeArn(ctx.aws.region, ctx.account, 'dataset-group', desired.name);
    const seen = await describeDatasetGroup(ctx, arn);
    let adopted = seen.exists;
    if (!seen.exists) {
      const r = await createRecorded(ctx, 'dataset-group', desired, async () => {
        const out = await ctx.aws.personalize.send(
          new CreateDatasetGroupCommand({ name: desired.name, tags: personalizeTags(ctx.spec, 'dataset-group') }),
        );
        return out.datasetGroupArn;
      });
      adopted = r.adopted;
    } else {
      await ctx.state.setStep('dataset-group', { phase: 'created', name: desired.name, arn, inputsHash: desired.inputsHash, inputs: desired.inputs });
    }
    await waitActive(ctx, 'dataset-group', desired.name, () => describeDatasetGroup(ctx, arn));
    await ctx.state.patchStep('dataset-group', { phase: 'done', arn });
    return { arn, adopted };
  },
  async destroy(ctx, record) {
    if (!record.arn) return;
    const seen = await describeDatasetGroup(ctx, record.arn);
    if (!seen.exists) return;
    if (seen.phase !== 'deleting') {
      await deleteIgnoringAbsent(() => ctx.aws.personalize.send(new DeleteDatasetGroupCommand({ datasetGroupArn: record.arn })));
    }
    await waitGone(ctx, 'dataset-group', record.name ?? record.arn, () => describeDatasetGroup(ctx, record.arn!));
  },
};
