import { access, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ARTIFACT_FILES, segmentationDir } from '../../data/artifacts.js';
import type { HistoryEntry, Report } from '../../eval/index.js';
import { loadSpec } from '../../spec/load.js';
import type { Segmentation, Spec } from '../../spec/types.js';
import { SegflowError, ExitCode } from '../../util/errors.js';
import { reportsDir, workDir } from '../../util/paths.js';
import { inputError } from '../../util/errors.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { syncReports } from '../../engine/reports.js';
import { engineDeps } from '../engine-deps.js';
import { chooseSegmentation } from './segmentation-arg.js';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

export const command: Command = {
  name: 'report',
  summary: "each segmentation's latest run: holdout vs baselines, or a production run's segments; writes report files",
  usage: [
    'Usage: segflow report FILE [--segmentation NAME] [--json] [--history] [--target local|aws]',
    '',
    "Reports on each segmentation's latest run from local files only (.segflow/work/<name>/: run-info.json, the",
    'downloaded segments, ground truth and train interactions): an experiment (with split) against the popularity',
    "and random baselines on the holdout; a production run (no split) by its segments' sizes, reach and overlap,",
    "Personalize's metrics and the change since the previous run. Writes report.json, report.md, report.html and",
    'segments.csv to .segflow/reports/<name>/<runId>/ (other segmentations: .../<name>/segmentations/<segmentation>/<runId>/).',
    '  --segmentation NAME  only this segmentation (default: every one, in the order of the pipeline file)',
    '  --json               print report.json (several segmentations: an array of them; with --history: the entries)',
    '  --history            compare every stored run of each segmentation in one table (with a shared s3 state, the',
    '                       reports stored beside it are fetched first, so every machine shows the same history)',
    'Exit 0 on success; 1 when there is no finished run yet (RUN_NO_RUN: run segflow apply first) or an',
    'input file is missing or unreadable; 2 for an invalid pipeline file or flags.',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseCommandArgs('report', ctx.argv, {
      segmentation: { type: 'string' },
      json: { type: 'boolean' },
      history: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw inputError('CLI_USAGE', 'report: name exactly one pipeline file');
    const target = parseTargetOverride(values.target);
    // 'validate' mode: a report reads only .segflow/, so a moved raw data file must not block it.
    const spec = await loadSpec(positionals[0]!, { mode: 'validate', cwd: ctx.cwd, ...(target && { target }) });
    const chosen = values.segmentation !== undefined ? [chooseSegmentation(spec, values.segmentation)] : spec.segmentations;
    if (values.history) {
      // A shared state keeps every run's report beside it: fetch the ones this machine has not seen.
      const fetched = await syncReports({ spec, cwd: ctx.cwd, deps: engineDeps() });
      if (fetched) ctx.stderr.write(`fetched ${fetched} report(s) stored beside the state\n`);
    }
    const runs = await withRuns(spec, chosen, ctx.cwd, values.history === true);
    const file = positionals[0]!;
    if (runs.length === 0) throw new SegflowError('RUN_NO_RUN', `no finished run of ${describe(spec, chosen)} to report on: run 'segflow apply ${file}' first`);
    for (const seg of chosen.filter((s) => !runs.includes(s))) ctx.stderr.write(`note: segmentation ${seg.name} has no finished run yet\n`);
    if (values.history) return history(ctx, spec, chosen, runs, values.json === true, file);
    const { reportRun, summarizeReport, REPORT_FILES } = await import('../../eval/index.js');
    const reports: Report[] = [];
    for (const seg of runs) {
      const { report, dir } = await reportRun(workDir(spec.name, ctx.cwd), spec, reportsRoot(spec, seg, ctx.cwd), { segmentation: seg });
      reports.push(report);
      if (values.json) continue;
      for (const w of report.warnings) ctx.stderr.write(`warning: ${w}\n`);
      out(ctx, `${spec.name}${seg.name !== spec.name ? `, segmentation ${seg.name}` : ''}, run ${report.runId}`);
      for (const line of summarizeReport(report)) out(ctx, line);
      const sm = report.solutionMetrics?.values;
      if (sm)
        out(
          ctx,
          `  Personalize's own metrics (different protocol, not comparable): ${Object.entries(sm)
            .map(([k, v]) => `${k} ${v.toFixed(4)}`)
            .join(', ')}`,
        );
      out(
        ctx,
        `report: ${relative(ctx.cwd, join(dir, REPORT_FILES.html)) || '.'} (also ${REPORT_FILES.json}, ${REPORT_FILES.markdown}, ${REPORT_FILES.segments})`,
      );
    }
    // One segmentation asked for (or the only one): report.json itself, as before segmentations existed.
    if (values.json) out(ctx, JSON.stringify(chosen.length === 1 ? reports[0] : reports, null, 2));
    return ExitCode.ok;
  },
};

const out = (ctx: CommandContext, line: string) => ctx.stdout.write(line + '\n');

function describe(spec: Spec, chosen: Segmentation[]): string {
  return chosen.length === 1 && chosen[0]!.name !== spec.name ? `segmentation ${chosen[0]!.name}` : `pipeline ${spec.name}`;
}

/** A segmentation's reports: .segflow/reports/<name>/ for the primary one, .../segmentations/<segmentation>/ otherwise. */
export function reportsRoot(spec: Spec, seg: Segmentation, cwd: string): string {
  return join(reportsDir(spec.name, cwd), segmentationDir(seg));
}

/** The chosen segmentations with a finished run (a run-info.json) or, for history, stored reports. */
async function withRuns(spec: Spec, chosen: Segmentation[], cwd: string, history: boolean): Promise<Segmentation[]> {
  const found: Segmentation[] = [];
  for (const seg of chosen) {
    const run = join(workDir(spec.name, cwd), segmentationDir(seg), ARTIFACT_FILES.runInfo);
    if ((await exists(run)) || (history && (await hasReports(reportsRoot(spec, seg, cwd))))) found.push(seg);
  }
  return found;
}

/** A reports root with a run directory (the primary segmentation's also holds the others' under segmentations/). */
async function hasReports(root: string): Promise<boolean> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return entries.some((d) => d.isDirectory() && d.name !== 'segmentations');
}

async function history(ctx: CommandContext, spec: Spec, chosen: Segmentation[], runs: Segmentation[], json: boolean, file: string): Promise<number> {
  const { loadHistory, readRunInfo, renderHistory, reportRun, REPORT_FILES } = await import('../../eval/index.js');
  const all: HistoryEntry[] = [];
  for (const seg of runs) {
    const root = reportsRoot(spec, seg, ctx.cwd);
    const segDir = join(workDir(spec.name, ctx.cwd), segmentationDir(seg));
    // Make sure the latest run is in the table, without re-evaluating runs already reported.
    if (await exists(join(segDir, ARTIFACT_FILES.runInfo))) {
      const run = await readRunInfo(segDir);
      if (!(await exists(join(root, run.runId, REPORT_FILES.json)))) await reportRun(workDir(spec.name, ctx.cwd), spec, root, { segmentation: seg });
    }
    const { entries, skipped } = await loadHistory(root);
    for (const s of skipped) ctx.stderr.write(`warning: skipped ${s}\n`);
    all.push(...entries);
    if (!json && entries.length) {
      if (chosen.length > 1) out(ctx, `segmentation ${seg.name}:`);
      for (const line of renderHistory(entries)) out(ctx, line);
    }
  }
  if (all.length === 0) throw new SegflowError('RUN_NO_RUN', `no reports for ${describe(spec, chosen)} yet: run 'segflow apply ${file}' first`);
  if (json) out(ctx, JSON.stringify(all, null, 2));
  return ExitCode.ok;
}
