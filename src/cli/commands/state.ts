import type { Command, CommandContext } from '../context.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import { ExitCode, inputError } from '../../util/errors.js';
import { migrateState, stateHistory } from '../../engine/state-admin.js';
import type { StateSpec } from '../../spec/types.js';
import { engineDeps } from '../engine-deps.js';
import { loadSpecForState, lockOwner, pollSettings } from './engine-io.js';

/** --from local | s3://BUCKET/KEY (the bucket in the region of spec.state, else the target's). */
function parseFrom(value: string, region: string): StateSpec {
  if (value === 'local') return { backend: 'local' };
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(value);
  if (!m) throw inputError('CLI_USAGE', `state migrate: --from must be local or s3://BUCKET/KEY, not '${value}'`);
  return { backend: 's3', bucket: m[1]!, key: m[2]!, region };
}

async function history(ctx: CommandContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('state history', argv, { json: { type: 'boolean' }, limit: { type: 'string' } });
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw inputError('CLI_USAGE', `state history: --limit must be a whole number of at least 1, not '${values.limit}'`);
  const spec = await loadSpecForState(ctx, positionals[0], parseTargetOverride(values.target), 'state history');
  const report = await stateHistory({ spec, cwd: ctx.cwd, deps: engineDeps() }, limit);
  if (values.json) {
    ctx.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return ExitCode.ok;
  }
  const w = (s: string) => ctx.stdout.write(s + '\n');
  w(`State of ${spec.name}: ${report.location}`);
  if (report.lock)
    w(
      `Locked: ${report.lock.id}, ${report.lock.command} by ${report.lock.who ? `${report.lock.who} on ` : ''}${report.lock.host} (pid ${report.lock.pid}) since ${report.lock.since}${report.lock.expiresAt ? `, lease until ${report.lock.expiresAt}` : ''}`,
    );
  if (report.entries.length === 0) {
    w('  no state yet');
    return ExitCode.ok;
  }
  const rows = [
    ['serial', 'updated', 'steps', 'stored', 'version'],
    ...report.entries.map((e) => [
      `${e.current ? '*' : ' '}${e.serial ?? '?'}`,
      e.updatedAt ?? '?',
      String(e.steps ?? '?'),
      e.storedAt ?? '',
      `${e.ref}${e.movedTo ? ` (moved to ${e.movedTo})` : ''}`,
    ]),
  ];
  const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
  for (const r of rows)
    w(
      `  ${r
        .map((c, k) => c.padEnd(widths[k]!))
        .join('  ')
        .trimEnd()}`,
    );
  if (report.backend === 'local') w('  (the local backend keeps only the current version; a shared s3 state keeps every version)');
  else w('  * current version');
  return ExitCode.ok;
}

async function migrate(ctx: CommandContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('state migrate', argv, { from: { type: 'string' } });
  const spec = await loadSpecForState(ctx, positionals[0], parseTargetOverride(values.target), 'state migrate');
  const region = spec.state?.backend === 's3' ? spec.state.region : spec.target.region;
  const from = values.from === undefined ? undefined : parseFrom(values.from, region);
  const tuning = pollSettings(ctx);
  const result = await migrateState({
    spec,
    cwd: ctx.cwd,
    deps: engineDeps(),
    lockOwner: lockOwner(ctx),
    ...(tuning.lockLeaseMs !== undefined ? { lockLeaseMs: tuning.lockLeaseMs } : {}),
    ...(from ? { from } : {}),
  });
  ctx.stdout.write(
    `Moved the state of ${spec.name} (${result.steps} steps) from ${result.from} to ${result.to} (serial ${result.serial}); the old one is marked as moved.\n`,
  );
  return ExitCode.ok;
}

export const command: Command = {
  name: 'state',
  summary: 'the state itself: history (every kept version) and migrate (move it where spec.state says)',
  usage: [
    'Usage: segflow state history FILE [--json] [--limit N] [--target local|aws]',
    '       segflow state migrate FILE [--from local|s3://BUCKET/KEY] [--target local|aws]',
    '',
    'history  every kept version of the state, newest first (S3 versions, or the copies under <key>.history/),',
    '         with its serial, time and number of steps, and who holds the lock now',
    'migrate  copies the state from where it is (where this directory found it last, the local file, or --from)',
    '         to the location spec.state names, with both locks held; the old state is marked as moved so that',
    '         nothing uses it by mistake. Refused (exit 3) when the destination already holds a state.',
  ].join('\n'),
  async run(ctx) {
    const [sub, ...rest] = ctx.argv;
    if (sub === 'history') return history(ctx, rest);
    if (sub === 'migrate') return migrate(ctx, rest);
    throw inputError('CLI_USAGE', `state: unknown subcommand '${sub ?? ''}'`, ['usage: segflow state history|migrate FILE']);
  },
};
