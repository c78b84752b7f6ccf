import type { Spec } from '../spec/types.js';
import { personalizeTagging } from './tags.js';
import { inputsHashOf, longLivedName, personalizeArn, tagsFor } from './naming.js';
import { createRecorded, deleteAndWait, observed, recordExisting, waitActive } from './lifecycle.js';
import { awsFailure } from './failures.js';
import { datasetGroupArn, ourDatasetGroups } from './dataset-group.js';
import { ownsPersonalizeResource, requireOurs } from './ownership.js';
import type { Observation, StepContext, StepDefinition } from './types.js';

export function recipeArn(spec: Spec, partition = 'aws'): string {
  return `arn:${partition}:personalize:::recipe/${spec.recipe}`;
}

/** The solution's immutable configuration. performAutoTraining is always false: no surprise weekly trainings. */
export function solutionConfig(spec: Spec, partition: string): { recipeArn: string; performAutoTraining: false; hiddenDimension: number | null } {
  return { recipeArn: recipeArn(spec, partition), performAutoTraining: false, hiddenDimension: spec.training.hiddenDimension ?? null };
}

export async function describeSolution(ctx: StepContext, arn: string): Promise<Observation> {
  const s = await ctx.aws.personalize.describeSolution(arn);
  return observed(
    s && { ...s, ...(s.latestVersion?.failureReason ? { failureReason: s.latestVersion.failureReason } : {}) },
    s ? { recipeArn: s.recipeArn ?? null, performAutoTraining: s.performAutoTraining ?? null, hiddenDimension: s.hiddenDimension ?? null } : undefined,
  );
}

/** The solution's ARN from its deterministic name. */
export function solutionArn(ctx: StepContext): string {
  return personalizeArn(ctx.env, 'solution', ctx.desired('solution').name);
}

/**
 * How the live solution differs: `replace` for what a solution cannot change (recipe, hyperparameters: a new
 * solution, hence a new training), `update` for what UpdateSolution changes in place (auto-training: turned off,
 * with no retraining).
 */
function driftOf(seen: Observation, want: ReturnType<typeof solutionConfig>): { replace: string[]; update: string[] } {
  const d = seen.details ?? {};
  const replace: string[] = [];
  const update: string[] = [];
  if (d['recipeArn'] && d['recipeArn'] !== want.recipeArn) replace.push(`recipe: ${String(d['recipeArn']).split('/').pop()} -> ${want.recipeArn.split('/').pop()}`);
  const live = d['hiddenDimension'] === null || d['hiddenDimension'] === undefined ? null : Number(d['hiddenDimension']);
  if (live !== want.hiddenDimension) replace.push(`training.hiddenDimension: ${live ?? 'default'} -> ${want.hiddenDimension ?? 'default'}`);
  if (d['performAutoTraining'] === true) update.push('performAutoTraining: true -> false (weekly retraining is billed; turned off with UpdateSolution)');
  return { replace, update };
}

function deleteSolution(ctx: StepContext, arn: string, label: string): Promise<boolean> {
  return deleteAndWait(ctx, 'solution', label, () => describeSolution(ctx, arn), () => ctx.aws.personalize.deleteSolution(arn));
}

export const solutionStep: StepDefinition = {
  id: 'solution',
  kind: 'solution',
  title: 'solution',
  deps: ['dataset-group', 'dataset-interactions'],
  desired({ spec, env, upstream }) {
    const inputs = { ...solutionConfig(spec, env.partition), datasetGroup: upstream('dataset-group').name };
    return { name: longLivedName(spec, 'solution'), inputs, inputsHash: inputsHashOf(inputs) };
  },
  tagging: (ctx, _desired, arn) => personalizeTagging(ctx, arn),
  async observe(ctx, desired) {
    const seen = await describeSolution(ctx, personalizeArn(ctx.env, 'solution', desired.name));
    if (seen.exists) {
      await requireOurs(ctx, 'solution', 'solution', desired.name, seen.arn!);
      const drift = driftOf(seen, solutionConfig(ctx.spec, ctx.env.partition));
      if (drift.replace.length > 0) seen.drift = [...drift.replace, ...drift.update];
      else if (drift.update.length > 0) Object.assign(seen, { drift: drift.update, updatable: true });
    }
    return seen;
  },
  async apply(ctx, desired) {
    const arn = personalizeArn(ctx.env, 'solution', desired.name);
    let seen = await describeSolution(ctx, arn);
    // Never update, replace (delete) or train someone else's solution that happens to have this name.
    if (seen.exists) await requireOurs(ctx, 'solution', 'solution', desired.name, arn);
    const config = solutionConfig(ctx.spec, ctx.env.partition);
    const drift = seen.exists ? driftOf(seen, config) : { replace: [], update: [] };
    if (seen.exists && seen.phase !== 'failed' && drift.replace.length === 0 && drift.update.length > 0) {
      // Auto-training on: turn it off in place; the solution and its trained versions stay.
      ctx.progress('solution', { message: 'turning off auto-training (UpdateSolution)' });
      try {
        await ctx.aws.personalize.updateSolution({ arn, performAutoTraining: false });
      } catch (e) {
        throw awsFailure('solution', `updating ${desired.name}`, e);
      }
    }
    if (seen.exists && (seen.phase === 'failed' || drift.replace.length > 0)) {
      // A solution's configuration is immutable: replacing it means deleting it (and its versions) first.
      ctx.progress('solution', { message: 'replacing the solution (its configuration changed)' });
      await deleteSolution(ctx, arn, desired.name);
      seen = { exists: false };
    }
    let adopted = seen.exists;
    if (!seen.exists) {
      adopted = (
        await createRecorded(ctx, 'solution', desired, () =>
          ctx.aws.personalize.createSolution({
            name: desired.name,
            datasetGroupArn: datasetGroupArn(ctx),
            recipeArn: config.recipeArn,
            performAutoTraining: false,
            ...(config.hiddenDimension !== null ? { hiddenDimension: config.hiddenDimension } : {}),
            tags: tagsFor(ctx.spec, 'solution'),
          }),
        )
      ).adopted;
    } else {
      await recordExisting(ctx, 'solution', desired, arn);
    }
    await waitActive(ctx, 'solution', desired.name, () => describeSolution(ctx, arn));
    await ctx.state.patchStep('solution', { phase: 'done', arn });
    return { arn, adopted };
  },
  status(ctx, record) {
    return record.arn ? describeSolution(ctx, record.arn) : Promise.resolve(undefined);
  },
  /** Every solution of this pipeline in its dataset groups (their versions go with them); anyone else's stays. */
  async destroy(ctx) {
    const deleted: string[] = [];
    const kept: string[] = [];
    for (const group of await ourDatasetGroups(ctx)) {
      for (const s of await ctx.aws.personalize.listSolutions(group)) {
        // Only the name this pipeline gives is read (its CI policy covers no other); any other solution is someone else's.
        if (s.name !== longLivedName(ctx.spec, 'solution') || !(await ownsPersonalizeResource(ctx, 'solution', s.arn))) {
          kept.push(`solution ${s.name}: not created by segflow for this pipeline, left as it is`);
          continue;
        }
        ctx.progress('solution', { message: `deleting solution ${s.name}` });
        try {
          if (await deleteSolution(ctx, s.arn, s.name)) deleted.push(`solution ${s.name}`);
        } catch (e) {
          throw awsFailure('solution', `deleting solution ${s.name}`, e);
        }
      }
    }
    return { deleted, kept };
  },
};
