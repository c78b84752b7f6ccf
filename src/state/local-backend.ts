import { readFile, rm, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-write.js';
import { acquireLock } from '../util/file-lock.js';
import { SegflowError, isSegflowError, refusal } from '../util/errors.js';
import { shortHash } from '../util/hash.js';
import type { HeldLock, LockBackend, LockHolder, LockOwner, StateBackend, StateHistoryEntry, StoredState } from './backend.js';
import { parseState } from './parse.js';

/**
 * The default backend: one JSON file on this machine, replaced atomically (temp file, fsync, rename). Writes are
 * not conditional: the file lock keeps a second writer out, as it always did.
 */
export class LocalStateBackend implements StateBackend {
  readonly kind = 'local' as const;
  readonly lock: LockBackend;

  constructor(readonly location: string) {
    this.lock = new LocalLockBackend(`${location}.lock`);
  }

  async read(): Promise<StoredState | undefined> {
    let text: string;
    try {
      text = await readFile(this.location, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    return { state: parseState(text, `state file ${this.location}`), text };
  }

  async write(text: string): Promise<undefined> {
    await writeFileAtomic(this.location, text);
    return undefined;
  }

  async remove(): Promise<void> {
    await rm(this.location, { force: true });
  }

  /** The local file keeps no history: its one version. */
  async history(): Promise<StateHistoryEntry[]> {
    const stored = await this.read();
    if (!stored) return [];
    const st = await stat(this.location);
    const s = stored.state;
    return [
      {
        ...(s.serial !== undefined ? { serial: s.serial } : {}),
        updatedAt: s.updatedAt,
        steps: Object.keys(s.steps).length,
        ref: this.location,
        current: true,
        storedAt: st.mtime.toISOString(),
        ...(s.movedTo ? { movedTo: s.movedTo } : {}),
      },
    ];
  }
}

/** The id `segflow unlock` takes for a local lock: a short hash of what the lock file says. */
function localLockId(h: { pid: number; host: string; since: string }): string {
  return shortHash({ pid: h.pid, host: h.host, since: h.since }, 12);
}

async function readLocalHolder(path: string): Promise<LockHolder | undefined> {
  let raw: { pid: number; host: string; command: string; since: string };
  try {
    raw = JSON.parse(await readFile(path, 'utf8')) as typeof raw;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { id: 'unreadable', who: '', host: '?', pid: 0, command: '?', runId: '', since: '?' };
  }
  return { id: localLockId(raw), who: '', host: raw.host, pid: raw.pid, command: raw.command, runId: '', since: raw.since };
}

/**
 * The local lock file (util/file-lock.ts): exclusive create, a dead holder on this host is taken over. Local locks
 * have no lease: the holder's process either runs or is gone, which this machine can tell.
 */
export class LocalLockBackend implements LockBackend {
  constructor(readonly location: string) {}

  async acquire(command: string, owner: LockOwner = {}): Promise<HeldLock> {
    let lock;
    try {
      lock = await acquireLock(this.location, command);
    } catch (e) {
      const holder = isSegflowError(e) && e.code === 'STATE_LOCKED' ? await readLocalHolder(this.location) : undefined;
      if (!holder || !isSegflowError(e)) throw e;
      throw new SegflowError(e.code, e.message, [
        ...e.details,
        `lock id ${holder.id}: \`segflow unlock FILE ${holder.id}\` removes it once that process is gone`,
      ]);
    }
    const holder: LockHolder = {
      id: localLockId(lock.holder),
      who: owner.who ?? '',
      host: lock.holder.host,
      pid: lock.holder.pid,
      command,
      runId: owner.runId ?? '',
      since: lock.holder.since,
    };
    return { holder, renew: async () => undefined, keepAlive: () => undefined, release: () => lock.release() };
  }

  inspect(): Promise<LockHolder | undefined> {
    return readLocalHolder(this.location);
  }

  async forceUnlock(id: string): Promise<LockHolder> {
    const holder = await readLocalHolder(this.location);
    if (!holder) throw refusal('STATE_UNLOCK_MISMATCH', `no lock is held (${this.location} does not exist): nothing to unlock`);
    if (holder.id !== id) {
      throw refusal(
        'STATE_UNLOCK_MISMATCH',
        `the lock is ${holder.id} (${holder.command}, pid ${holder.pid} on ${holder.host} since ${holder.since}), not ${id}`,
        ['unlock removes only the lock it names, so that a lock taken meanwhile is never removed by mistake'],
      );
    }
    await rm(this.location, { force: true });
    return holder;
  }
}
