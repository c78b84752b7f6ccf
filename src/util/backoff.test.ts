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
    pollUntil(async () => 'PENDING', () => false, { initialMs: 10_000, maxMs: 10_000, signal: controller.signal }),
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
    retrying(async () => { calls++; throw new Error('fatal'); }, () => false, { initialMs: 1, maxMs: 2, maxAttempts: 5 }),
    /fatal/,
  );
  assert.equal(calls, 1);

  calls = 0;
  await assert.rejects(
    retrying(async () => { calls++; throw new Error('again'); }, () => true, { initialMs: 1, maxMs: 2, maxAttempts: 4 }),
    /again/,
  );
  assert.equal(calls, 4);
});
