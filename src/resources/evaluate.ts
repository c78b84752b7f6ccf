import { relative } from 'node:path';
import { inputsHashOf } from './naming.js';
import { artifactSha } from './prepare.js';
import { ARTIFACT_FILES } from '../data/artifacts.js';
import type { StepDefinition } from './types.js';

/** The holdout evaluation against baselines (src/eval, through ctx.evaluation); its summary lines are kept for the end of apply. */
export const evaluateStep: StepDefinition = {
  id: 'evaluate',
  kind: 'evaluate',
  title: 'evaluate',
  deps: ['download'],
  invalidatedBy: ['download'],
  local: true,
  desired({ spec, prepared, upstream }) {
    const inputs = {
      download: upstream('download').inputsHash,
      groundTruth: artifactSha(prepared, ARTIFACT_FILES.groundTruth),
      split: spec.split,
    };
    return { name: 'evaluate', inputs, inputsHash: inputsHashOf(inputs) };
  },
  async observe(_ctx, desired, record) {
    return record?.phase === 'done' && record.inputsHash === desired.inputsHash ? { exists: true, phase: 'active', status: 'evaluated' } : { exists: false };
  },
  async apply(ctx, desired) {
    const evaluated = await ctx.evaluation.evaluate(ctx.workDir, ctx.spec);
    const dir = evaluated.dir;
    const summary = [...evaluated.summary, `report: ${relative(ctx.cwd, dir) || dir}`];
    await ctx.state.setStep('evaluate', { phase: 'done', name: 'evaluate', inputsHash: desired.inputsHash, inputs: desired.inputs, outputs: { summary, reportDir: dir } });
    return { note: `report in ${relative(ctx.cwd, dir) || dir}` };
  },
};
