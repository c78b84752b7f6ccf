import { createClients, type AwsClients } from '../aws/clients.js';
import type { Spec, Target } from '../spec/types.js';
import { StateStore } from '../state/store.js';
import { acquireLock, type Lock } from '../util/file-lock.js';
import { localEmulatorDir, stateFile, workDir } from '../util/paths.js';
import { SegflowError } from '../util/errors.js';
import { pipelineSteps } from '../resources/index.js';
import type { StepContext, StepDefinition } from '../resources/types.js';
import { loadEmulator, moduleOverrides, type EmulatorHandle } from './modules.js';
import type { Emit } from './events.js';
import type { FaultSpec } from '../emulator/index.js';

/** Knobs for tests and trials: poll delays, wait timeout, the in-process emulator's options. */
export interface EngineTuning {
  pollInitialMs?: number;
  pollMaxMs?: number;
  waitTimeoutMs?: number;
  emulator?: { faults?: FaultSpec; lifecycle?: 'fast' | 'realistic' };
}

export function tuningOf(o: EngineTuning): EngineTuning {
  const out: EngineTuning = {};
  if (o.pollInitialMs !== undefined) out.pollInitialMs = o.pollInitialMs;
  if (o.pollMaxMs !== undefined) out.pollMaxMs = o.pollMaxMs;
  if (o.waitTimeoutMs !== undefined) out.waitTimeoutMs = o.waitTimeoutMs;
  if (o.emulator !== undefined) out.emulator = o.emulator;
  return out;
}

export interface SessionOptions extends EngineTuning {
  spec: Spec;
  cwd: string;
  signal: AbortSignal;
  emit: Emit;
  /** Take the pipeline's lock for this command (apply, destroy); plan and status read without it. */
  lockFor?: string;
}

export interface Session {
  ctx: StepContext;
  steps: StepDefinition[];
  aws: AwsClients;
  close(): Promise<void>;
}

export interface TargetConnection {
  aws: AwsClients;
  close(): Promise<void>;
}

/**
 * SDK clients for the spec's target: for local, pointed at the emulator (started in process unless
 * target.endpoint names a running one). openSession uses it; so does `segflow prepare` for s3:// sources.
 */
export async function connectTarget(
  target: Target,
  cwd: string,
  opts: { emulator?: EngineTuning['emulator']; onInfo?: (message: string) => void } = {},
): Promise<TargetConnection> {
  let emulator: EmulatorHandle | undefined;
  let endpoint = target.endpoint;
  if (target.kind === 'local' && !endpoint) {
    const { startEmulator } = await loadEmulator();
    emulator = await startEmulator({ dataDir: localEmulatorDir(cwd), port: 0, ...(opts.emulator ?? {}) });
    endpoint = emulator.endpoint;
    opts.onInfo?.(`local emulator started at ${endpoint} (data in ${localEmulatorDir(cwd)})`);
  }
  try {
    const aws = moduleOverrides.clients ? moduleOverrides.clients(endpoint) : createClients({ target, ...(endpoint ? { endpoint } : {}) });
    return {
      aws,
      async close() {
        aws.destroy();
        await emulator?.close();
      },
    };
  } catch (e) {
    await emulator?.close().catch(() => undefined);
    throw e;
  }
}

/**
 * Everything one command needs: the lock, the state, the SDK clients (for the local target, pointed at the
 * emulator, started in process unless target.endpoint names a running one), and the step context.
 */
export async function openSession(opts: SessionOptions): Promise<Session> {
  const { spec, cwd } = opts;
  let lock: Lock | undefined;
  let connection: TargetConnection | undefined;
  let aws: AwsClients | undefined;
  try {
    if (opts.lockFor) lock = await acquireLock(`${stateFile(spec.name, cwd)}.lock`, opts.lockFor);
    connection = await connectTarget(spec.target, cwd, { ...(opts.emulator ? { emulator: opts.emulator } : {}), onInfo: (message) => opts.emit({ type: 'info', message }) });
    aws = connection.aws;
    let account: string;
    try {
      account = await aws.accountId();
    } catch (e) {
      throw new SegflowError('AWS_CREDENTIALS', `cannot identify the AWS account for ${aws.label}: ${(e as Error).message}`, 1, [
        'configure credentials the AWS SDK finds (environment, profile, SSO) or use target.kind: local',
      ]);
    }
    const state = await StateStore.open(spec.name, cwd, { kind: spec.target.kind, region: spec.target.region, account });
    if (state.current.target.kind !== spec.target.kind && Object.keys(state.current.steps).length > 0) {
      throw new SegflowError(
        'STATE_TARGET_MISMATCH',
        `the state of ${spec.name} belongs to target ${state.current.target.kind}, the spec says ${spec.target.kind}`,
        2,
        [`destroy the ${state.current.target.kind} pipeline first, or use another pipeline name`],
      );
    }
    const local = spec.target.kind === 'local';
    const ctx: StepContext = {
      spec,
      aws,
      account,
      cwd,
      workDir: workDir(spec.name, cwd),
      state,
      signal: opts.signal,
      pollInitialMs: opts.pollInitialMs ?? (local ? 100 : 15_000),
      pollMaxMs: opts.pollMaxMs ?? (local ? 1_000 : 120_000),
      waitTimeoutMs: opts.waitTimeoutMs ?? (local ? 30 * 60_000 : 24 * 3600_000),
      progress: (id, p) => opts.emit({ type: 'step-progress', id, message: p.message, ...(p.fraction !== undefined ? { fraction: p.fraction } : {}) }),
      desired: new Map(),
    };
    const conn = connection;
    return {
      ctx,
      steps: pipelineSteps(spec),
      aws: conn.aws,
      async close() {
        await conn.close();
        await lock?.release();
      },
    };
  } catch (e) {
    await connection?.close().catch(() => undefined);
    await lock?.release().catch(() => undefined);
    throw e;
  }
}
