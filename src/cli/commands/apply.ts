import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command, CommandContext } from '../context.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import { ExitCode, inputError, isSegflowError } from '../../util/errors.js';
import { applyPipeline, type ApplySummary } from '../../engine/apply.js';
import type { Plan } from '../../plan/types.js';
import { askYes, chooseRenderer, loadRunSpec, pollSettings, lockOwner } from './engine-io.js';
import { engineDeps } from '../engine-deps.js';

/** A file written by `plan --out` (JSON with a basisHash) rather than a pipeline YAML. */
async function readSavedPlan(cwd: string, file: string): Promise<Plan | undefined> {
  if (/\.ya?ml$/i.test(file)) return undefined;
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch {
    return undefined;
  }
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value = JSON.parse(text) as Plan;
    return value && value.version === 1 && typeof value.basisHash === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function summaryLines(s: ApplySummary): string[] {
  const changed = s.steps.filter((x) => x.outcome === 'done').length;
  const adopted = s.steps.filter((x) => x.adopted).length;
  const upToDate = s.steps.filter((x) => x.outcome === 'noop').length;
  const failed = s.steps.filter((x) => x.outcome === 'failed' || x.outcome === 'skipped' || x.outcome === 'cancelled').length;
  const lines = [
    `${s.ok ? 'Apply complete' : 'Apply stopped'}: ${changed} step(s) applied${adopted ? ` (${adopted} adopted)` : ''}, ${upToDate} up to date${failed ? `, ${failed} not done` : ''} in ${(s.durationMs / 1000).toFixed(1)}s.`,
    `${s.totalCalls} SDK calls (${s.createCalls} create/put), ${(s.bytesUploaded / 1e6).toFixed(2)} MB uploaded, target ${s.target}.`,
  ];
  if (s.report.length) lines.push('', ...s.report);
  return lines;
}

export const command: Command = {
  name: 'apply',
  summary: 'create, resume or update the pipeline and its run; never pays twice for the same inputs',
  usage: [
    'Usage: segflow apply FILE|PLAN [--auto-approve] [--approve-cost] [--json] [--target local|aws]',
    '',
    'Plans, asks for confirmation (on a terminal; elsewhere --auto-approve is required), then executes the',
    'steps in parallel where they are independent. Resumes whatever a previous run left, re-attaching to jobs',
    'in flight. Ctrl-C stops cleanly.',
    '',
    '  --auto-approve  do not ask',
    '  --approve-cost  run even when the estimate exceeds budget.maxUsd',
    '  --json          a JSON summary on stdout (SDK calls per operation, bytes uploaded, steps)',
  ].join('\n'),
  async run(ctx: CommandContext) {
    const { values, positionals } = parseCommandArgs('apply', ctx.argv, {
      'auto-approve': { type: 'boolean' },
      'approve-cost': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const arg = positionals[0];
    if (!arg) throw inputError('CLI_USAGE', 'apply: missing FILE or PLAN', ['usage: segflow apply FILE|PLAN']);
    const savedPlan = await readSavedPlan(ctx.cwd, arg);
    const spec = await loadRunSpec(ctx, savedPlan ? savedPlan.specFile : arg, parseTargetOverride(values.target), 'apply');
    const json = Boolean(values.json);
    const renderer = chooseRenderer(ctx, json);
    const canAsk = ctx.isTTY && !json;
    const outcome = await applyPipeline({
      spec,
      cwd: ctx.cwd,
      signal: ctx.signal,
      emit: renderer.emit,
      deps: engineDeps(),
      autoApprove: Boolean(values['auto-approve']),
      approveCost: Boolean(values['approve-cost']),
      ...(canAsk ? { confirm: () => askYes(ctx, 'Do you want to apply these changes?') } : {}),
      ...(savedPlan ? { savedPlan } : {}),
      lockOwner: lockOwner(ctx),
      ...pollSettings(ctx),
    });
    await renderer.finish();
    const { summary } = outcome;
    if (summary) {
      const error = outcome.ok ? undefined : outcome.error;
      if (json)
        ctx.stdout.write(
          JSON.stringify(
            {
              ...summary,
              ...(error
                ? {
                    error: isSegflowError(error)
                      ? { code: error.code, message: error.message }
                      : error instanceof Error
                        ? String(error)
                        : JSON.stringify(error),
                  }
                : {}),
            },
            null,
            2,
          ) + '\n',
        );
      else for (const l of summaryLines(summary)) ctx.stdout.write(l + '\n');
    }
    if (!outcome.ok) throw outcome.error;
    return ExitCode.ok;
  },
};
