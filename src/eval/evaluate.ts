/**
 * evaluateRun: the report of a segmentation's latest run, from local files only (prepare's artifacts, the engine's
 * run-info.json and the downloaded segments). A segmentation with ground-truth.json (an experiment, with split)
 * gets the holdout evaluation; one without (a production run) what a production run can show. Both describe the
 * delivered segments and the change since the previous run.
 */
import { join } from 'node:path';
import { segmentationDir } from '../data/artifacts.js';
import type { Segmentation, Spec } from '../spec/types.js';
import { SegflowError } from '../util/errors.js';
import { evaluateExperiment, type EvaluateOptions as ExperimentOptions } from './evaluate-experiment.js';
import { evaluateProduction } from './evaluate-production.js';
import { readGroundTruth, readRunInfo } from './inputs.js';
import type { Report } from './report-types.js';

export { SOLUTION_METRICS_PROTOCOL, MAX_BAD_LINES_LISTED } from './report-common.js';
export { FILTER_PROTOCOL } from './evaluate-experiment.js';

export interface EvaluateOptions extends ExperimentOptions {
  /** The segmentation to report on (default: the pipeline's primary one, else its first). */
  segmentation?: Segmentation;
}

/** The segmentation named after the pipeline (top-level keys), else the first of the list. */
export function defaultSegmentation(spec: Spec): Segmentation {
  const seg = spec.segmentations.find((s) => s.primary) ?? spec.segmentations[0];
  if (!seg) throw new SegflowError('RUN_EVAL_INPUT', `${spec.file}: the pipeline has no segmentation`);
  return seg;
}

export async function evaluateRun(workDir: string, spec: Spec, options: EvaluateOptions = {}): Promise<Report> {
  const segmentation = options.segmentation ?? defaultSegmentation(spec);
  const rel = segmentationDir(segmentation);
  const segDir = join(workDir, rel);
  const run = await readRunInfo(segDir);
  const inputs = { spec, segmentation, workDir, segmentationDir: rel, segDir, run };
  const truth = await readGroundTruth(segDir);
  if (truth) return evaluateExperiment(inputs, truth, options);
  if (spec.split) {
    throw new SegflowError(
      'RUN_EVAL_INPUT',
      `${join(segDir, 'ground-truth.json')} does not exist: prepare's ground truth is missing; run 'segflow apply FILE' (or 'segflow prepare FILE') again`,
    );
  }
  return evaluateProduction(inputs, options);
}
