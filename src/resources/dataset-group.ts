import { TAG_PIPELINE, inputsHashOf, longLivedName, personalizeArn } from './naming.js';
import { requireOurs } from './ownership.js';
import { deleteAndWait, observed } from './lifecycle.js';
import { createOrAdopt } from './create-or-adopt.js';
import { awsFailure } from './failures.js';
import { personalizeTagging } from './tags.js';
import { deleteDatasets } from './dataset.js';
import { deleteFilters } from './filter.js';
import type { DestroyContext, Observation, StepContext, StepDefinition } from './types.js';

export async function describeDatasetGroup(ctx: StepContext, arn: string): Promise<Observation> {
  return observed(await ctx.aws.personalize.describeDatasetGroup(arn));
}

/** The dataset group's ARN from its deterministic name. */
export function datasetGroupArn(ctx: StepContext): string {
  return personalizeArn(ctx.env, 'dataset-group', ctx.desired('dataset-group').name);
}

/**
 * Every dataset group of this pipeline: the recorded one, and the one its deterministic name gives if it carries
 * the tag segflow:pipeline=<name> (left by a run interrupted before it recorded it; without the tag it is someone
 * else's). Only names this pipeline gives are read: another pipeline's (`<name>-uk-dsg`) are not its business, and
 * its CI policy may not read them. Computed once per destroy.
 */
export function ourDatasetGroups(ctx: DestroyContext): Promise<string[]> {
  return ctx.once('dataset-groups', async () => {
    const found = new Set<string>();
    const recorded = ctx.state.step('dataset-group')?.arn;
    if (recorded) found.add(recorded);
    const named = personalizeArn(ctx.env, 'dataset-group', longLivedName(ctx.spec, 'dsg'));
    if (!found.has(named) && (await ctx.aws.personalize.describeDatasetGroup(named))) {
      const tags = await ctx.aws.personalize.listTagsForResource(named);
      if (tags[TAG_PIPELINE] === ctx.spec.name) found.add(named);
    }
    const live: string[] = [];
    for (const arn of found) if (await ctx.aws.personalize.describeDatasetGroup(arn)) live.push(arn);
    return live;
  });
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
  tagging: (ctx, _desired, arn) => personalizeTagging(ctx, arn),
  async observe(ctx, desired) {
    const arn = personalizeArn(ctx.env, 'dataset-group', desired.name);
    const seen = await describeDatasetGroup(ctx, arn);
    if (seen.exists) await requireOurs(ctx, 'dataset-group', 'dataset group', desired.name, arn);
    return seen;
  },
  async apply(ctx, desired) {
    const arn = personalizeArn(ctx.env, 'dataset-group', desired.name);
    const seen = await describeDatasetGroup(ctx, arn);
    const ours = () => requireOurs(ctx, 'dataset-group', 'dataset group', desired.name, arn);
    if (seen.exists) await ours();
    return createOrAdopt(ctx, 'dataset-group', desired, seen, {
      arn,
      describe: describeDatasetGroup,
      create: (as) => ctx.aws.personalize.createDatasetGroup(as),
      whenNameTaken: ours,
    });
  },
  status(ctx, record) {
    return record.arn ? describeDatasetGroup(ctx, record.arn) : Promise.resolve(undefined);
  },
  async destroy(ctx) {
    const deleted: string[] = [];
    const kept: string[] = [];
    for (const arn of await ourDatasetGroups(ctx)) {
      const label = arn.split('/').pop() ?? arn;
      // Whatever no step of this spec owns any more (e.g. the items dataset or the filter of an earlier version of
      // the file).
      deleted.push(...(await deleteDatasets(ctx, 'dataset-group', arn, () => true)));
      deleted.push(...(await deleteFilters(ctx, 'dataset-group', arn)));
      // Someone else's solution or filter in segflow's group keeps it (segflow deletes only what it created).
      const others = [
        ...(await ctx.aws.personalize.listDatasets(arn)).map((d) => `dataset ${d.name}`),
        ...(await ctx.aws.personalize.listSolutions(arn)).map((s) => `solution ${s.name}`),
        ...(await ctx.aws.personalize.listFilters(arn)).map((f) => `filter ${f.name}`),
      ];
      if (others.length > 0) {
        kept.push(`dataset group ${label}: it holds ${others.join(', ')}, not created by segflow; delete them, then destroy again`);
        continue;
      }
      ctx.progress('dataset-group', { message: `deleting dataset group ${label}` });
      try {
        if (
          await deleteAndWait(
            ctx,
            'dataset-group',
            label,
            () => describeDatasetGroup(ctx, arn),
            () => ctx.aws.personalize.deleteDatasetGroup(arn),
          )
        ) {
          deleted.push(`dataset group ${label}`);
        }
      } catch (e) {
        throw awsFailure('dataset-group', `deleting dataset group ${label}`, e);
      }
    }
    return { deleted, kept };
  },
};
