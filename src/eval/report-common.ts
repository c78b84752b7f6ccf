/**
 * The parts of report.json both kinds of run share: who and what ran (run, spec, cost), Personalize's own metrics,
 * and the change since the previous delivered run.
 */
import { modelChoiceFrom, personalizeMetrics } from './model-choice.js';
import { join } from 'node:path';
import { ARTIFACT_FILES, type RunInfo } from '../data/artifacts.js';
import type { Segmentation, Spec } from '../spec/types.js';
import { csvRecordBatches } from './csv-records.js';
import type { GitInfo } from './git-info.js';
import { REPORT_VERSION, type BadOutputLine, type ChangesSection, type CostComparison, type Report } from './report-types.js';

export const SOLUTION_METRICS_PROTOCOL =
  "Personalize's own evaluation (GetSolutionMetrics): it holds out the latest 20% of each user's interactions during " +
  'training and measures at the top 1% of users. A different protocol from the holdout above: not comparable.';

/** Queries listed in changes.mostChanged. */
export const MOST_CHANGED = 20;

export function runSection(run: RunInfo, seg: Segmentation): Report['run'] {
  return {
    finishedAt: run.finishedAt,
    target: run.target,
    region: run.region,
    recipe: run.recipe ?? seg.recipe,
    ...(run.solutionVersionArn !== undefined ? { solutionVersionArn: run.solutionVersionArn } : {}),
    ...(run.batchSegmentJobArn !== undefined ? { batchSegmentJobArn: run.batchSegmentJobArn } : {}),
    ...(run.batchSegmentJobArns !== undefined ? { batchSegmentJobArns: run.batchSegmentJobArns } : {}),
    ...(run.delivery !== undefined ? { delivery: run.delivery } : {}),
    ...(run.filter !== undefined ? { filter: run.filter } : {}),
  };
}

export function specSection(spec: Spec, run: RunInfo, git: GitInfo): Report['spec'] {
  return { file: spec.file, hash: run.specHash, currentHash: spec.fileHash, ...git };
}

/** The warnings every report starts with. */
export function runWarnings(spec: Spec, run: RunInfo): string[] {
  return run.specHash !== spec.fileHash
    ? [
        `${spec.file} changed since this run (run spec ${run.specHash.slice(0, 12)}, now ${spec.fileHash.slice(0, 12)}): the report describes the run, not the current file`,
      ]
    : [];
}

export function solutionMetricsSection(run: RunInfo): Report['solutionMetrics'] {
  return run.solutionMetrics ? { protocol: SOLUTION_METRICS_PROTOCOL, values: personalizeMetrics(run.solutionMetrics) } : null;
}

export function costSection(run: RunInfo): Report['cost'] {
  return {
    estimatedUsd: run.estimatedCostUsd,
    ...(run.cost ? { estimatedLowUsd: run.cost.estimate.lowUsd } : {}),
    ...(run.actualCostUsd !== undefined ? { actualUsd: run.actualCostUsd } : {}),
    ...(run.trainingHours !== undefined ? { trainingHours: run.trainingHours } : {}),
    ...(run.cost ? { lines: compareCost(run.cost) } : {}),
  };
}

/** The estimate's lines beside the actual ones of the same item. */
function compareCost(cost: NonNullable<RunInfo['cost']>): CostComparison[] {
  return cost.estimate.lines.map((e) => {
    const a = cost.actual?.lines.find((l) => l.item === e.item);
    return {
      item: e.item,
      estimateQuantity: e.quantity,
      estimateLowUsd: e.lowUsd,
      estimateUsd: e.usd,
      ...(a ? { actualQuantity: a.quantity, actualUsd: a.usd } : {}),
    };
  });
}

/**
 * The change since the previous run: run-info.json's totals, and from changes.csv (written beside it by the same
 * delivery) the queries that changed most. null for a segmentation's first run.
 */
export async function changesSection(segDir: string, run: RunInfo, warnings: string[]): Promise<ChangesSection | null> {
  if (!run.changes) return null;
  const rows: ChangesSection['mostChanged'] = [];
  let changed: number | null = 0;
  try {
    let header = true;
    for await (const batch of csvRecordBatches(join(segDir, ARTIFACT_FILES.changesCsv))) {
      for (const [query, entered, stayed, left] of batch) {
        if (header) {
          header = false;
          continue;
        }
        const row = { query: query ?? '', entered: Number(entered), stayed: Number(stayed), left: Number(left) };
        if (row.entered + row.left > 0) changed++;
        keepMostChanged(rows, row);
      }
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    warnings.push(`${ARTIFACT_FILES.changesCsv} is missing: the report shows the change since run ${run.changes.previousRunId} as totals only`);
    changed = null;
  }
  return { ...run.changes, queriesChanged: changed, mostChanged: rows };
}

const moved = (r: { entered: number; left: number }) => r.entered + r.left;

function keepMostChanged(rows: ChangesSection['mostChanged'], row: ChangesSection['mostChanged'][number]): void {
  if (moved(row) === 0) return;
  if (rows.length === MOST_CHANGED && moved(row) <= moved(rows[MOST_CHANGED - 1]!)) return;
  rows.push(row);
  rows.sort((a, b) => moved(b) - moved(a) || (a.query < b.query ? -1 : a.query > b.query ? 1 : 0));
  if (rows.length > MOST_CHANGED) rows.pop();
}

/** What every evaluation starts from: the segmentation, its directory and its run. */
export interface RunInputs {
  spec: Spec;
  segmentation: Segmentation;
  workDir: string;
  /** segmentationDir(segmentation): '' or 'segmentations/<name>/'. */
  segmentationDir: string;
  /** join(workDir, segmentationDir). */
  segDir: string;
  run: RunInfo;
}

/** The fields of report.json that do not depend on the kind of run. */
export function reportFrame(i: RunInputs, mode: Report['mode'], git: GitInfo, now: Date) {
  return {
    version: REPORT_VERSION,
    mode,
    pipeline: i.spec.name,
    segmentation: i.segmentation.name,
    runId: i.run.runId,
    generatedAt: now.toISOString(),
    run: runSection(i.run, i.segmentation),
    spec: specSection(i.spec, i.run, git),
    solutionMetrics: solutionMetricsSection(i.run),
    modelChoice: modelChoiceFrom(i.run.solutionMetrics),
    cost: costSection(i.run),
  } satisfies Partial<Report>;
}

/** report.json's badOutputLines: every problem counted, the first MAX_BAD_LINES_LISTED listed. */
export function badLinesSection(bad: readonly BadOutputLine[]): Report['badOutputLines'] {
  const byKind: Report['badOutputLines']['byKind'] = {};
  for (const b of bad) byKind[b.kind] = (byKind[b.kind] ?? 0) + 1;
  return { count: bad.length, byKind, lines: bad.slice(0, MAX_BAD_LINES_LISTED) };
}

/** Bad output lines kept in report.json; the count and per-kind totals always cover all of them. */
export const MAX_BAD_LINES_LISTED = 200;
