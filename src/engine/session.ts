import type { AwsPorts } from '../aws/ports.js';
import { stateOf, type Spec, type Target } from '../spec/types.js';
import type { HeldLock, LockOwner, StateBackend } from '../state/backend.js';
import { StateStore } from '../state/store.js';
import { localEmulatorDir, workDir } from '../util/paths.js';
import { SegflowError } from '../util/errors.js';
import { localBackend, migrationNeeded, openStateBackend, previousLocation, rememberLocation, stateMoved, type OpenedBackend } from './state-backend.js';
import { pipelineSteps } from '../resources/index.js';
import { chunkCountsFromState } from '../resources/layout.js';
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
  /** Who asks for the lock beyond host and pid (a CI actor, the CI run). */
  lockOwner?: LockOwner;
}

export interface Session {
  ctx: StepContext;
  /** The pipeline's steps: from the state's chunk counts at first, from the prepared data once a plan read it. */
  steps: StepDefinition[];
  aws: AwsPorts;
  backend: StateBackend;
  lock?: HeldLock;
  /** Set when a held lock was lost while the command ran (the session's signal is aborted with it). */
  lockLost(): SegflowError | undefined;
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
 * The state backend comes from spec.state: the local file is locked before anything starts (as always); a shared
 * S3 state (through its own S3 client) once the target answered, its lease renewed while the command runs. Losing
 * the lock aborts the session's signal, which stops the steps.
 */
export async function openSession(opts: SessionOptions): Promise<Session> {
  const { spec, cwd, deps } = opts;
  const abort = linkedAbort(opts.signal);
  const lock = sessionLock(opts, abort.controller);
  let connection: TargetConnection | undefined;
  let opened: OpenedBackend | undefined;
  try {
    const wanted = stateOf(spec);
    if (wanted.backend === 'local') {
      // The local lock comes first, so a second command in the same directory is refused before it starts an emulator.
      opened = localBackend(spec, cwd);
      await lock.take(opened.backend);
    }
    connection = await connectTarget(spec.target, cwd, deps, {
      ...(opts.emulatorOptions ? { emulatorOptions: opts.emulatorOptions } : {}),
      onInfo: (message) => opts.emit({ type: 'info', message }),
    });
    const account = await identifyAccount(connection.aws);
    if (!opened) {
      opened = await openStateBackend(spec, cwd, deps, opts.lockLeaseMs !== undefined ? { lockLeaseMs: opts.lockLeaseMs } : {});
      await lock.take(opened.backend);
    }
    const state = await loadState(spec, cwd, deps, opened.backend, account);
    const held = lock.held();
    const ctx = stepContext(opts, connection.aws, account, state, abort.controller.signal);
    return {
      ctx,
      steps: pipelineSteps(spec, chunkCountsFromState(spec, state.current)),
      aws: connection.aws,
      backend: opened.backend,
      ...(held ? { lock: held } : {}),
      lockLost: lock.lost,
      close: closer(abort, connection, opened, held),
    };
  } catch (e) {
    abort.unlink();
    await closeAfterFailure(connection, opened, lock.held());
    throw e;
  }
}

interface LinkedAbort {
  /** Aborted with the command's signal, or when the lock is lost. */
  controller: AbortController;
  unlink(): void;
}

function linkedAbort(signal: AbortSignal): LinkedAbort {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return { controller, unlink: () => signal.removeEventListener('abort', onAbort) };
}

/** The command's lock (only for `lockFor`), kept alive while it runs; losing it aborts the session. */
function sessionLock(opts: SessionOptions, controller: AbortController) {
  let held: HeldLock | undefined;
  let lost: SegflowError | undefined;
  return {
    held: () => held,
    lost: () => lost,
    async take(backend: StateBackend): Promise<void> {
      if (!opts.lockFor) return;
      const lock = (held = await backend.lock.acquire(opts.lockFor, opts.lockOwner));
      if (lock.tookOver)
        opts.emit({
          type: 'info',
          message: `took over the expired lock of ${lock.tookOver.command} by ${lock.tookOver.who || lock.tookOver.host} (pid ${lock.tookOver.pid}, since ${lock.tookOver.since})`,
        });
      lock.keepAlive((e) => {
        lost = e instanceof SegflowError ? e : new SegflowError('STATE_LOCK_LOST', e.message);
        controller.abort(lost);
      });
    },
  };
}

/** The account the target's credentials belong to (for the local target: the emulator's). */
async function identifyAccount(aws: AwsPorts): Promise<string> {
  try {
    return (await aws.sts.getCallerIdentity()).account;
  } catch (e) {
    throw new SegflowError('AWS_CREDENTIALS', `cannot identify the AWS account for ${aws.label}: ${(e as Error).message}`, [
      'configure credentials the AWS SDK finds (environment, profile, SSO) or use target.kind: local',
    ]);
  }
}

/**
 * The pipeline's state, refused when it moved elsewhere, when a first run here would leave the state of an earlier
 * location behind (migrate first), or when it belongs to the other target kind.
 */
async function loadState(spec: Spec, cwd: string, deps: EngineDeps, backend: StateBackend, account: string): Promise<StateStore> {
  const state = await StateStore.load(backend, spec.name, { kind: spec.target.kind, region: spec.target.region, account });
  const st = state.current;
  if (st.movedTo) throw stateMoved(backend.location, st.movedTo, st.movedAt);
  if (!state.exists) {
    const from = await previousLocation(spec, cwd, deps);
    if (from) throw migrationNeeded(spec, from);
  }
  await rememberLocation(spec.name, cwd, stateOf(spec));
  if (st.target.kind !== spec.target.kind && Object.keys(st.steps).length > 0) {
    throw new SegflowError('STATE_TARGET_MISMATCH', `the state of ${spec.name} belongs to target ${st.target.kind}, the spec says ${spec.target.kind}`, [
      `destroy the ${st.target.kind} pipeline first, or use another pipeline name`,
    ]);
  }
  return state;
}

/** What every step sees; polling is quick on the emulator and patient on AWS unless the options say otherwise. */
function stepContext(opts: SessionOptions, aws: AwsPorts, account: string, state: StateStore, signal: AbortSignal): StepContext {
  const { spec, cwd, deps } = opts;
  const local = spec.target.kind === 'local';
  const env: Env = { account, region: aws.region, partition: aws.partition };
  return {
    spec,
    aws,
    env,
    cwd,
    workDir: workDir(spec.name, cwd),
    state,
    signal,
    data: deps.data,
    evaluation: deps.evaluation,
    pollInitialMs: opts.pollInitialMs ?? (local ? 100 : 15_000),
    pollMaxMs: opts.pollMaxMs ?? (local ? 1_000 : 120_000),
    waitTimeoutMs: opts.waitTimeoutMs ?? (local ? 30 * 60_000 : 24 * 3600_000),
    progress: (id, p) => opts.emit({ type: 'step-progress', id, message: p.message, ...(p.fraction !== undefined ? { fraction: p.fraction } : {}) }),
    desired: notPlanned,
  };
}

/** Session.close. A local lock outlives the in-process emulator (whose data it guards); an S3 lock needs the ports to go. */
function closer(abort: LinkedAbort, connection: TargetConnection, opened: OpenedBackend, held: HeldLock | undefined): () => Promise<void> {
  return async () => {
    abort.unlink();
    if (opened.backend.kind === 'local') {
      await connection.close();
      await held?.release();
      return;
    }
    try {
      await held?.release();
    } finally {
      opened.close();
      await connection.close();
    }
  };
}

/** Undoes what a failed openSession got as far as, in the same order as close, never masking the failure. */
async function closeAfterFailure(connection: TargetConnection | undefined, opened: OpenedBackend | undefined, held: HeldLock | undefined): Promise<void> {
  if (opened?.backend.kind === 'local') {
    await connection?.close().catch(() => undefined);
    connection = undefined;
  }
  await held?.release().catch(() => undefined);
  opened?.close();
  await connection?.close().catch(() => undefined);
}
