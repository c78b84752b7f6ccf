import type { AwsPorts } from '../aws/ports.js';
import type { Spec, Target } from '../spec/types.js';
import { StateStore } from '../state/store.js';
import { acquireLock, type Lock } from '../util/file-lock.js';
import { localEmulatorDir, stateFile, workDir } from '../util/paths.js';
import { SegflowError } from '../util/errors.js';
import { pipelineSteps } from '../resources/index.js';
import type { Env, StepContext, StepDefinition } from '../resources/types.js';
import type { EmulatorHandle, EngineDeps, EngineTuning } from './deps.js';
import type { Emit } from './events.js';

export interface SessionOptions extends EngineTuning {
  spec: Spec;
  cwd: string;
  signal: AbortSignal;
  emit: Emit;
  deps: EngineDeps;
  /** Take the pipeline's lock for this command (apply, destroy); plan and status read without it. */
  lockFor?: string;
}

export interface Session {
  ctx: StepContext;
  steps: StepDefinition[];
  aws: AwsPorts;
  close(): Promise<void>;
}

const notPlanned = (id: string): never => {
  throw new Error(`step ${id} was read before the plan computed it`);
};

export interface TargetConnection {
  aws: AwsPorts;
  close(): Promise<void>;
}

/**
 * The AWS ports for a target: for local, pointed at the emulator (started in process unless target.endpoint
 * names a running one). openSession uses it; so do `segflow prepare` and `init` for s3:// sources.
 */
export async function connectTarget(
  target: Target,
  cwd: string,
  deps: EngineDeps,
  opts: { emulatorOptions?: Record<string, unknown>; onInfo?: (message: string) => void } = {},
): Promise<TargetConnection> {
  let emulator: EmulatorHandle | undefined;
  let endpoint = target.endpoint;
  if (target.kind === 'local' && !endpoint) {
    emulator = await deps.startEmulator({ dataDir: localEmulatorDir(cwd), ...(opts.emulatorOptions ? { options: opts.emulatorOptions } : {}) });
    endpoint = emulator.endpoint;
    opts.onInfo?.(`local emulator started at ${endpoint} (data in ${localEmulatorDir(cwd)})`);
  }
  try {
    const aws = deps.ports(target, endpoint);
    return {
      aws,
      async close() {
        aws.close();
        await emulator?.close();
      },
    };
  } catch (e) {
    await emulator?.close().catch(() => undefined);
    throw e;
  }
}

/**
 * Everything one command needs: the lock, the state, the AWS ports (see connectTarget), and the step context.
 */
export async function openSession(opts: SessionOptions): Promise<Session> {
  const { spec, cwd, deps } = opts;
  let lock: Lock | undefined;
  let connection: TargetConnection | undefined;
  try {
    if (opts.lockFor) lock = await acquireLock(`${stateFile(spec.name, cwd)}.lock`, opts.lockFor);
    connection = await connectTarget(spec.target, cwd, deps, {
      ...(opts.emulatorOptions ? { emulatorOptions: opts.emulatorOptions } : {}),
      onInfo: (message) => opts.emit({ type: 'info', message }),
    });
    const aws = connection.aws;
    let account: string;
    try {
      account = (await aws.sts.getCallerIdentity()).account;
    } catch (e) {
      throw new SegflowError('AWS_CREDENTIALS', `cannot identify the AWS account for ${aws.label}: ${(e as Error).message}`, [
        'configure credentials the AWS SDK finds (environment, profile, SSO) or use target.kind: local',
      ]);
    }
    const state = await StateStore.open(spec.name, cwd, { kind: spec.target.kind, region: spec.target.region, account });
    if (state.current.target.kind !== spec.target.kind && Object.keys(state.current.steps).length > 0) {
      throw new SegflowError(
        'STATE_TARGET_MISMATCH',
        `the state of ${spec.name} belongs to target ${state.current.target.kind}, the spec says ${spec.target.kind}`,
        [`destroy the ${state.current.target.kind} pipeline first, or use another pipeline name`],
      );
    }
    const local = spec.target.kind === 'local';
    const env: Env = { account, region: aws.region, partition: aws.partition };
    const ctx: StepContext = {
      spec,
      aws,
      env,
      cwd,
      workDir: workDir(spec.name, cwd),
      state,
      signal: opts.signal,
      data: deps.data,
      evaluation: deps.evaluation,
      pollInitialMs: opts.pollInitialMs ?? (local ? 100 : 15_000),
      pollMaxMs: opts.pollMaxMs ?? (local ? 1_000 : 120_000),
      waitTimeoutMs: opts.waitTimeoutMs ?? (local ? 30 * 60_000 : 24 * 3600_000),
      progress: (id, p) => opts.emit({ type: 'step-progress', id, message: p.message, ...(p.fraction !== undefined ? { fraction: p.fraction } : {}) }),
      desired: notPlanned,
    };
    const conn = connection;
    return {
      ctx,
      steps: pipelineSteps(spec),
      aws,
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
