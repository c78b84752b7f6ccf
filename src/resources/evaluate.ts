import { relative } from 'node:path';
import { ARTIFACT_FILES } from '../data/artifacts.js';
import type { Segmentation } from '../spec/types.js';
import { inputsHashOf } from './naming.js';
import { artifactSha } from './prepare.js';
import { segmentationLayout } from './layout.js';
import type { SegmentationSteps } from './segmentation-ids.js';
import type { StepDefinition } from './types.js';

/**
 * A segmentation's report (src/eval, through ctx.evaluation): the holdout evaluation against baselines in an
 * experiment, segment sizes, overlap and changes in a production run. Its summary lines end apply's output.
 */
export function evaluateStep(seg: Segmentation, ids: SegmentationSteps, experiment: boolean): StepDefinition {
  const id = ids.evaluate;
  return {
    id,
    kind: 'evaluate',
    title: `${experiment ? 'evaluate' : 'report'}${seg.primary ? '' : ` (${seg.name})`}`,
    deps: [ids.download],
    invalidatedBy: [ids.download],
    local: true,
    desired({ spec, prepared, upstream }) {
      const layout = segmentationLayout(spec, prepared, seg);
      // An experiment's inputs are what they were before production runs existed: an upgrade re-evaluates nothing.
      const holdout = layout.stats.groundTruth
        ? { groundTruth: artifactSha(prepared, `${layout.stats.dir}${ARTIFACT_FILES.groundTruth}`), split: spec.split }
        : {};
      const inputs = { download: upstream(ids.download).inputsHash, ...holdout };
      return { name: 'evaluate', inputs, inputsHash: inputsHashOf(inputs) };
    },
    async observe(_ctx, desired, record) {
      return record?.phase === 'done' && record.inputsHash === desired.inputsHash ? { exists: true, phase: 'active', status: 'evaluated' } : { exists: false };
    },
    async apply(ctx, desired) {
      const evaluated = await ctx.evaluation.evaluate(ctx.workDir, ctx.spec, seg);
      const dir = evaluated.dir;
      const summary = [...evaluated.summary, `report: ${relative(ctx.cwd, dir) || dir}`];
      await ctx.state.setStep(id, {
        phase: 'done',
        name: 'evaluate',
        inputsHash: desired.inputsHash,
        inputs: desired.inputs,
        outputs: { summary, reportDir: dir },
      });
      return { note: `report in ${relative(ctx.cwd, dir) || dir}` };
    },
    summary(record) {
      return (record.outputs?.['summary'] as string[] | undefined) ?? [];
    },
    reportDir(record) {
      const dir = record.outputs?.['reportDir'];
      return typeof dir === 'string' ? dir : undefined;
    },
  };
}
