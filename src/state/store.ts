import { SegflowError } from '../util/errors.js';
import { stateFile } from '../util/paths.js';
import { StateConflict, stateText, type StateBackend, type StoredState } from './backend.js';
import { LocalStateBackend } from './local-backend.js';
import { parseState } from './parse.js';
import { emptyState, type PipelineState, type StepRecord } from './types.js';

/**
 * How often an update that keeps losing races is retried before it fails (each retry re-reads). Races need several
 * processes writing one state outside the lock; with four of them on a busy 2-core machine one write lost 12 races
 * in a row, so the budget allows for starvation: at most about 25 s of jittered backoff, none when nobody else
 * writes.
 */
const MAX_WRITE_ATTEMPTS = 30;

/**
 * The state store: one JSON document per pipeline in a backend (a local file, or a shared S3 object), replaced
 * whole on every change, with updates serialised so that parallel steps never lose each other's writes.
 *
 * A shared backend's writes are conditional (state/backend.ts): when another writer replaced the version an update
 * was based on, the update re-reads the state, applies its change function again to what is there now and writes
 * again, so a lost race is retried and never overwrites (nor is lost).
 */
export class StateStore {
  private state: PipelineState;
  private stored: StoredState | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Writes that lost a race and were re-applied on a fresh read. */
  conflicts = 0;

  private constructor(
    readonly backend: StateBackend,
    private readonly fresh: () => PipelineState,
    stored: StoredState | undefined,
  ) {
    this.stored = stored;
    this.state = stored?.state ?? fresh();
  }

  /** The local file `.segflow/state/<pipeline>.json` under cwd (the default backend). */
  static open(pipeline: string, cwd: string, target: PipelineState['target']): Promise<StateStore> {
    return StateStore.load(new LocalStateBackend(stateFile(pipeline, cwd)), pipeline, target);
  }

  static async load(backend: StateBackend, pipeline: string, target: PipelineState['target']): Promise<StateStore> {
    return new StateStore(backend, () => emptyState(pipeline, target), await backend.read());
  }

  /** Where the state lives: the local file's path or s3://bucket/key. */
  get path(): string {
    return this.backend.location;
  }

  get current(): PipelineState {
    return this.state;
  }

  /** Whether a version of the state is stored (false before the first write). */
  get exists(): boolean {
    return this.stored !== undefined;
  }

  step(id: string): StepRecord | undefined {
    return this.state.steps[id];
  }

  /** Applies `change` to the state and persists it; resolves once the new version is stored. */
  update(change: (s: PipelineState) => void): Promise<void> {
    const run = this.queue.then(() => this.write(change));
    // Keep the queue alive after a failed write; the caller still sees the failure.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(change: (s: PipelineState) => void): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const next = structuredClone(this.state);
      change(next);
      next.updatedAt = new Date().toISOString();
      next.serial = (this.state.serial ?? 0) + 1;
      const text = stateText(next);
      try {
        const version = await this.backend.write(text, this.stored);
        this.stored = { state: next, text, ...(version !== undefined ? { version } : {}) };
        this.state = next;
        return;
      } catch (e) {
        if (!(e instanceof StateConflict)) throw e;
        this.conflicts++;
        const now = await this.backend.read();
        if (now?.text === text) {
          // Our write landed and only its answer was lost (a retried request then failed its condition).
          this.stored = now;
          this.state = now.state;
          return;
        }
        this.stored = now;
        this.state = now?.state ?? this.fresh();
        if (attempt >= MAX_WRITE_ATTEMPTS) {
          throw new SegflowError('STATE_CONFLICT', `the state at ${this.path} kept changing under this write (${attempt} attempts)`, [
            'another segflow command is writing the same state without holding its lock; run the command again',
          ]);
        }
        await new Promise((r) => setTimeout(r, Math.min(1000, 10 * 2 ** attempt) * Math.random()));
      }
    }
  }

  /** A new record for the step; the user tags segflow manages on its resource carry over (see resources/tags.ts). */
  setStep(id: string, record: Omit<StepRecord, 'updatedAt'>): Promise<void> {
    return this.update((s) => {
      const tags = s.steps[id]?.tags;
      s.steps[id] = { ...(tags ? { tags } : {}), ...record, updatedAt: new Date().toISOString() };
    });
  }

  patchStep(id: string, patch: Partial<Omit<StepRecord, 'updatedAt'>>): Promise<void> {
    return this.update((s) => {
      const prev = s.steps[id] ?? { phase: 'intent' as const, updatedAt: '' };
      s.steps[id] = { ...prev, ...patch, updatedAt: new Date().toISOString() };
    });
  }

  removeStep(id: string): Promise<void> {
    return this.update((s) => {
      delete s.steps[id];
    });
  }

  async deleteFile(): Promise<void> {
    await this.queue;
    await this.backend.remove(this.stored);
    this.stored = undefined;
  }
}

/** Reads a local state file; undefined when there is none. */
export async function readState(path: string): Promise<PipelineState | undefined> {
  return (await new LocalStateBackend(path).read())?.state;
}

export { parseState };
