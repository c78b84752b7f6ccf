import type { Command } from '../context.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import { ExitCode, refusal } from '../../util/errors.js';
import { destroyPipeline } from '../../engine/destroy.js';
import { plainRenderer } from '../../ui/plain.js';
import { askYes, loadRunSpec, pollSettings, lockOwner } from './engine-io.js';
import { engineDeps } from '../engine-deps.js';

export const command: Command = {
  name: 'destroy',
  summary: 'stop training in flight and delete everything the pipeline created (sweeping by tag)',
  usage: [
    'Usage: segflow destroy FILE [--keep-data] [--auto-approve] [--json] [--target local|aws]',
    '',
    'Deletes in reverse dependency order, waiting for each deletion; idempotent. Import and batch segment',
    'jobs cannot be deleted on AWS (they cost nothing once finished): they are listed.',
    '',
    '  --keep-data     keep the bucket and its objects',
    '  --auto-approve  do not ask (required without a terminal)',
    '  --json          a JSON summary on stdout',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseCommandArgs('destroy', ctx.argv, {
      'keep-data': { type: 'boolean' },
      'auto-approve': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const spec = await loadRunSpec(ctx, positionals[0], parseTargetOverride(values.target), 'destroy');
    if (!values['auto-approve']) {
      if (!ctx.isTTY || values.json) {
        throw refusal('DESTROY_NOT_CONFIRMED', 'destroy needs a confirmation and there is no terminal to ask', ['pass --auto-approve']);
      }
      const ok = await askYes(
        ctx,
        `Destroy every resource of pipeline ${spec.name}${values['keep-data'] ? ' (keeping the bucket)' : ', including the bucket'}?`,
      );
      if (!ok) throw refusal('DESTROY_DECLINED', 'destroy cancelled');
    }
    const progress = plainRenderer(values.json ? ctx.stderr : ctx.stdout, { progressEveryMs: 0 });
    const summary = await destroyPipeline({
      spec,
      cwd: ctx.cwd,
      signal: ctx.signal,
      emit: (e) => (e.type === 'step-progress' ? progress({ type: 'info', message: e.message }) : undefined),
      keepData: Boolean(values['keep-data']),
      lockOwner: lockOwner(ctx),
      deps: engineDeps(),
      ...pollSettings(ctx),
    });
    if (values.json) {
      ctx.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      return ExitCode.ok;
    }
    const w = (s: string) => ctx.stdout.write(s + '\n');
    w(`Destroyed ${summary.deleted.length} resource(s) of ${summary.pipeline}.`);
    for (const d of summary.deleted) w(`  - ${d}`);
    for (const k of summary.kept) w(`  kept: ${k}`);
    if (summary.undeletable.length) {
      w('AWS offers no delete for these (finished jobs cost nothing):');
      for (const u of summary.undeletable) w(`  ${u}`);
    }
    w(summary.stillBilling.length ? `Still billing: ${summary.stillBilling.join(', ')}` : 'Nothing of this pipeline costs money any more.');
    return ExitCode.ok;
  },
};
