/**
 * Waiting is progress, not an error: long-running AWS work (imports, training, segment jobs) is polled with
 * capped exponential backoff and full jitter, and any sleep ends early when the run is cancelled.
 */
export interface BackoffOptions {
  /** First delay in ms. */
  initialMs: number;
  /** Upper bound of a single delay in ms. */
  maxMs: number;
  factor?: number;
  /** Random source in [0, 1) (injectable for tests). */
  random?: () => number;
}

/** The delay before attempt `attempt` (0-based): a uniformly random share of min(max, initial * factor^n). */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const factor = opts.factor ?? 2;
  const cap = Math.min(opts.maxMs, opts.initialMs * Math.pow(factor, attempt));
  const random = opts.random ?? Math.random;
  // "Equal jitter": never less than half the cap, so polling never degenerates into a busy loop.
  return Math.round(cap / 2 + (random() * cap) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A wait that gave up: the thing waited for is still not done after `timeoutMs` (its own type, never guessed). */
export class WaitTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`still not done after ${Math.round(waitedMs / 1000)}s`);
    this.name = 'WaitTimeoutError';
  }
}

export class CancelledError extends Error {
  constructor(reason?: unknown) {
    super(reason instanceof Error ? reason.message : 'cancelled');
    this.name = 'CancelledError';
  }
}

function abortError(signal: AbortSignal): CancelledError {
  return new CancelledError(signal.reason);
}

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}

export interface PollOptions<T = unknown> extends BackoffOptions {
  signal?: AbortSignal;
  /** Give up after this long (ms); undefined waits forever (until cancelled). */
  timeoutMs?: number;
  /** Called with each observation that is not yet final (for progress events). */
  onPending?: (value: T, attempt: number) => void;
  /**
   * Failed reads to ride out instead of throwing: while `is(error)` holds, the probe is retried with the same
   * backoff for up to `forMs` since the first failure in a row (a network outage during a wait of hours); any other
   * failure, or one that lasts longer, is thrown.
   */
  outage?: { is: (e: unknown) => boolean; forMs: number; onError?: (e: unknown, downMs: number) => void };
  now?: () => number;
}

/**
 * Calls `probe` until `isDone` holds, sleeping with backoff in between. Returns the final observation.
 * `probe` throwing is not swallowed (the SDK already retried it), except for the outage the caller says to ride out.
 */
export async function pollUntil<T>(probe: () => Promise<T>, isDone: (v: T) => boolean, opts: PollOptions<T>): Promise<T> {
  const now = opts.now ?? Date.now;
  const start = now();
  let downSince: number | undefined;
  for (let attempt = 0; ; attempt++) {
    throwIfCancelled(opts.signal);
    let value: T;
    try {
      value = await probe();
      downSince = undefined;
    } catch (e) {
      downSince ??= now();
      if (!opts.outage?.is(e) || now() - downSince > opts.outage.forMs) throw e;
      opts.outage.onError?.(e, now() - downSince);
      await sleep(backoffDelay(attempt, opts), opts.signal);
      continue;
    }
    if (isDone(value)) return value;
    opts.onPending?.(value, attempt);
    if (opts.timeoutMs !== undefined && now() - start > opts.timeoutMs) throw new WaitTimeoutError(now() - start);
    await sleep(backoffDelay(attempt, opts), opts.signal);
  }
}

/**
 * Retries `fn` while `shouldRetry(error)` holds, with backoff, up to `maxAttempts`. Used for IAM propagation and
 * throttling that outlasts the SDK's own retries.
 */
export async function retrying<T>(
  fn: () => Promise<T>,
  shouldRetry: (e: unknown) => boolean,
  opts: BackoffOptions & { maxAttempts: number; signal?: AbortSignal; onRetry?: (e: unknown, attempt: number) => void },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt + 1 >= opts.maxAttempts || !shouldRetry(e)) throw e;
      opts.onRetry?.(e, attempt);
      await sleep(backoffDelay(attempt, opts), opts.signal);
    }
  }
}
