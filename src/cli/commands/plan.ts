import { isAbsolute, relative, resolve } from 'node:path';
import type { Command } from '../context.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import { ExitCode, inputError } from '../../util/errors.js';
import { writeJsonAtomic } from '../../util/atomic-write.js';
import { planPipeline } from '../../engine/plan.js';
import { engineDeps } from '../engine-deps.js';
import { planLines } from '../../ui/plan-text.js';
import { GITHUB_COMMENT_LIMIT, planMarkdown } from '../../ui/plan-markdown.js';
import { plainRenderer } from '../../ui/plain.js';
import type { Plan } from '../../plan/types.js';
import { loadRunSpec, pollSettings } from './engine-io.js';

const FORMATS = ['text', 'json', 'markdown'] as const;

/** A saved plan names its spec relative to the working directory, so that another checkout (a CI runner) can apply it. */
function portable(plan: Plan, cwd: string): Plan {
  const rel = relative(cwd, plan.specFile);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? { ...plan, specFile: rel } : plan;
}

export const command: Command = {
  name: 'plan',
  summary: 'show what apply would create, adopt, replace, run or wait for, with reasons and the cost estimate',
  usage: [
    'Usage: segflow plan FILE [--format text|json|markdown] [--detailed-exitcode] [--out PLAN] [--target local|aws]',
    '',
    'Reads the world once and changes nothing in it (the data is prepared locally, as a cache, so that',
    'the plan can tell exactly what will run). Each step is shown as create / adopt / replace / noop /',
    'run / wait with the spec field or input that changed.',
    '',
    '  --format markdown    the plan for a pull request (a GitHub comment or job summary: steps, warnings, cost),',
    '                       at most --max-bytes (default 65536, a GitHub comment; a job summary takes 1048576)',
    '  --json               the plan as JSON on stdout (same as --format json)',
    '  --detailed-exitcode  exit 4 when the plan has changes (0: none)',
    '  --out PLAN           save the plan; `segflow apply PLAN` runs exactly it, refusing if the spec, the state',
    '                       or the world moved since',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseCommandArgs('plan', ctx.argv, {
      json: { type: 'boolean' },
      format: { type: 'string' },
      'max-bytes': { type: 'string' },
      'detailed-exitcode': { type: 'boolean' },
      out: { type: 'string' },
    });
    const format = values.json ? 'json' : (values.format ?? 'text');
    if (!(FORMATS as readonly string[]).includes(format)) throw inputError('CLI_USAGE', `plan: --format must be one of ${FORMATS.join(', ')}, not '${format}'`);
    const maxBytes = values['max-bytes'] === undefined ? GITHUB_COMMENT_LIMIT : Number(values['max-bytes']);
    if (!Number.isInteger(maxBytes) || maxBytes < 1024)
      throw inputError('CLI_USAGE', `plan: --max-bytes must be a whole number of at least 1024, not '${values['max-bytes']}'`);
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
    if (values.out) await writeJsonAtomic(resolve(ctx.cwd, values.out), portable(plan, ctx.cwd));
    if (format === 'json') ctx.stdout.write(JSON.stringify(plan, null, 2) + '\n');
    else if (format === 'markdown') ctx.stdout.write(planMarkdown(plan, { limit: maxBytes, ...(values.out ? { planFile: values.out } : {}) }));
    else {
      for (const l of planLines(plan)) ctx.stdout.write(l + '\n');
      if (values.out) ctx.stdout.write(`\nSaved to ${values.out}; run: segflow apply ${values.out}\n`);
    }
    return values['detailed-exitcode'] && plan.changes > 0 ? ExitCode.planHasChanges : ExitCode.ok;
  },
};
