import { GetSolutionMetricsCommand } from '@aws-sdk/client-personalize';
import { inputsHashOf } from './naming.js';
import { awsFailure } from './lifecycle.js';
import type { StepDefinition } from './types.js';

/** Personalize's own offline metrics for the trained version (coverage, hits/recall at 1%), kept in the state. */
export const metricsStep: StepDefinition = {
  id: 'metrics',
  kind: 'metrics',
  title: 'solution metrics',
  deps: ['training'],
  desired(ctx) {
    const inputs = { training: ctx.desired.get('training')!.inputsHash };
    return { name: 'metrics', inputs, inputsHash: inputsHashOf(inputs) };
  },
  async read(_ctx, desired, record) {
    return record?.phase === 'done' && record.inputsHash === desired.inputsHash
      ? { exists: true, phase: 'active', status: 'read' }
      : { exists: false };
  },
  async apply(ctx, desired) {
    const arn = ctx.state.step('training')?.arn;
    if (!arn) throw new Error('metrics: no trained solution version recorded');
    let metrics: Record<string, number>;
    try {
      const r = await ctx.aws.personalize.send(new GetSolutionMetricsCommand({ solutionVersionArn: arn }));
      metrics = r.metrics ?? {};
    } catch (e) {
      throw awsFailure('metrics', `reading metrics of ${arn}`, e);
    }
    await ctx.state.setStep('metrics', { phase: 'done', name: 'metrics', inputsHash: desired.inputsHash, inputs: desired.inputs, outputs: { metrics } });
    return { outputs: metrics, note: Object.entries(metrics).map(([k, v]) => `${k}=${Number(v).toFixed(4)}`).join(' ') };
  },
};
