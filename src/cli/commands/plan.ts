import { resolve } from 'node:path';
import type { Command } from '../context.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import { ExitCode } from '../../util/errors.js';
import { writeJsonAtomic } from '../../util/atomic-write.js';
import { planPipeline } from '../../engine/plan.js';
import { engineDeps } from '../engine-deps.js';
import { planLines } from '../../ui/plan-text.js';
import { plainRenderer } from '../../ui/plain.js';
import { loadRunSpec, pollSettings } from './engine-io.js';

export const command: Command = {
  name: 'plan',
  summary: 'show what apply would create, adopt, replace, run or wait for, with reasons and the cost estimate',
  usage: [
    'Usage: segflow plan FILE [--json] [--detailed-exitcode] [--out PLAN] [--target local|aws]',
    '',
    'Reads the world once and changes nothing in it (the data is prepared locally, as a cache, so that',
    'the plan can tell exactly what will run). Each step is shown as create / adopt / replace / noop /',
    'run / wait with the spec field or input that changed.',
    '',
    '  --json               the plan as JSON on stdout',
    '  --detailed-exitcode  exit 4 when the plan has changes (0: none)',
    '  --out PLAN           save the plan; `segflow apply PLAN` runs it, refusing if the spec or world moved',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseCommandArgs('plan', ctx.argv, {
      json: { type: 'boolean' },
      'detailed-exitcode': { type: 'boolean' },
      out: { type: 'string' },
    });
    const spec = await loadRunSpec(ctx, positionals[0], parseTargetOverride(values.target), 'plan');
    const progress = plainRenderer(ctx.stderr);
    const plan = await planPipeline({
      spec,
      cwd: ctx.cwd,
      signal: ctx.signal,
      emit: (e) => (e.type === 'step-progress' ? undefined : progress(e)),
      deps: engineDeps(),
      ...pollSettings(ctx),
    });
    if (values.out) await writeJsonAtomic(resolve(ctx.cwd, values.out), plan);
    if (values.json) ctx.stdout.write(JSON.stringify(plan, null, 2) + '\n');
    else {
      for (const l of planLines(plan)) ctx.stdout.write(l + '\n');
      if (values.out) ctx.stdout.write(`\nSaved to ${values.out}; run: segflow apply ${values.out}\n`);
    }
    return values['detailed-exitcode'] && plan.changes > 0 ? ExitCode.planHasChanges : ExitCode.ok;
  },
};
