import type { LifecycleSpeed } from './options.js';

/**
 * Timers that advance resource statuses. fast: a status step takes ~20 ms (tests); realistic: ~2 s per step,
 * like a very quick AWS. Every scheduled task is tracked, so close() can cancel what has not started and wait
 * for what has.
 */
export class Lifecycle {
  readonly stepMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly controller = new AbortController();

  constructor(
    speed: LifecycleSpeed,
    private readonly onError: (e: unknown) => void,
    stepMs?: number,
  ) {
    this.stepMs = stepMs ?? (speed === 'fast' ? 20 : 2000);
  }

  /** Aborted when the emulator closes: long jobs stop and stay in flight on disk, to resume on restart. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  after(steps: number, task: () => Promise<void> | void): void {
    if (this.closed) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.run(task);
      },
      Math.max(0, steps * this.stepMs),
    );
    this.timers.add(timer);
  }

  run(task: () => Promise<void> | void): void {
    if (this.closed) return;
    const p = (async () => {
      try {
        await task();
      } catch (e) {
        if (!this.closed) this.onError(e);
      }
    })();
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  async close(): Promise<void> {
    this.controller.abort(new Error('emulator closing'));
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
