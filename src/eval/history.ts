/**
 * `segflow report --history`: every stored report of one segmentation, oldest first, in one table. Reads report.json
 * of version 2 (experiments and production runs) and of version 1 (experiments reported before segmentations).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fmt, fmtUsd } from './format.js';
import { REPORT_VERSION, type Report, type ReportMode, type ReportV1 } from './report-types.js';
import { REPORT_FILES } from './write-report.js';

/** Report versions history reads. */
export const HISTORY_VERSIONS: readonly number[] = [1, REPORT_VERSION];

/** The directory beside a primary segmentation's runs that holds the other segmentations' reports. */
const SEGMENTATIONS_DIR = 'segmentations';

export interface HistoryEntry {
  /** Version 1 reports: the pipeline's name (they predate segmentations: the primary one). */
  segmentation: string;
  mode: ReportMode;
  runId: string;
  finishedAt: string;
  specHash: string;
  gitCommit?: string;
  target: string;
  k: number;
  /** Experiment: queries scored; production: segments delivered. */
  queries: number;
  /** The holdout's figures; null for a production run. */
  model: { hitsAtK: number; recallAtK: number; coverage: number } | null;
  popularity: { hitsAtK: number; recallAtK: number } | null;
  random: { recallAtK: number } | null;
  liftOverPopularity: number | null;
  /** Distinct users in the segments (null for version 1 reports). */
  distinctUsers: number | null;
  /** Mean pairwise overlap |A∩B| / K (null for version 1 reports, or fewer than two segments). */
  meanOverlap: number | null;
  /** Since the previous run: users who entered and left, summed over queries (null for a first run and version 1). */
  entered: number | null;
  left: number | null;
  trainingHours?: number;
  estimatedUsd: number;
  actualUsd?: number;
  badOutputLines: number;
}

export function historyEntry(r: Report | ReportV1): HistoryEntry {
  const h = r.holdout;
  const v2 = r.version === 1 ? undefined : r;
  return {
    segmentation: v2?.segmentation ?? r.pipeline,
    mode: v2?.mode ?? 'experiment',
    runId: r.runId,
    finishedAt: r.run.finishedAt,
    specHash: r.spec.hash,
    ...(r.spec.gitCommit !== undefined ? { gitCommit: r.spec.gitCommit } : {}),
    target: r.run.target,
    k: h?.k ?? v2?.segments.k ?? 0,
    queries: h ? h.queryCount : (v2?.segments.answered ?? 0),
    model: h ? { hitsAtK: h.model.hitsAtK, recallAtK: h.model.recallAtK, coverage: h.model.coverage } : null,
    popularity: h ? { hitsAtK: h.baselines.popularity.hitsAtK, recallAtK: h.baselines.popularity.recallAtK } : null,
    random: h ? { recallAtK: h.baselines.random.recallAtK } : null,
    liftOverPopularity: h ? h.baselines.popularity.lift.recall : null,
    distinctUsers: v2?.segments.distinctUsers ?? null,
    meanOverlap: v2?.segments.overlap.meanPairwise ?? null,
    entered: v2?.changes?.entered ?? null,
    left: v2?.changes?.left ?? null,
    ...(r.cost.trainingHours !== undefined ? { trainingHours: r.cost.trainingHours } : {}),
    estimatedUsd: r.cost.estimatedUsd,
    ...(r.cost.actualUsd !== undefined ? { actualUsd: r.cost.actualUsd } : {}),
    badOutputLines: r.badOutputLines.count,
  };
}

/**
 * Reads <reportsRoot>/<runId>/report.json for every run (the primary segmentation's root also holds
 * `segmentations/`, the other segmentations' roots: not a run). A directory without a readable report.json of a
 * version history reads is listed in `skipped` with the reason, not silently ignored.
 */
export async function loadHistory(reportsRoot: string): Promise<{ entries: HistoryEntry[]; skipped: string[] }> {
  let dirs: string[];
  try {
    dirs = (await readdir(reportsRoot, { withFileTypes: true })).filter((d) => d.isDirectory() && d.name !== SEGMENTATIONS_DIR).map((d) => d.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], skipped: [] };
    throw e;
  }
  const entries: HistoryEntry[] = [];
  const skipped: string[] = [];
  for (const d of dirs.sort()) {
    const path = join(reportsRoot, d, REPORT_FILES.json);
    try {
      const r = JSON.parse(await readFile(path, 'utf8')) as Report | ReportV1;
      if (!HISTORY_VERSIONS.includes(r.version)) {
        skipped.push(`${path}: report version ${String(r.version)}, expected ${HISTORY_VERSIONS.join(' or ')}`);
        continue;
      }
      entries.push(historyEntry(r));
    } catch (e) {
      skipped.push(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing (incomplete report)' : (e as Error).message}`);
    }
  }
  entries.sort((a, b) => (a.finishedAt < b.finishedAt ? -1 : a.finishedAt > b.finishedAt ? 1 : a.runId < b.runId ? -1 : 1));
  return { entries, skipped };
}

const HEADER = [
  'run',
  'finished',
  'mode',
  'spec',
  'commit',
  'target',
  'K',
  'queries',
  'hits@K',
  'recall@K',
  'pop recall',
  'lift',
  'rand recall',
  'coverage',
  'users',
  'overlap',
  'entered',
  'left',
  'train h',
  'cost',
  'bad lines',
];

const count = (n: number | null) => (n === null ? '–' : String(n));

function cells(e: HistoryEntry): string[] {
  return [
    e.runId,
    e.finishedAt.replace(/\.\d+Z$/, 'Z'),
    e.mode === 'production' ? 'prod' : 'exp',
    e.specHash.slice(0, 8),
    e.gitCommit?.slice(0, 8) ?? '–',
    e.target,
    String(e.k),
    String(e.queries),
    e.model ? fmt(e.model.hitsAtK, 2) : '–',
    fmt(e.model?.recallAtK),
    fmt(e.popularity?.recallAtK),
    e.liftOverPopularity === null ? '–' : `${e.liftOverPopularity.toFixed(2)}x`,
    fmt(e.random?.recallAtK),
    fmt(e.model?.coverage),
    count(e.distinctUsers),
    fmt(e.meanOverlap, 4),
    e.entered === null ? '–' : `+${e.entered}`,
    e.left === null ? '–' : `-${e.left}`,
    e.trainingHours === undefined ? '–' : String(e.trainingHours),
    fmtUsd(e.actualUsd ?? e.estimatedUsd) + (e.actualUsd === undefined ? ' est' : ''),
    String(e.badOutputLines),
  ];
}

/** A plain-text table, one run per row, columns aligned; holdout columns show – for production runs. */
export function renderHistory(entries: readonly HistoryEntry[]): string[] {
  const rows = entries.map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => (i < 3 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(HEADER), ...rows.map(line)];
}
