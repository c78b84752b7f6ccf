import { relative } from 'node:path';
import { inputsHashOf } from './naming.js';
import { loadEval } from '../engine/modules.js';
import { artifactSha } from './prepare.js';
import { ARTIFACT_FILES } from '../data/artifacts.js';
import type { StepDefinition } from './types.js';

/** The holdout evaluation against baselines (src/eval); its summary lines are kept for the end of apply. */
export const evaluateStep: StepDefinition = {
  id: 'evaluate',
  kind: 'evaluate',
  title: 'evaluate',
  deps: ['download'],
  local: true,
  desired(ctx) {
    const inputs = {
      download: ctx.desired.get('download')!.inputsHash,
      groundTruth: artifactSha(ctx, ARTIFACT_FILES.groundTruth) ?? 'missing',
      split: ctx.spec.split,
    };
    return { name: 'evaluate', inputs, inputsHash: inputsHashOf(inputs) };
  },
  async read(_ctx, desired, record) {
    return record?.phase === 'done' && record.inputsHash === desired.inputsHash
      ? { exists: true, phase: 'active', status: 'evaluated' }
      : { exists: false };
  },
  async apply(ctx, desired) {
    const evaluation = await loadEval();
    const { report, dir } = await evaluation.reportRun(ctx.workDir, ctx.spec);
    const summary = [...evaluation.summarizeReport(report as never), `report: ${relative(ctx.cwd, dir) || dir}`];
    await ctx.state.setStep('evaluate', { phase: 'done', name: 'evaluate', inputsHash: desired.inputsHash, inputs: desired.inputs, outputs: { summary, reportDir: dir } });
    return { outputs: { summary }, note: `report in ${relative(ctx.cwd, dir) || dir}` };
  },
};
