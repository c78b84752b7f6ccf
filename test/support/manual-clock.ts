import type { Clock } from '../../src/util/clock.js';

/**
 * A clock the test moves: `advance(ms)` runs every timer that falls due, in order, letting promises settle after
 * each (so a timer that starts a request sees it answered before the next timer fires, as far as the request's
 * fakes answer at all). Starts at `start` (default: the real time now, so S3's LastModified stays comparable).
 */
export class ManualClock implements Clock {
  private t: number;
  private timers: Array<{ at: number; seq: number; fn: () => void }> = [];
  private seq = 0;

  constructor(start = Date.now()) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Moves time forward by ms, firing due timers one by one. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = end;
    await settle();
  }

  /** Timers not yet fired. */
  pending(): number {
    return this.timers.length;
  }
}

/** Lets pending promise reactions and I/O callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
