import { inputsHashOf } from './naming.js';
import { awsFailure } from './failures.js';
import type { StepDefinition } from './types.js';

/** Personalize's own offline metrics for the trained version (coverage, hits/recall at 1%), kept in the state. */
export const metricsStep: StepDefinition = {
  id: 'metrics',
  kind: 'metrics',
  title: 'solution metrics',
  deps: ['training'],
  invalidatedBy: ['training'],
  rerunnable: true,
  desired({ upstream }) {
    const inputs = { training: upstream('training').inputsHash };
    return { name: 'metrics', inputs, inputsHash: inputsHashOf(inputs) };
  },
  async observe(_ctx, desired, record) {
    return record?.phase === 'done' && record.inputsHash === desired.inputsHash ? { exists: true, phase: 'active', status: 'read' } : { exists: false };
  },
  async apply(ctx, desired) {
    const arn = ctx.state.step('training')?.arn;
    if (!arn) throw new Error('metrics: no trained solution version recorded');
    let metrics: Record<string, number>;
    try {
      metrics = await ctx.aws.personalize.getSolutionMetrics(arn);
    } catch (e) {
      throw awsFailure('metrics', `reading metrics of ${arn}`, e);
    }
    await ctx.state.setStep('metrics', { phase: 'done', name: 'metrics', inputsHash: desired.inputsHash, inputs: desired.inputs, outputs: { metrics } });
    // the local model's segflow.* keys (its validation contest, docs/model.md) go to the report; the note names the model
    const shown = Object.entries(metrics).filter(([k]) => !k.startsWith('segflow.'));
    const model = Object.keys(metrics).find((k) => k.startsWith('segflow.model.'))?.slice('segflow.model.'.length);
    return { note: [...shown.map(([k, v]) => `${k}=${Number(v).toFixed(4)}`), ...(model ? [`model=${model}`] : [])].join(' ') };
  },
};
