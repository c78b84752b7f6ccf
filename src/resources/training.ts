import { isAwsError } from '../aws/errors.js';
import { pollUntil } from '../util/backoff.js';
import { TAG_INPUTS, inputsHashOf } from './naming.js';
import { destroyOnce, observed, phaseOf } from './lifecycle.js';
import { createOrAdopt } from './create-or-adopt.js';
import { estimateTrainingHours } from '../cost/training-hours.js';
import { modelSteps, type Model } from './segmentation-ids.js';
import { solutionArn } from './solution.js';
import { ourDatasetGroups } from './dataset-group.js';
import type { DestroyContext, Observation, StepContext, StepDefinition } from './types.js';
import type { StepRecord } from '../state/types.js';

export async function describeSolutionVersion(ctx: StepContext, arn: string): Promise<Observation> {
  const v = await ctx.aws.personalize.describeSolutionVersion(arn);
  return observed(v, v ? { trainingHours: v.trainingHours ?? null } : undefined);
}

/**
 * Solution versions cannot be named: ours carry the tag segflow:inputs=<hash>. This finds one for the given
 * inputs (a crash between CreateSolutionVersion and recording its ARN, a lost state file, or inputs that went
 * back to an earlier value) so that the same training is never paid for twice.
 */
export async function findVersionByInputs(ctx: StepContext, model: Pick<Model, 'key'>, inputsHash: string): Promise<Observation> {
  let listed;
  try {
    listed = await ctx.aws.personalize.listSolutionVersions(solutionArn(ctx, model));
  } catch (e) {
    // On a first run the solution is absent, and that is the answer.
    if (isAwsError(e, 'not-found')) return { exists: false };
    throw e;
  }
  // Newest first: the last attempt decides (an older failed one is history).
  const versions = [...listed].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  for (const v of versions) {
    let tags;
    try {
      tags = await ctx.aws.personalize.listTagsForResource(v.arn);
    } catch (e) {
      // Listed, then deleted with its solution (a step replacing the solution runs meanwhile): not the one.
      if (isAwsError(e, 'not-found')) continue;
      throw e;
    }
    if (tags[TAG_INPUTS] === inputsHash) return observed(v);
  }
  return { exists: false };
}

async function observe(ctx: StepContext, model: Model, inputsHash: string, record: StepRecord | undefined): Promise<Observation> {
  if (record?.arn && record.inputsHash === inputsHash) {
    const seen = await describeSolutionVersion(ctx, record.arn);
    if (seen.exists) return seen;
  }
  return findVersionByInputs(ctx, model, inputsHash);
}

/** Stops a training in flight (it is billed until stopped) and waits until it is no longer pending. */
async function stopTraining(ctx: StepContext, stepId: string, arn: string, alreadyStopping = false): Promise<void> {
  ctx.progress(stepId, { message: `stopping training ${arn}` });
  try {
    if (!alreadyStopping) await ctx.aws.personalize.stopSolutionVersionCreation(arn);
  } catch (e) {
    if (!isAwsError(e, 'in-use')) throw e;
  }
  await pollUntil(
    () => describeSolutionVersion(ctx, arn),
    (o) => !o.exists || (o.phase !== 'pending' && o.phase !== 'stopping'),
    {
      initialMs: ctx.pollInitialMs,
      maxMs: ctx.pollMaxMs,
      signal: ctx.signal,
    },
  );
}

/** A model's training (solution version); it waits for the items import when the pipeline has data.items. */
export function trainingStep(model: Model, withItems: boolean): StepDefinition {
  const ids = modelSteps(model);
  const id = ids.training;
  return {
    id,
    kind: 'training',
    title: model.key ? `training (${model.recipe})` : 'training (solution version)',
    deps: [ids.solution, 'import-interactions', ...(withItems ? ['import-items'] : [])],
    // Not the imports: a version's segflow:inputs tag names the data it learnt from (the imports' inputs), so one
    // found by that tag stays valid when an import of the same data runs again (to restore the dataset's rows).
    invalidatedBy: [ids.solution],
    costly: true,
    job: true,
    desired({ spec, upstream, has }) {
      const inputs: Record<string, unknown> = {
        solution: upstream(ids.solution).inputsHash,
        interactions: upstream('import-interactions').inputsHash,
      };
      if (has('import-items')) inputs['items'] = upstream('import-items').inputsHash;
      const inputsHash = inputsHashOf(inputs);
      return { name: `${spec.name}-train-${inputsHash.slice(0, 8)}`, inputs, inputsHash };
    },
    observe(ctx, desired, record) {
      return observe(ctx, model, desired.inputsHash, record);
    },
    async apply(ctx, desired, record) {
      let seen = await observe(ctx, model, desired.inputsHash, record);
      if (seen.exists && seen.phase === 'stopping') {
        // Being stopped (a destroy, or someone in the console): wait until it has, then train anew.
        ctx.progress(id, { message: `previous training ${seen.status}: waiting until it has stopped` });
        const stopping = seen.arn!;
        seen = await pollUntil(
          () => describeSolutionVersion(ctx, stopping),
          (o) => !o.exists || o.phase !== 'stopping',
          {
            initialMs: ctx.pollInitialMs,
            maxMs: ctx.pollMaxMs,
            signal: ctx.signal,
          },
        );
      }
      if (seen.exists && seen.phase === 'failed') {
        ctx.progress(id, { message: `previous training ${seen.status}: ${seen.failureReason ?? ''}; training again` });
        seen = { exists: false };
      }
      // Solution versions have no name: AWS gives the ARN, and the segflow:inputs tag finds it again.
      return createOrAdopt(ctx, id, desired, seen, {
        label: 'training',
        describe: describeSolutionVersion,
        create: ({ tags }) =>
          ctx.aws.personalize.createSolutionVersion({
            solutionArn: solutionArn(ctx, model),
            trainingMode: 'FULL',
            tags: { ...tags, [TAG_INPUTS]: desired.inputsHash },
          }),
        async locate() {
          const arn = (await findVersionByInputs(ctx, model, desired.inputsHash)).arn;
          if (!arn) throw new Error(`${id}: no solution version ARN after create`);
          return arn;
        },
        outputs: (final) => {
          const trainingHours = final.details?.['trainingHours'];
          return { trainingHours: typeof trainingHours === 'number' ? trainingHours : null };
        },
      });
    },
    status(ctx, record) {
      return record.arn ? describeSolutionVersion(ctx, record.arn) : Promise.resolve(undefined);
    },
    /** Stops every training in flight in the pipeline's solutions (once); the versions go with the solutions. */
    destroy(ctx: DestroyContext) {
      return destroyOnce(ctx, 'stop-trainings', async () => {
        for (const v of await ourSolutionVersions(ctx)) {
          const phase = phaseOf(v.status);
          if (phase === 'pending' || phase === 'stopping') await stopTraining(ctx, id, v.arn, phase === 'stopping');
        }
        return {};
      });
    },
    billable({ prepared }) {
      const p = prepared.stats;
      return { trainingHours: estimateTrainingHours({ interactions: p.trainRows, users: p.trainUsers, items: p.trainItems }, model.recipe) };
    },
    billed({ record }) {
      const hours = record.outputs?.['trainingHours'];
      return typeof hours === 'number' ? { trainingHours: { low: hours, high: hours } } : {};
    },
  };
}

/** Every solution version of every solution in the pipeline's dataset groups (listed once per destroy). */
export function ourSolutionVersions(ctx: DestroyContext): Promise<Array<{ arn: string; status: string }>> {
  return ctx.once('solution-versions', async () => {
    const out: Array<{ arn: string; status: string }> = [];
    for (const group of await ourDatasetGroups(ctx)) {
      for (const s of await ctx.aws.personalize.listSolutions(group)) {
        for (const v of await ctx.aws.personalize.listSolutionVersions(s.arn)) out.push({ arn: v.arn, status: v.status });
      }
    }
    return out;
  });
}
