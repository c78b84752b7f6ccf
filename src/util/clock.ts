/**
 * Time as a dependency: code that waits or judges deadlines takes a Clock, so a test can drive it by hand instead of
 * sleeping (a busy 2-core machine must never decide whether a test passes). The system clock's timers are unref'd:
 * they never keep the process alive on their own.
 */
export interface Clock {
  now(): number;
  /** Runs fn once after ms; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return () => clearTimeout(t);
  },
};

/** A system clock seen `offsetMs` ahead (a contender whose clock is fast). */
export function skewedClock(offsetMs: number): Clock {
  return { now: () => Date.now() + offsetMs, after: (ms, fn) => systemClock.after(ms, fn) };
}
