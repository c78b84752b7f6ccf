import { createInterface } from 'node:readline/promises';
import type { CommandContext } from '../context.js';
import type { Emit, EngineEvent } from '../../engine/events.js';
import { loadSpec } from '../../spec/load.js';
import type { Spec } from '../../spec/types.js';
import { inputError } from '../../util/errors.js';
import { plainRenderer } from '../../ui/plain.js';
import type { EngineTuning } from '../../engine/deps.js';
import type { LockOwner } from '../../state/backend.js';
import type { FaultSpec } from '../../emulator/index.js';
import { listrRenderer } from '../../ui/listr.js';

/** Shared by plan/apply/status/destroy: loading the spec, choosing a renderer, asking for confirmation. */
/** FILE is relative to the command's working directory, like everything else the command touches. */
export async function loadRunSpec(ctx: CommandContext, file: string | undefined, target: 'local' | 'aws' | undefined, command: string): Promise<Spec> {
  if (!file) throw inputError('CLI_USAGE', `${command}: missing FILE`, [`usage: segflow ${command} FILE`]);
  return loadSpec(file, { mode: 'run', cwd: ctx.cwd, ...(target ? { target } : {}) });
}

/**
 * For commands that read only the spec's names and state location (unlock, state, iam-policy, report): the data
 * files need not exist (validate mode), like `report`.
 */
export async function loadSpecForState(ctx: CommandContext, file: string | undefined, target: 'local' | 'aws' | undefined, command: string): Promise<Spec> {
  if (!file) throw inputError('CLI_USAGE', `${command}: missing FILE`, [`usage: segflow ${command} FILE`]);
  return loadSpec(file, { mode: 'validate', cwd: ctx.cwd, ...(target ? { target } : {}) });
}

export interface Renderer {
  emit: Emit;
  finish(): Promise<void>;
}

/** listr2 on a terminal, plain lines otherwise; with --json progress goes to stderr and stdout stays machine-readable. */
export function chooseRenderer(ctx: CommandContext, json: boolean, opts: { quietPlan?: boolean } = {}): Renderer {
  if (json) {
    const plain = plainRenderer(ctx.stderr);
    return { emit: (e) => (e.type === 'plan' ? undefined : plain(e)), finish: async () => undefined };
  }
  if (ctx.isTTY && !ctx.env['CI']) {
    const r = listrRenderer(ctx.stdout);
    return r;
  }
  const plain = plainRenderer(ctx.stdout);
  const emit = (e: EngineEvent) => {
    if (opts.quietPlan && e.type === 'plan') return;
    plain(e);
  };
  return { emit, finish: async () => undefined };
}

/** Terraform's habit: only "yes" approves. Only asked on a terminal. */
export async function askYes(ctx: CommandContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stdout });
  try {
    const answer = await rl.question(`${question}\n  Only 'yes' will be accepted: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}

/**
 * Who takes a lock, as its holder is named to others: the CI actor and run when segflow runs in GitHub Actions or
 * GitLab CI, else the user (the lock adds host and pid itself).
 */
export function lockOwner(ctx: CommandContext): LockOwner {
  const e = ctx.env;
  const who = e['GITHUB_ACTOR'] ?? e['GITLAB_USER_LOGIN'] ?? e['USER'] ?? e['USERNAME'];
  const runId = e['GITHUB_RUN_ID']
    ? `github ${e['GITHUB_REPOSITORY'] ?? ''} run ${e['GITHUB_RUN_ID']}${e['GITHUB_RUN_ATTEMPT'] ? `.${e['GITHUB_RUN_ATTEMPT']}` : ''}`.replace('  ', ' ')
    : e['CI_JOB_ID']
      ? `gitlab job ${e['CI_JOB_ID']}`
      : undefined;
  return { ...(who ? { who } : {}), ...(runId ? { runId } : {}) };
}

/**
 * Tuning from the environment, for tests and trials: SEGFLOW_POLL_MS="initial,max" poll delays,
 * SEGFLOW_LOCK_LEASE_S the lease of a shared state's lock (default 120),
 * SEGFLOW_EMULATOR_FAULTS='{"throttleRate":0.2}' and SEGFLOW_EMULATOR_LIFECYCLE=realistic for the in-process emulator.
 */
export function pollSettings(ctx: CommandContext): EngineTuning {
  const out: EngineTuning = {};
  const raw = ctx.env['SEGFLOW_POLL_MS'];
  if (raw) {
    const [a, b] = raw.split(',').map(Number);
    if (a) out.pollInitialMs = a;
    if (b) out.pollMaxMs = b;
  }
  const lease = ctx.env['SEGFLOW_LOCK_LEASE_S'];
  if (lease) {
    const seconds = Number(lease);
    if (!(seconds > 0)) throw inputError('CLI_USAGE', `SEGFLOW_LOCK_LEASE_S must be a number of seconds greater than 0, not '${lease}'`);
    out.lockLeaseMs = Math.round(seconds * 1000);
  }
  const faults = ctx.env['SEGFLOW_EMULATOR_FAULTS'];
  const lifecycle = ctx.env['SEGFLOW_EMULATOR_LIFECYCLE'];
  if (faults || lifecycle) {
    let parsed: FaultSpec | undefined;
    try {
      parsed = faults ? (JSON.parse(faults) as FaultSpec) : undefined;
    } catch {
      throw inputError('CLI_USAGE', 'SEGFLOW_EMULATOR_FAULTS must be JSON, e.g. {"throttleRate":0.2}');
    }
    out.emulatorOptions = { ...(parsed ? { faults: parsed } : {}), ...(lifecycle === 'realistic' || lifecycle === 'fast' ? { lifecycle } : {}) };
  }
  return out;
}
