import { CreateSolutionCommand, DeleteSolutionCommand, DescribeSolutionCommand } from '@aws-sdk/client-personalize';
import type { Spec } from '../spec/types.js';
import { inputsHashOf, longLivedName, personalizeArn, personalizeTags } from './naming.js';
import { createRecorded, deleteIgnoringAbsent, phaseOf, readOrAbsent, waitActive, waitGone } from './lifecycle.js';
import { datasetGroupArn } from './dataset-group.js';
import type { Observation, StepContext, StepDefinition } from './types.js';

export function recipeArn(spec: Spec): string {
  return `arn:aws:personalize:::recipe/${spec.recipe}`;
}

/** The solution's immutable configuration. performAutoTraining is always false: no surprise weekly trainings. */
export function solutionConfig(spec: Spec): { recipeArn: string; performAutoTraining: false; hiddenDimension: number | null } {
  return { recipeArn: recipeArn(spec), performAutoTraining: false, hiddenDimension: spec.training.hiddenDimension ?? null };
}

export function describeSolution(ctx: StepContext, arn: string): Promise<Observation> {
  return readOrAbsent(async () => {
    const r = await ctx.aws.personalize.send(new DescribeSolutionCommand({ solutionArn: arn }));
    const s = r.solution;
    return {
      exists: true,
      arn,
      name: s?.name,
      status: s?.status,
      phase: phaseOf(s?.status),
      failureReason: s?.latestSolutionVersion?.failureReason,
      details: {
        recipeArn: s?.recipeArn,
        performAutoTraining: s?.performAutoTraining,
        hiddenDimension: s?.solutionConfig?.algorithmHyperParameters?.['hidden_dimension'] ?? null,
      },
    };
  });
}

export function solutionArn(ctx: StepContext): string {
  return personalizeArn(ctx.aws.region, ctx.account, 'solution', ctx.desired.get('solution')!.name);
}

function driftOf(seen: Observation, want: ReturnType<typeof solutionConfig>): string[] {
  const d = seen.details ?? {};
  const out: string[] = [];
  if (d['recipeArn'] && d['recipeArn'] !== want.recipeArn) out.push(`recipe: ${String(d['recipeArn']).split('/').pop()} -> ${want.recipeArn.split('/').pop()}`);
  if (d['performAutoTraining'] === true) out.push('performAutoTraining: true -> false');
  const live = d['hiddenDimension'] === null || d['hiddenDimension'] === undefined ? null : Number(d['hiddenDimension']);
  if (live !== want.hiddenDimension) out.push(`training.hiddenDimension: ${live ?? 'default'} -> ${want.hiddenDimension ?? 'default'}`);
  return out;
}

async function deleteSolution(ctx: StepContext, arn: string, label: string): Promise<void> {
  const seen = await describeSolution(ctx, arn);
  if (!seen.exists) return;
  if (seen.phase !== 'deleting') await deleteIgnoringAbsent(() => ctx.aws.personalize.send(new DeleteSolutionCommand({ solutionArn: arn })));
  await waitGone(ctx, 'solution', label, () => describeSolution(ctx, arn));
}

export const solutionStep: StepDefinition = {
  id: 'solution',
  kind: 'solution',
  title: 'solution',
  deps: ['dataset-group', 'dataset-interactions'],
  desired(ctx) {
    const inputs = { ...solutionConfig(ctx.spec), datasetGroup: ctx.desired.get('dataset-group')!.name };
    return { name: longLivedName(ctx.spec, 'solution'), inputs, inputsHash: inputsHashOf(inputs) };
  },
  async read(ctx, desired) {
    const seen = await describeSolution(ctx, personalizeArn(ctx.aws.region, ctx.account, 'solution', desired.name));
    if (seen.exists) {
      const drift = driftOf(seen, solutionConfig(ctx.spec));
      if (drift.length > 0) seen.drift = drift;
    }
    return seen;
  },
  async apply(ctx, desired) {
    const arn = personalizeArn(ctx.aws.region, ctx.account, 'solution', desired.name);
    let seen = await describeSolution(ctx, arn);
    const config = solutionConfig(ctx.spec);
    if (seen.exists && (seen.phase === 'failed' || driftOf(seen, config).length > 0)) {
      // A solution's configuration is immutable: replacing it means deleting it (and its versions) first.
      ctx.progress('solution', { message: 'replacing the solution (its configuration changed)' });
      await deleteSolution(ctx, arn, desired.name);
      seen = { exists: false };
    }
    let adopted = seen.exists;
    if (!seen.exists) {
      adopted = (
        await createRecorded(ctx, 'solution', desired, async () => {
          const out = await ctx.aws.personalize.send(
            new CreateSolutionCommand({
              name: desired.name,
              datasetGroupArn: datasetGroupArn(ctx),
              recipeArn: config.recipeArn,
              performAutoTraining: false,
              performHPO: false,
              ...(config.hiddenDimension !== null
                ? { solutionConfig: { algorithmHyperParameters: { hidden_dimension: String(config.hiddenDimension) } } }
                : {}),
              tags: personalizeTags(ctx.spec, 'solution'),
            }),
          );
          return out.solutionArn;
        })
      ).adopted;
    } else {
      await ctx.state.setStep('solution', { phase: 'created', name: desired.name, arn, inputsHash: desired.inputsHash, inputs: desired.inputs });
    }
    await waitActive(ctx, 'solution', desired.name, () => describeSolution(ctx, arn));
    await ctx.state.patchStep('solution', { phase: 'done', arn });
    return { arn, adopted };
  },
  async destroy(ctx, record) {
    if (record.arn) await deleteSolution(ctx, record.arn, record.name ?? record.arn);
  },
};
