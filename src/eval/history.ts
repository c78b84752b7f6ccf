/** `segflow report --history`: every stored report of a pipeline, oldest first, in one table. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fmt, fmtUsd } from './format.js';
import { REPORT_VERSION, type Report } from './report-types.js';
import { REPORT_FILES } from './write-report.js';

export interface HistoryEntry {
  runId: string;
  finishedAt: string;
  specHash: string;
  gitCommit?: string;
  target: string;
  k: number;
  queries: number;
  model: { hitsAtK: number; recallAtK: number; coverage: number };
  popularity: { hitsAtK: number; recallAtK: number };
  random: { recallAtK: number };
  liftOverPopularity: number | null;
  trainingHours?: number;
  estimatedUsd: number;
  actualUsd?: number;
  badOutputLines: number;
}

export function historyEntry(r: Report): HistoryEntry {
  const h = r.holdout;
  return {
    runId: r.runId,
    finishedAt: r.run.finishedAt,
    specHash: r.spec.hash,
    ...(r.spec.gitCommit !== undefined ? { gitCommit: r.spec.gitCommit } : {}),
    target: r.run.target,
    k: h.k,
    queries: h.queryCount,
    model: { hitsAtK: h.model.hitsAtK, recallAtK: h.model.recallAtK, coverage: h.model.coverage },
    popularity: { hitsAtK: h.baselines.popularity.hitsAtK, recallAtK: h.baselines.popularity.recallAtK },
    random: { recallAtK: h.baselines.random.recallAtK },
    liftOverPopularity: h.baselines.popularity.lift.recall,
    ...(r.cost.trainingHours !== undefined ? { trainingHours: r.cost.trainingHours } : {}),
    estimatedUsd: r.cost.estimatedUsd,
    ...(r.cost.actualUsd !== undefined ? { actualUsd: r.cost.actualUsd } : {}),
    badOutputLines: r.badOutputLines.count,
  };
}

/**
 * Reads <reportsRoot>/<runId>/report.json for every run. A directory without a readable report.json of this
 * version is listed in `skipped` with the reason, not silently ignored.
 */
export async function loadHistory(reportsRoot: string): Promise<{ entries: HistoryEntry[]; skipped: string[] }> {
  let dirs: string[];
  try {
    dirs = (await readdir(reportsRoot, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], skipped: [] };
    throw e;
  }
  const entries: HistoryEntry[] = [];
  const skipped: string[] = [];
  for (const d of dirs.sort()) {
    const path = join(reportsRoot, d, REPORT_FILES.json);
    try {
      const r = JSON.parse(await readFile(path, 'utf8')) as Report;
      if (r.version !== REPORT_VERSION) {
        skipped.push(`${path}: report version ${String(r.version)}, expected ${REPORT_VERSION}`);
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

/** A plain-text table, one run per row, columns aligned. */
export function renderHistory(entries: readonly HistoryEntry[]): string[] {
  const header = ['run', 'finished', 'spec', 'commit', 'target', 'K', 'queries', 'hits@K', 'recall@K', 'pop recall', 'lift', 'rand recall', 'coverage', 'train h', 'cost', 'bad lines'];
  const rows = entries.map((e) => [
    e.runId,
    e.finishedAt.replace(/\.\d+Z$/, 'Z'),
    e.specHash.slice(0, 8),
    e.gitCommit?.slice(0, 8) ?? '–',
    e.target,
    String(e.k),
    String(e.queries),
    fmt(e.model.hitsAtK, 2),
    fmt(e.model.recallAtK),
    fmt(e.popularity.recallAtK),
    e.liftOverPopularity === null ? '–' : `${e.liftOverPopularity.toFixed(2)}x`,
    fmt(e.random.recallAtK),
    fmt(e.model.coverage),
    e.trainingHours === undefined ? '–' : String(e.trainingHours),
    fmtUsd(e.actualUsd ?? e.estimatedUsd) + (e.actualUsd === undefined ? ' est' : ''),
    String(e.badOutputLines),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}
