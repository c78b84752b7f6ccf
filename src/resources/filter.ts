import type { Segmentation, Spec } from '../spec/types.js';
import { personalizeTagging } from './tags.js';
import { inputsHashOf, jobName, personalizeArn } from './naming.js';
import { deleteAndWait, destroyOnce, observed, phaseOf } from './lifecycle.js';
import { createOrAdopt } from './create-or-adopt.js';
import { awsFailure } from './failures.js';
import { datasetGroupArn, ourDatasetGroups } from './dataset-group.js';
import { ownsPersonalizeResource, requireOurs } from './ownership.js';
import type { DesireInput, DestroyContext, Observation, StepContext, StepDefinition } from './types.js';

/**
 * segments.filter as a Personalize Filter in the pipeline's dataset group. Filters cannot be updated, so the name
 * carries a hash of the expression (`<pipeline>-flt-<hash>`): a changed expression is a new filter, and the old one
 * is deleted once the new one is ACTIVE and no batch segment job in flight still reads it (else by destroy, or
 * the next change of the filter). The batch segment job passes it as filterArn and re-runs when it changes
 * (segmentFilterInputs). A filter removed from the spec stays until destroy (filters cost nothing).
 */
const ROLE = 'flt';
export const FILTER_ROLE = ROLE;

export async function describeFilter(ctx: StepContext, arn: string): Promise<Observation> {
  const f = await ctx.aws.personalize.describeFilter(arn);
  return observed(f, f ? { expression: f.filterExpression ?? null } : undefined);
}

/** This pipeline's filters by their deterministic names (a hand-made filter in the same group is left alone). */
function isOurs(spec: Spec, name: string): boolean {
  return new RegExp(`^${spec.name}-${ROLE}-[0-9a-f]{8}$`).test(name);
}

/** The datasets a filter reads: their imports must have finished before a segment job applies it. */
function importsRead(seg: Segmentation): string[] {
  const datasets = new Set((seg.segments.filter?.clauses ?? []).flatMap((c) => c.anyOf.flat().map((cond) => cond.dataset)));
  return [...(datasets.has('Users') ? ['import-users'] : []), ...(datasets.has('Interactions') ? ['import-interactions'] : [])];
}

/**
 * What the batch segment job's inputs gain from a filter: the expression, and the users data it is evaluated on
 * (a changed users file changes who passes, so the segments re-run). Empty without a filter, so the names of
 * unfiltered jobs do not change.
 */
export function segmentFilterInputs(filterId: string | undefined, { upstream }: Pick<DesireInput, 'upstream'>): Record<string, unknown> {
  if (!filterId) return {};
  const filter = upstream(filterId);
  const readsUsers = (filter.inputs['reads'] as string[]).includes('import-users');
  return { filter: filter.inputs['expression'], ...(readsUsers ? { users: upstream('import-users').inputsHash } : {}) };
}

/** The filter a batch segment job passes, when its segmentation has one. */
export function segmentFilterArn(ctx: StepContext, filterId: string | undefined): string | undefined {
  return filterId ? personalizeArn(ctx.env, 'filter', ctx.desired(filterId).name) : undefined;
}

/**
 * A segmentation's filter. Two segmentations with the same expression share one Personalize filter (the name is
 * the expression's hash): the second step finds it and adopts it.
 */
export function filterStep(seg: Segmentation, id: string): StepDefinition {
  const reads = importsRead(seg);
  return {
    id,
    kind: 'filter',
    title: `segment filter${seg.primary ? '' : ` (${seg.name})`}`,
    deps: ['dataset-group', ...reads],
    desired({ spec: s, upstream }) {
      const inputs = { expression: seg.segments.filter?.expression ?? '', datasetGroup: upstream('dataset-group').name, reads };
      const inputsHash = inputsHashOf({ expression: inputs.expression, datasetGroup: inputs.datasetGroup });
      return { name: jobName(s, ROLE, inputsHash), inputs, inputsHash };
    },
    tagging: (ctx, _desired, arn) => personalizeTagging(ctx, arn),
    async observe(ctx, desired) {
      const seen = await describeFilter(ctx, personalizeArn(ctx.env, 'filter', desired.name));
      if (seen.exists) await requireOurs(ctx, 'filter', 'filter', desired.name, seen.arn!);
      const live = seen.details?.['expression'];
      if (seen.exists && typeof live === 'string' && live !== desired.inputs['expression'])
        seen.drift = [`filterExpression: ${live} -> ${String(desired.inputs['expression'])}`];
      return seen;
    },
    async apply(ctx, desired) {
      const arn = personalizeArn(ctx.env, 'filter', desired.name);
      const seen = await describeFilter(ctx, arn);
      // A filter of that name that is not this pipeline's is neither deleted nor used.
      const ours = () => requireOurs(ctx, 'filter', 'filter', desired.name, arn);
      if (seen.exists) await ours();
      const made = await createOrAdopt(ctx, id, desired, seen, {
        arn,
        describe: describeFilter,
        whenNameTaken: ours,
        create: ({ name, tags }) =>
          ctx.aws.personalize.createFilter({ name, datasetGroupArn: datasetGroupArn(ctx), filterExpression: String(desired.inputs['expression']), tags }),
        // A failed filter keeps its name until deleted; one with another expression cannot be updated.
        replace:
          seen.phase === 'failed' || seen.details?.['expression'] !== desired.inputs['expression']
            ? { remove: () => ctx.aws.personalize.deleteFilter(arn) }
            : undefined,
      });
      const { deleted, kept } = await retireOldFilters(ctx, datasetGroupArn(ctx), wantedFilters(ctx));
      const note = [...deleted.map((d) => `deleted the old ${d}`), ...kept.map((k) => `kept ${k}`)].join('; ');
      return { ...made, ...(note ? { note } : {}) };
    },
    status(ctx, record) {
      return record.arn ? describeFilter(ctx, record.arn) : Promise.resolve(undefined);
    },
    destroy(ctx: DestroyContext) {
      return destroyOnce(ctx, 'filters', async () => {
        const deleted: string[] = [];
        for (const group of await ourDatasetGroups(ctx)) deleted.push(...(await deleteFilters(ctx, id, group)));
        return { deleted };
      });
    },
  };
}

/** The filters every segmentation of the spec wants (by name: the names are the expressions' hashes). */
function wantedFilters(ctx: StepContext): Set<string> {
  const names = ctx.spec.segmentations.flatMap((seg) => {
    const filter = seg.segments.filter;
    if (!filter) return [];
    return [jobName(ctx.spec, ROLE, inputsHashOf({ expression: filter.expression, datasetGroup: ctx.desired('dataset-group').name }))];
  });
  return new Set(names.map((n) => personalizeArn(ctx.env, 'filter', n)));
}

/**
 * Deletes this pipeline's filters in a group that no segmentation wants any more, skipping any that a batch
 * segment job in flight still reads (it would fail the job). Returns what it deleted and what it kept, in words.
 */
async function retireOldFilters(ctx: StepContext, group: string, keep: Set<string>): Promise<{ deleted: string[]; kept: string[] }> {
  const old = (await ctx.aws.personalize.listFilters(group)).filter((f) => !keep.has(f.arn) && isOurs(ctx.spec, f.name));
  if (old.length === 0) return { deleted: [], kept: [] };
  const inUse = new Set<string>();
  for (const j of await ctx.aws.personalize.listBatchSegmentJobs()) {
    if (phaseOf(j.status) !== 'pending') continue;
    const filterArn = (await ctx.aws.personalize.describeBatchSegmentJob(j.arn))?.filterArn;
    if (filterArn) inUse.add(filterArn);
  }
  const busy = old.filter((f) => inUse.has(f.arn));
  const deleted = await deleteFilters(ctx, 'filter', group, (arn) => !keep.has(arn) && !inUse.has(arn));
  return {
    deleted,
    kept: busy.map((f) => `filter ${f.name} (a batch segment job in flight still reads it; destroy, or the next change of the filter, deletes it)`),
  };
}

/** Deletes this pipeline's filters in a group (those `match` accepts), waiting for each; returns what it deleted. */
export async function deleteFilters(ctx: StepContext, stepId: string, group: string, match: (arn: string) => boolean = () => true): Promise<string[]> {
  const deleted: string[] = [];
  for (const f of await ctx.aws.personalize.listFilters(group)) {
    if (!isOurs(ctx.spec, f.name) || !match(f.arn) || !(await ownsPersonalizeResource(ctx, 'filter', f.arn))) continue;
    ctx.progress(stepId, { message: `deleting filter ${f.name}` });
    try {
      if (
        await deleteAndWait(
          ctx,
          stepId,
          f.name,
          () => describeFilter(ctx, f.arn),
          () => ctx.aws.personalize.deleteFilter(f.arn),
        )
      )
        deleted.push(`filter ${f.name}`);
    } catch (e) {
      throw awsFailure(stepId, `deleting filter ${f.name}`, e);
    }
  }
  return deleted;
}
