import type { Recipe, Training } from '../spec/types.js';
import { personalizeTagging } from './tags.js';
import { inputsHashOf, longLivedName, personalizeArn } from './naming.js';
import { deleteAndWait, destroyOnce, observed } from './lifecycle.js';
import { createOrAdopt } from './create-or-adopt.js';
import { awsFailure } from './failures.js';
import { datasetGroupArn, ourDatasetGroups } from './dataset-group.js';
import { isSolutionNameOf, modelSteps, solutionRole, type Model } from './segmentation-ids.js';
import { ownsPersonalizeResource, requireOurs } from './ownership.js';
import type { Observation, StepContext, StepDefinition } from './types.js';

export function recipeArn(recipe: Recipe, partition = 'aws'): string {
  return `arn:${partition}:personalize:::recipe/${recipe}`;
}

/** The solution's immutable configuration. performAutoTraining is always false: no surprise weekly trainings. */
export function solutionConfig(
  model: { recipe: Recipe; training: Training },
  partition: string,
): { recipeArn: string; performAutoTraining: false; hiddenDimension: number | null } {
  return { recipeArn: recipeArn(model.recipe, partition), performAutoTraining: false, hiddenDimension: model.training.hiddenDimension ?? null };
}

export async function describeSolution(ctx: StepContext, arn: string): Promise<Observation> {
  const s = await ctx.aws.personalize.describeSolution(arn);
  return observed(
    s && { ...s, ...(s.latestVersion?.failureReason ? { failureReason: s.latestVersion.failureReason } : {}) },
    s ? { recipeArn: s.recipeArn ?? null, performAutoTraining: s.performAutoTraining ?? null, hiddenDimension: s.hiddenDimension ?? null } : undefined,
  );
}

/** The model's solution ARN from its deterministic name. */
export function solutionArn(ctx: StepContext, model: Pick<Model, 'key'>): string {
  return personalizeArn(ctx.env, 'solution', ctx.desired(modelSteps(model).solution).name);
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
  const recipe = d['recipeArn'];
  if (typeof recipe === 'string' && recipe && recipe !== want.recipeArn)
    replace.push(`recipe: ${recipe.split('/').pop()} -> ${want.recipeArn.split('/').pop()}`);
  const live = d['hiddenDimension'] === null || d['hiddenDimension'] === undefined ? null : Number(d['hiddenDimension']);
  if (live !== want.hiddenDimension) replace.push(`training.hiddenDimension: ${live ?? 'default'} -> ${want.hiddenDimension ?? 'default'}`);
  if (d['performAutoTraining'] === true) update.push('performAutoTraining: true -> false (weekly retraining is billed; turned off with UpdateSolution)');
  return { replace, update };
}

function deleteSolution(ctx: StepContext, stepId: string, arn: string, label: string): Promise<boolean> {
  return deleteAndWait(
    ctx,
    stepId,
    label,
    () => describeSolution(ctx, arn),
    () => ctx.aws.personalize.deleteSolution(arn),
  );
}

/** A model's solution (one per distinct recipe and training); with data.items it waits for the Items dataset. */
export function solutionStep(model: Model, withItems: boolean): StepDefinition {
  const id = modelSteps(model).solution;
  return {
    id,
    kind: 'solution',
    title: model.key ? `solution (${model.recipe})` : 'solution',
    deps: ['dataset-group', 'dataset-interactions', ...(withItems ? ['dataset-items'] : [])],
    desired({ spec, env, upstream }) {
      const inputs = { ...solutionConfig(model, env.partition), datasetGroup: upstream('dataset-group').name };
      return { name: longLivedName(spec, solutionRole(model)), inputs, inputsHash: inputsHashOf(inputs) };
    },
    tagging: (ctx, _desired, arn) => personalizeTagging(ctx, arn),
    async observe(ctx, desired) {
      const seen = await describeSolution(ctx, personalizeArn(ctx.env, 'solution', desired.name));
      if (seen.exists) {
        await requireOurs(ctx, id, 'solution', desired.name, seen.arn!);
        const drift = driftOf(seen, solutionConfig(model, ctx.env.partition));
        if (drift.replace.length > 0) seen.drift = [...drift.replace, ...drift.update];
        else if (drift.update.length > 0) Object.assign(seen, { drift: drift.update, updatable: true });
      }
      return seen;
    },
    async apply(ctx, desired) {
      const arn = personalizeArn(ctx.env, 'solution', desired.name);
      const seen = await describeSolution(ctx, arn);
      // Never update, replace (delete) or train someone else's solution that happens to have this name.
      const ours = () => requireOurs(ctx, id, 'solution', desired.name, arn);
      if (seen.exists) await ours();
      const config = solutionConfig(model, ctx.env.partition);
      const drift = seen.exists ? driftOf(seen, config) : { replace: [], update: [] };
      if (seen.exists && seen.phase !== 'failed' && drift.replace.length === 0 && drift.update.length > 0) {
        // Auto-training on: turn it off in place; the solution and its trained versions stay.
        ctx.progress(id, { message: 'turning off auto-training (UpdateSolution)' });
        try {
          await ctx.aws.personalize.updateSolution({ arn, performAutoTraining: false });
        } catch (e) {
          throw awsFailure(id, `updating ${desired.name}`, e);
        }
      }
      return createOrAdopt(ctx, id, desired, seen, {
        arn,
        describe: describeSolution,
        // Made by someone else between the read and the create: never adopted (an SDK retry of our own create is ours).
        whenNameTaken: ours,
        create: ({ name, tags }) =>
          ctx.aws.personalize.createSolution({
            name,
            datasetGroupArn: datasetGroupArn(ctx),
            recipeArn: config.recipeArn,
            performAutoTraining: false,
            ...(config.hiddenDimension !== null ? { hiddenDimension: config.hiddenDimension } : {}),
            tags,
          }),
        // A solution's configuration is immutable: replacing it means deleting it (and its versions) first.
        replace:
          seen.phase === 'failed' || drift.replace.length > 0
            ? { remove: () => ctx.aws.personalize.deleteSolution(arn), message: 'replacing the solution (its configuration changed)' }
            : undefined,
      });
    },
    status(ctx, record) {
      return record.arn ? describeSolution(ctx, record.arn) : Promise.resolve(undefined);
    },
    /**
     * Every solution of this pipeline in its dataset groups (their versions go with them), those of models the spec no
     * longer has included: done once, by the first model's step. Only the names segflow gives this pipeline are read
     * (its CI policy covers no other), and only those it created are deleted; anyone else's stays.
     */
    destroy(ctx) {
      return destroyOnce(ctx, 'solutions', async () => {
        const deleted: string[] = [];
        const kept: string[] = [];
        for (const group of await ourDatasetGroups(ctx)) {
          for (const s of await ctx.aws.personalize.listSolutions(group)) {
            // Only names this pipeline gives are read further (its CI policy covers no other).
            if (!isSolutionNameOf(ctx.spec, s.name) || !(await ownsPersonalizeResource(ctx, id, s.arn))) {
              kept.push(`solution ${s.name}: not created by segflow for this pipeline, left as it is`);
              continue;
            }
            ctx.progress(id, { message: `deleting solution ${s.name}` });
            try {
              if (await deleteSolution(ctx, id, s.arn, s.name)) deleted.push(`solution ${s.name}`);
            } catch (e) {
              throw awsFailure(id, `deleting solution ${s.name}`, e);
            }
          }
        }
        return { deleted, kept };
      });
    },
  };
}
