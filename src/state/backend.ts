import type { PipelineState } from './types.js';

/**
 * Where a pipeline's state lives, and the lock beside it. Two backends implement these interfaces: the local file
 * (`.segflow/state/<name>.json`, the default) and an S3 object shared by a team (state/s3-backend.ts, with the lock
 * in state/s3-lock.ts). The StateStore (state/store.ts) runs its serialized updates over either; the steps and
 * the plan never see where the state lives.
 */

/** spec.state, as the state module needs it (spec/ normalizes the YAML into this shape). */
export type StateConfig = { backend: 'local' } | { backend: 's3'; bucket: string; key: string; region: string };

/** One stored version of the state, as read: what a conditional write must replace. */
export interface StoredState {
  state: PipelineState;
  /** The exact text stored (kept as history when it is replaced, compared to recognise our own lost answer). */
  text: string;
  /** The S3 ETag the next write must match; undefined for the local file, which only the lock protects. */
  version?: string;
}

/** A conditional write lost a race: another writer replaced the version it was based on. Re-read and retry. */
export class StateConflict extends Error {
  constructor(message = 'another writer changed the state first') {
    super(message);
    this.name = 'StateConflict';
  }
}

/** One version of the state in `segflow state history`, newest first. */
export interface StateHistoryEntry {
  serial?: number;
  updatedAt?: string;
  /** Number of steps recorded in that version. */
  steps?: number;
  /** The S3 version id, or the key of the history copy, or the local file. */
  ref: string;
  current: boolean;
  /** When the store saved it (S3's LastModified). */
  storedAt?: string;
  movedTo?: string;
}

export interface StateBackend {
  readonly kind: 'local' | 's3';
  /** The local file path or s3://bucket/key: named in messages and `state history`. */
  readonly location: string;
  read(): Promise<StoredState | undefined>;
  /**
   * Stores `text` in place of `previous` (undefined: only if there is no state yet) and returns the new version.
   * Throws StateConflict when another writer got there first; never overwrites a version it did not read.
   */
  write(text: string, previous: StoredState | undefined): Promise<string | undefined>;
  /** Deletes the state (destroy of everything); the S3 backend keeps the last version in its history. */
  remove(previous: StoredState | undefined): Promise<void>;
  history(limit?: number): Promise<StateHistoryEntry[]>;
  readonly lock: LockBackend;
  /** Reports of each run, kept beside a shared state so that every machine sees the same run history. */
  readonly reports?: ReportStore;
}

// ---------------------------------------------------------------- the lock

/** Who holds a lock, as stored in it. */
export interface LockHolder {
  /** Unique per acquisition: what `segflow unlock FILE LOCK_ID` names. */
  id: string;
  who: string;
  host: string;
  pid: number;
  command: string;
  runId: string;
  since: string;
  /** S3 lock: the lease, renewed by a running command; expiresAt is by the holder's clock. */
  leaseSeconds?: number;
  renewedAt?: string;
  expiresAt?: string;
}

/** Who is asking, beyond host and pid: a user or CI actor, and the CI run. */
export interface LockOwner {
  who?: string;
  runId?: string;
}

export interface HeldLock {
  holder: LockHolder;
  /** The expired holder this acquisition took the lock over from. */
  tookOver?: LockHolder;
  /** Extends the lease now; throws STATE_LOCK_LOST when the lock is no longer this holder's. */
  renew(): Promise<void>;
  /** Renews periodically until released; calls onLost once if the lock is lost (taken over, unlocked by hand). */
  keepAlive(onLost: (error: Error) => void): void;
  release(): Promise<void>;
}

export interface LockBackend {
  readonly location: string;
  /** The lock, or a refusal (STATE_LOCKED, exit 3) naming the live holder. */
  acquire(command: string, owner?: LockOwner): Promise<HeldLock>;
  /** The current holder, if any (an unreadable lock reads as a holder with id 'unreadable'). */
  inspect(): Promise<LockHolder | undefined>;
  /** `segflow unlock`: removes the lock only while it is still the one named `id`; returns the holder removed. */
  forceUnlock(id: string): Promise<LockHolder>;
}

// ---------------------------------------------------------------- reports

export interface ReportStore {
  readonly location: string;
  put(runId: string, text: string): Promise<void>;
  /** Run ids with a stored report. */
  list(): Promise<string[]>;
  get(runId: string): Promise<string | undefined>;
}

/** The state as stored: the same text for every backend (pretty JSON, one trailing newline). */
export function stateText(state: PipelineState): string {
  return JSON.stringify(state, null, 2) + '\n';
}
