import { inputsHashOf } from './naming.js';
import { awsFailure } from './failures.js';
import { modelSteps, type Model } from './segmentation-ids.js';
import type { StepDefinition } from './types.js';

/** The key the local emulator's model names itself with, among its segflow.* validation figures. */
const LOCAL_MODEL_KEY = 'segflow.model.';

/** GetSolutionMetrics without the local emulator's segflow.* keys (the report shows those as the model's choice). */
function personalizeOnly(metrics: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([k]) => !k.startsWith('segflow.')));
}

/** Personalize's own offline metrics for a model's trained version (coverage, hits/recall at 1%), kept in the state. */
export function metricsStep(model: Model): StepDefinition {
  const ids = modelSteps(model);
  const id = ids.metrics;
  return {
    id,
    kind: 'metrics',
    title: model.key ? `solution metrics (${model.recipe})` : 'solution metrics',
    deps: [ids.training],
    invalidatedBy: [ids.training],
    rerunnable: true,
    desired({ upstream }) {
      const inputs = { training: upstream(ids.training).inputsHash };
      return { name: 'metrics', inputs, inputsHash: inputsHashOf(inputs) };
    },
    async observe(_ctx, desired, record) {
      return record?.phase === 'done' && record.inputsHash === desired.inputsHash ? { exists: true, phase: 'active', status: 'read' } : { exists: false };
    },
    async apply(ctx, desired) {
      const arn = ctx.state.step(ids.training)?.arn;
      if (!arn) throw new Error(`${id}: no trained solution version recorded`);
      let metrics: Record<string, number>;
      try {
        metrics = await ctx.aws.personalize.getSolutionMetrics(arn);
      } catch (e) {
        throw awsFailure(id, `reading metrics of ${arn}`, e);
      }
      await ctx.state.setStep(id, { phase: 'done', name: 'metrics', inputsHash: desired.inputsHash, inputs: desired.inputs, outputs: { metrics } });
      // The local model's segflow.* keys (its validation contest, docs/model.md) go to the report; the note names the model.
      const model = Object.keys(metrics)
        .find((k) => k.startsWith(LOCAL_MODEL_KEY))
        ?.slice(LOCAL_MODEL_KEY.length);
      const values = Object.entries(personalizeOnly(metrics)).map(([k, v]) => `${k}=${Number(v).toFixed(4)}`);
      // Personalize holds out each user's latest 20% and cuts at 1% of users: not the holdout the report scores.
      const note = `Personalize's own metrics (its protocol, not comparable with the holdout): ${values.join(' ')}`;
      return { note: [note, ...(model ? [`model=${model}`] : [])].join(' ') };
    },
    metrics(record) {
      const metrics = record.outputs?.['metrics'] as Record<string, number> | undefined;
      return metrics && personalizeOnly(metrics);
    },
  };
}
