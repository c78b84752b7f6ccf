/**
 * Evaluation and reports, the public surface: the engine's EvalPort (src/cli/engine-deps.ts) calls `reportRun`
 * after a segmentation's segments are delivered and prints `summarizeReport`, and builds the delivered files with
 * `writeSegmentsCsv` and `compareSegments`; `segflow report` and `segflow segments` use the same functions.
 */
import { dirname, join } from 'node:path';
import { segmentationDir } from '../data/artifacts.js';
import type { Segmentation, Spec } from '../spec/types.js';
import { defaultSegmentation, evaluateRun, type EvaluateOptions } from './evaluate.js';
import type { Report } from './report-types.js';
import { reportDirFor, writeReport } from './write-report.js';

export { evaluateRun, defaultSegmentation, SOLUTION_METRICS_PROTOCOL, type EvaluateOptions } from './evaluate.js';
export { writeReport, reportDirFor, writeReportSegmentsCsv, REPORT_FILES } from './write-report.js';
export { applySummary, summarizeReport } from './summary.js';
export { loadHistory, renderHistory, historyEntry, type HistoryEntry } from './history.js';
export { hitRecallAtK } from './metrics.js';
export { readRunInfo } from './inputs.js';
export { parseSegmentFile, parseSegmentLine } from './segment-output.js';
export { writeSegmentsCsv, type SegmentsCsvResult } from './segment-stream.js';
export { compareSegments, CHANGES_HEADER } from './compare-segments.js';
export { exportRows, type ExportOptions, type ExportResult, type UserColumns } from './segments-export.js';
export * from './report-types.js';

/**
 * Where a segmentation's reports live, beside the work dir as src/util/paths.ts lays it out: a work dir
 * `<cwd>/.segflow/work/<name>` reports to `<cwd>/.segflow/reports/<name>/` for the primary segmentation and to
 * `.../reports/<name>/segmentations/<segmentation>/` for the others (the work dir's own layout).
 */
export function reportsRootFor(workDir: string, spec: Pick<Spec, 'name'>, segmentation: Segmentation): string {
  return join(dirname(dirname(workDir)), 'reports', spec.name, segmentationDir(segmentation));
}

/** Evaluates a segmentation's latest run in `workDir` and writes its report under `<reportsRoot>/<runId>/`. */
export async function reportRun(
  workDir: string,
  spec: Spec,
  reportsRoot?: string,
  options: EvaluateOptions = {},
): Promise<{ report: Report; dir: string; files: string[] }> {
  const segmentation = options.segmentation ?? defaultSegmentation(spec);
  const report = await evaluateRun(workDir, spec, { ...options, segmentation });
  const root = reportsRoot ?? reportsRootFor(workDir, spec, segmentation);
  const { dir, files } = await writeReport(report, reportDirFor(root, report));
  return { report, dir, files };
}
