import { stateOf, type Spec, type StateSpec } from '../spec/types.js';
import { stateText, type LockHolder, type LockOwner, type StateBackend, type StateHistoryEntry } from '../state/backend.js';
import { refusal } from '../util/errors.js';
import type { EngineDeps } from './deps.js';
import { describeLocation, openStateBackend, previousLocation, rememberLocation, sameLocation, type OpenedBackend } from './state-backend.js';

/**
 * The state's own commands: `unlock`, `state history`, `state migrate`. They open only the state backends: the local
 * one touches no AWS; a shared one has its own S3 client (for the local target, on its emulator's endpoint).
 */
export interface StateAdminOptions {
  spec: Spec;
  cwd: string;
  deps: EngineDeps;
  lockOwner?: LockOwner;
  lockLeaseMs?: number;
}

function open(opts: StateAdminOptions, state: StateSpec): Promise<OpenedBackend> {
  return openStateBackend(opts.spec, opts.cwd, opts.deps, { state, ...(opts.lockLeaseMs !== undefined ? { lockLeaseMs: opts.lockLeaseMs } : {}) });
}

async function withBackend<T>(opts: StateAdminOptions, fn: (backend: StateBackend) => Promise<T>): Promise<T> {
  const opened = await open(opts, stateOf(opts.spec));
  try {
    return await fn(opened.backend);
  } finally {
    opened.close();
  }
}

/** `segflow unlock FILE LOCK_ID`: removes the lock only while it is still the one named. */
export function unlockState(opts: StateAdminOptions, lockId: string): Promise<{ holder: LockHolder; location: string }> {
  return withBackend(opts, async (backend) => ({ holder: await backend.lock.forceUnlock(lockId), location: backend.lock.location }));
}

export interface HistoryReport {
  location: string;
  backend: 'local' | 's3';
  entries: StateHistoryEntry[];
  lock?: LockHolder;
}

/** `segflow state history FILE`: every kept version, newest first, and who holds the lock now. */
export function stateHistory(opts: StateAdminOptions, limit?: number): Promise<HistoryReport> {
  return withBackend(opts, async (backend) => {
    const lock = await backend.lock.inspect();
    return { location: backend.location, backend: backend.kind, entries: await backend.history(limit), ...(lock ? { lock } : {}) };
  });
}

export interface MigrateResult {
  from: string;
  to: string;
  serial: number;
  steps: number;
}

/**
 * `segflow state migrate FILE [--from LOCATION]`: copies the state from where it is (the location this directory
 * used last, the local file, or --from) to where the spec says, with both locks held; the copy is a create-only
 * (or If-Match) write, and the old state is then marked as moved, so that nothing uses it by mistake.
 */
export async function migrateState(opts: StateAdminOptions & { from?: StateSpec }): Promise<MigrateResult> {
  const { spec, cwd } = opts;
  const to = stateOf(spec);
  const from = opts.from ?? (await previousLocation(spec, cwd, opts.deps));
  if (!from) {
    throw refusal('STATE_MIGRATE_REFUSED', `no state of ${spec.name} to migrate: none at the location this directory used before, nor in .segflow/state/`, [
      'name the old location: segflow state migrate FILE --from s3://BUCKET/KEY (or --from local)',
    ]);
  }
  if (sameLocation(from, to)) throw refusal('STATE_MIGRATE_REFUSED', `the state is already at ${describeLocation(to)}`);
  const source = await open(opts, from);
  const dest = await open(opts, to).catch((e: unknown) => {
    source.close();
    throw e;
  });
  const locks = [];
  try {
    locks.push(await dest.backend.lock.acquire('migrate', opts.lockOwner));
    locks.push(await source.backend.lock.acquire('migrate', opts.lockOwner));
    const old = await source.backend.read();
    if (!old || old.state.movedTo) {
      throw refusal(
        'STATE_MIGRATE_REFUSED',
        old ? `the state at ${source.backend.location} was already moved to ${old.state.movedTo}` : `there is no state at ${source.backend.location}`,
      );
    }
    const there = await dest.backend.read();
    if (there && !there.state.movedTo && Object.keys(there.state.steps).length > 0) {
      throw refusal(
        'STATE_MIGRATE_REFUSED',
        `${dest.backend.location} already holds a state of ${there.state.pipeline} (${Object.keys(there.state.steps).length} steps, serial ${there.state.serial ?? 0})`,
        ['segflow never overwrites a state: destroy that pipeline, or choose another key'],
      );
    }
    const now = new Date().toISOString();
    const serial = Math.max(old.state.serial ?? 0, there?.state.serial ?? 0) + 1;
    const { movedTo: _t, movedAt: _a, ...copy } = old.state;
    // Conditional on what was read at the destination: a state created there meanwhile is never overwritten.
    await dest.backend.write(stateText({ ...copy, serial, updatedAt: now }), there);
    await source.backend.write(
      stateText({ ...old.state, serial: (old.state.serial ?? 0) + 1, movedTo: dest.backend.location, movedAt: now, updatedAt: now }),
      old,
    );
    await rememberLocation(spec.name, cwd, to);
    return { from: source.backend.location, to: dest.backend.location, serial, steps: Object.keys(copy.steps).length };
  } finally {
    for (const l of locks.reverse()) await l.release().catch(() => undefined);
    source.close();
    dest.close();
  }
}
