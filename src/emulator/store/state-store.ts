import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { SegflowError } from '../../util/errors.js';
import { emptyState, STATE_VERSION, type EmulatorState } from './state.js';
import { acquireLock } from '../../util/file-lock.js';
import { migrateState } from './migrate.js';

/**
 * Keeps the state in memory and on disk. `commit()` resolves once a write that started after the caller's change
 * has reached the disk (fsync + rename), so an answer is only sent for a change that survives kill -9.
 * Concurrent commits are coalesced into one write.
 */
export class StateStore {
  private writing: Promise<void> | null = null;
  private dirty = false;
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];

  private constructor(
    readonly dataDir: string,
    readonly state: EmulatorState,
  ) {}

  static statePath(dataDir: string): string {
    return join(dataDir, 'state.json');
  }

  /** `defaultAccount` owns what an older, single-account emulator left (see migrate.ts). */
  static async open(dataDir: string, defaultAccount: string): Promise<StateStore> {
    await mkdir(dataDir, { recursive: true });
    let state: EmulatorState;
    try {
      const text = await readFile(StateStore.statePath(dataDir), 'utf8');
      const read = JSON.parse(text) as EmulatorState;
      const migrated = migrateState(read, STATE_VERSION, defaultAccount);
      if (!migrated) {
        throw new SegflowError(
          'EMU_STATE',
          `${StateStore.statePath(dataDir)} has version ${read.version}; this emulator reads versions up to ${STATE_VERSION}`,
        );
      }
      state = migrated;
      // Upgraded once and for all: an older emulator then refuses the directory instead of misreading it.
      if (migrated !== read) await writeFileAtomic(StateStore.statePath(dataDir), JSON.stringify(migrated));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') state = emptyState();
      else if (e instanceof SyntaxError) {
        throw new SegflowError('EMU_STATE', `${StateStore.statePath(dataDir)} is not valid JSON: ${e.message}`);
      } else throw e;
    }
    // Parts added after version 1 was written: a data directory from an older emulator gets them empty.
    state.kms ??= { keys: {} };
    return new StateStore(dataDir, state);
  }

  nextSeq(): number {
    return ++this.state.seq;
  }

  /** Persists the current in-memory state. */
  commit(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.dirty = true;
      if (!this.writing) this.writing = this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const batch = this.waiters;
      this.waiters = [];
      try {
        await writeFileAtomic(StateStore.statePath(this.dataDir), JSON.stringify(this.state));
        for (const w of batch) w.resolve();
      } catch (e) {
        for (const w of batch) w.reject(e);
      }
    }
    this.writing = null;
  }

  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }
}

/**
 * One emulator per data directory: the same pid lock as segflow's state (race-free takeover of a dead holder's
 * lock), refused with EMU_DATA_DIR_LOCKED while another emulator, in this process or another, holds it.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const lock = await acquireLock(join(dataDir, 'emulator.lock'), 'emulator', 'EMU_DATA_DIR_LOCKED');
  return () => lock.release();
}
