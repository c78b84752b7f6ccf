import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, pollUntil, retrying, sleep, CancelledError } from './backoff.js';

test('backoff grows exponentially, is capped, and keeps at least half the cap (jitter)', () => {
  const opts = { initialMs: 100, maxMs: 1000 };
  const lows = [0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, { ...opts, random: () => 0 }));
  const highs = [0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, { ...opts, random: () => 0.999999 }));
  assert.deepEqual(lows, [50, 100, 200, 400, 500, 500]);
  assert.deepEqual(highs, [100, 200, 400, 800, 1000, 1000]);
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(3, opts);
    assert.ok(d >= 400 && d <= 800, `delay ${d}`);
  }
});

test('pollUntil returns the first final observation and reports pending ones', async () => {
  const seen: unknown[] = [];
  let n = 0;
  const result = await pollUntil(
    async () => ['PENDING', 'IN_PROGRESS', 'ACTIVE', 'NEVER'][n++]!,
    (s) => s === 'ACTIVE',
    { initialMs: 1, maxMs: 2, onPending: (v) => seen.push(v) },
  );
  assert.equal(result, 'ACTIVE');
  assert.deepEqual(seen, ['PENDING', 'IN_PROGRESS']);
});

test('pollUntil stops when cancelled, mid-sleep', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('SIGINT')), 20);
  await assert.rejects(
    pollUntil(
      async () => 'PENDING',
      () => false,
      { initialMs: 10_000, maxMs: 10_000, signal: controller.signal },
    ),
    CancelledError,
  );
});

test('sleep rejects immediately on an already aborted signal', async () => {
  const c = new AbortController();
  c.abort();
  await assert.rejects(sleep(1000, c.signal), CancelledError);
});

test('retrying retries only what the predicate allows, up to maxAttempts', async () => {
  let calls = 0;
  const value = await retrying(
    async () => {
      calls++;
      if (calls < 3) throw Object.assign(new Error('role not assumable'), { name: 'InvalidInputException' });
      return 'ok';
    },
    (e) => (e as Error).name === 'InvalidInputException',
    { initialMs: 1, maxMs: 2, maxAttempts: 5 },
  );
  assert.equal(value, 'ok');
  assert.equal(calls, 3);

  calls = 0;
  await assert.rejects(
    retrying(
      async () => {
        calls++;
        throw new Error('fatal');
      },
      () => false,
      { initialMs: 1, maxMs: 2, maxAttempts: 5 },
    ),
    /fatal/,
  );
  assert.equal(calls, 1);

  calls = 0;
  await assert.rejects(
    retrying(
      async () => {
        calls++;
        throw new Error('again');
      },
      () => true,
      { initialMs: 1, maxMs: 2, maxAttempts: 4 },
    ),
    /again/,
  );
  assert.equal(calls, 4);
});

test('pollUntil rides out an outage the caller names, for as long as it allows, then gives up with its error', async () => {
  const down = new Error('connect ECONNREFUSED');
  let clock = 0;
  const now = () => clock;
  const outage = (forMs: number, log: number[]) => ({ is: (e: unknown) => e === down, forMs, onError: (_e: unknown, ms: number) => log.push(ms) });
  // Unreachable for 3 probes (10 s apart on the injected clock), then answered.
  const answers: Array<string | Error> = ['PENDING', down, down, down, 'PENDING', 'ACTIVE'];
  const log: number[] = [];
  const result = await pollUntil(
    async () => {
      clock += 10_000;
      const a = answers.shift()!;
      if (a instanceof Error) throw a;
      return a;
    },
    (s) => s === 'ACTIVE',
    { initialMs: 1, maxMs: 1, now, outage: outage(60_000, log) },
  );
  assert.equal(result, 'ACTIVE');
  assert.deepEqual(log, [0, 10_000, 20_000], 'each failure reports how long the service has been unreachable');

  // Unreachable for longer than allowed: the error itself, not a timeout.
  clock = 0;
  const longLog: number[] = [];
  await assert.rejects(
    pollUntil(
      async () => {
        clock += 10_000;
        throw down;
      },
      () => false,
      { initialMs: 1, maxMs: 1, now, outage: outage(25_000, longLog) },
    ),
    (e) => e === down,
  );
  assert.deepEqual(longLog, [0, 10_000, 20_000]);

  // Any other failure is thrown at once.
  const other = new Error('AccessDenied');
  await assert.rejects(
    pollUntil(
      async () => {
        throw other;
      },
      () => false,
      { initialMs: 1, maxMs: 1, now, outage: outage(60_000, []) },
    ),
    (e) => e === other,
  );
});
