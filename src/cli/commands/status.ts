import type { Command } from '../context.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import { ExitCode } from '../../util/errors.js';
import { pipelineStatus } from '../../engine/status.js';
import { loadRunSpec, pollSettings } from './engine-io.js';
import { engineDeps } from '../engine-deps.js';

export const command: Command = {
  name: 'status',
  summary: 'the state and the live status of every resource the pipeline created',
  usage: ['Usage: segflow status FILE [--json] [--target local|aws]', '', 'Reads only; never takes the lock.'].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseCommandArgs('status', ctx.argv, { json: { type: 'boolean' } });
    const spec = await loadRunSpec(ctx, positionals[0], parseTargetOverride(values.target), 'status');
    const report = await pipelineStatus({ spec, cwd: ctx.cwd, signal: ctx.signal, emit: () => undefined, deps: engineDeps(), ...pollSettings(ctx) });
    if (values.json) {
      ctx.stdout.write(JSON.stringify(report, null, 2) + '\n');
      return ExitCode.ok;
    }
    const w = (s: string) => ctx.stdout.write(s + '\n');
    w(`${report.pipeline} on ${report.target}`);
    if (report.rows.length === 0) w('  nothing applied yet (no state)');
    const width = Math.max(0, ...report.rows.map((r) => r.id.length));
    for (const r of report.rows) {
      w(`  ${r.id.padEnd(width)}  ${r.phase.padEnd(7)}  ${(r.live ?? '').padEnd(18)} ${r.name ?? ''}${r.error ? `  error: ${r.error}` : ''}`);
    }
    if (report.specChangedSinceApply) w('\nThe spec changed since the last apply: run `segflow plan` to see what would change.');
    const show = (m: Record<string, number>) =>
      Object.entries(m)
        .map(([k, v]) => `${k}=${Number(v).toFixed(4)}`)
        .join(' ');
    if (report.metricsByStep) for (const [step, m] of Object.entries(report.metricsByStep)) w(`\nSolution metrics (${step}): ${show(m)}`);
    else if (report.metrics) w(`\nSolution metrics: ${show(report.metrics)}`);
    if (report.report.length) w(['', ...report.report].join('\n'));
    return ExitCode.ok;
  },
};
