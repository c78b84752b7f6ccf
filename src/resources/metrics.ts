import { inputsHashOf } from './naming.js';
import { awsFailure } from './failures.js';
import { modelSteps, type Model } from './segmentation-ids.js';
import type { StepDefinition } from './types.js';

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
      return { note: Object.entries(metrics).map(([k, v]) => `${k}=${Number(v).toFixed(4)}`).join(' ') };
    },
    metrics(record) {
      return record.outputs?.['metrics'] as Record<string, number> | undefined;
    },
  };
}
