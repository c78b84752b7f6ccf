import { readFile, rm } from 'node:fs/promises';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { SegflowError } from '../util/errors.js';
import { stateFile } from '../util/paths.js';
import { emptyState, type PipelineState, type StepRecord } from './types.js';

/**
 * The state store: one JSON file per pipeline, replaced atomically on every change (write to a temp file, fsync,
 * rename), and updates serialised so that parallel steps never lose each other's writes.
 */
export class StateStore {
  private state: PipelineState;
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    initial: PipelineState,
  ) {
    this.state = initial;
  }

  static async open(pipeline: string, cwd: string, target: PipelineState['target']): Promise<StateStore> {
    const path = stateFile(pipeline, cwd);
    const existing = await readState(path);
    return new StateStore(path, existing ?? emptyState(pipeline, target));
  }

  get current(): PipelineState {
    return this.state;
  }

  step(id: string): StepRecord | undefined {
    return this.state.steps[id];
  }

  /** Applies `change` to the state and persists it; resolves once the file is on disk. */
  update(change: (s: PipelineState) => void): Promise<void> {
    const run = this.queue.then(async () => {
      const next = structuredClone(this.state);
      change(next);
      next.updatedAt = new Date().toISOString();
      await writeJsonAtomic(this.path, next);
      this.state = next;
    });
    // Keep the queue alive after a failed write; the caller still sees the failure.
    this.queue = run.catch(() => undefined);
    return run;
  }

  setStep(id: string, record: Omit<StepRecord, 'updatedAt'>): Promise<void> {
    return this.update((s) => {
      s.steps[id] = { ...record, updatedAt: new Date().toISOString() };
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
    await rm(this.path, { force: true });
  }
}

export async function readState(path: string): Promise<PipelineState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const parsed = JSON.parse(text) as PipelineState;
    if (parsed.version !== 1 || typeof parsed.steps !== 'object') throw new Error('unknown state version');
    return parsed;
  } catch (e) {
    throw new SegflowError('STATE_CORRUPT', `cannot read state file ${path}: ${(e as Error).message}`, [
      'the file was not written by this version of segflow; move it away to start over (resources are adopted by name)',
    ]);
  }
}
