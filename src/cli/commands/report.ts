import { access } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ARTIFACT_FILES } from '../../data/artifacts.js';
import { loadHistory, readRunInfo, renderHistory, reportRun, REPORT_FILES, summarizeReport } from '../../eval/index.js';
import { loadSpec } from '../../spec/load.js';
import { SegflowError, ExitCode } from '../../util/errors.js';
import { reportsDir, workDir } from '../../util/paths.js';
import { inputError } from '../../util/errors.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import type { Command } from '../context.js';
import { syncReports } from '../../engine/reports.js';
import { engineDeps } from '../engine-deps.js';

const exists = (p: string) => access(p).then(() => true, () => false);

export const command: Command = {
  name: 'report',
  summary: 'holdout evaluation of the latest run against baselines; writes report files (reads AWS only for a shared history)',
  usage: [
    'Usage: segflow report FILE [--json] [--history] [--target local|aws]',
    '',
    'Evaluates the latest run of the pipeline from local files only (.segflow/work/<name>/: ground truth,',
    'train interactions, run-info.json and the downloaded segments) and writes',
    '.segflow/reports/<name>/<runId>/ report.json, report.md, report.html and segments.csv.',
    '  --json      print report.json (with --history: the history entries) instead of the summary',
    '  --history   compare every stored run of the pipeline in one table (with a shared s3 state, the reports',
    '              stored beside it are fetched first, so every machine shows the same history)',
    'Exit 0 on success; 1 when there is no finished run yet (RUN_NO_RUN: run segflow apply first) or an',
    'input file is missing or unreadable; 2 for an invalid pipeline file or flags.',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseCommandArgs('report', ctx.argv, {
      json: { type: 'boolean' },
      history: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw inputError('CLI_USAGE', 'report: name exactly one pipeline file');
    const target = parseTargetOverride(values.target);
    // 'validate' mode: a report reads only .segflow/, so a moved raw data file must not block it.
    const spec = await loadSpec(positionals[0]!, { mode: 'validate', cwd: ctx.cwd, ...(target && { target }) });
    const work = workDir(spec.name, ctx.cwd);
    const root = reportsDir(spec.name, ctx.cwd);
    const out = (line: string) => ctx.stdout.write(line + '\n');
    const display = (p: string) => relative(ctx.cwd, p) || '.';

    if (values.history) {
      // A shared state keeps every run's report beside it: fetch the ones this machine has not seen.
      const fetched = await syncReports({ spec, cwd: ctx.cwd, deps: engineDeps() });
      if (fetched) ctx.stderr.write(`fetched ${fetched} report(s) stored beside the state\n`);
      // Make sure the latest run is in the table, without re-evaluating runs already reported.
      if (await exists(join(work, ARTIFACT_FILES.runInfo))) {
        const run = await readRunInfo(work);
        if (!(await exists(join(root, run.runId, REPORT_FILES.json)))) await reportRun(work, spec, root);
      }
      const { entries, skipped } = await loadHistory(root);
      for (const s of skipped) ctx.stderr.write(`warning: skipped ${s}\n`);
      if (entries.length === 0) {
        throw new SegflowError('RUN_NO_RUN', `no reports for pipeline ${spec.name} yet: run 'segflow apply ${positionals[0]}' first`);
      }
      if (values.json) out(JSON.stringify(entries, null, 2));
      else for (const line of renderHistory(entries)) out(line);
      return ExitCode.ok;
    }

    const { report, dir } = await reportRun(work, spec, root);
    if (values.json) {
      out(JSON.stringify(report, null, 2));
      return ExitCode.ok;
    }
    for (const w of report.warnings) ctx.stderr.write(`warning: ${w}\n`);
    out(`${spec.name}, run ${report.runId}`);
    for (const line of summarizeReport(report)) out(line);
    const sm = report.solutionMetrics?.values;
    if (sm) {
      const shown = Object.entries(sm).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
      out(`  Personalize's own metrics (different protocol, not comparable): ${shown}`);
    }
    out(`report: ${display(join(dir, REPORT_FILES.html))} (also ${REPORT_FILES.json}, ${REPORT_FILES.markdown}, ${REPORT_FILES.segments})`);
    return ExitCode.ok;
  },
};
