/**
 * Evaluation and reports, the public surface: the engine calls `reportRun` (or `evaluateRun` + `writeReport`)
 * after the segments are downloaded and prints `summarizeReport`; `segflow report` does the same on demand.
 */
import { dirname, join } from 'node:path';
import type { Spec } from '../spec/types.js';
import { evaluateRun, type EvaluateOptions } from './evaluate.js';
import type { Report } from './report-types.js';
import { reportDirFor, writeReport } from './write-report.js';

export { evaluateRun, SOLUTION_METRICS_PROTOCOL, type EvaluateOptions } from './evaluate.js';
export { writeReport, reportDirFor, renderSegmentsCsv, REPORT_FILES } from './write-report.js';
export { summarizeReport } from './summary.js';
export { loadHistory, renderHistory, historyEntry, type HistoryEntry } from './history.js';
export { hitRecallAtK } from './metrics.js';
export { readRunInfo } from './inputs.js';
export { parseSegmentFile, parseSegmentLine } from './segment-output.js';
export * from './report-types.js';

/**
 * Evaluates the latest run in `workDir` and writes its report under `<reportsRoot>/<runId>/`. reportsRoot
 * defaults to the layout of src/util/paths.ts: a work dir `<cwd>/.segflow/work/<name>` reports to
 * `<cwd>/.segflow/reports/<name>`.
 */
export async function reportRun(
  workDir: string,
  spec: Spec,
  reportsRoot: string = join(dirname(dirname(workDir)), 'reports', spec.name),
  options?: EvaluateOptions,
): Promise<{ report: Report; dir: string; files: string[] }> {
  const report = await evaluateRun(workDir, spec, options);
  const { dir, files } = await writeReport(report, reportDirFor(reportsRoot, report));
  return { report, dir, files };
}
