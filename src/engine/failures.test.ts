import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeAws } from '../../test/support/fake-aws.js';
import { fakeDeps } from '../../test/support/engine-fakes.js';
import { engineSpec, useFakeEngine } from '../../test/support/engine-run.js';
import { isSegflowError } from '../util/errors.js';
import { pollUntil, WaitTimeoutError } from '../util/backoff.js';

/**
 * How a failure reaches the user: an expected one is a SegflowError with its code; a wait that gave up is
 * RUN_WAIT_TIMEOUT, and only that; anything else is a bug, and says so (never dressed up as an expected failure).
 */
const spec = () => engineSpec();

const engine = useFakeEngine({ describesToActive: 1_000_000 });
const { apply } = engine;

test('a resource that stays in progress past the wait timeout: RUN_WAIT_TIMEOUT naming it, and how to resume', async () => {
  await assert.rejects(apply(spec(), { waitTimeoutMs: 0 }), (e) => {
    assert.ok(isSegflowError(e), String(e));
    assert.equal(e.code, 'RUN_WAIT_TIMEOUT');
    assert.equal(e.exitCode, 1);
    assert.match(e.message, /^dataset-group: demo-dsg still not done after \d+s$/);
    assert.match(e.details.join('\n'), /apply again re-attaches to it/);
    return true;
  });
});

test('pollUntil gives up with its own error type, after the timeout and not before', async () => {
  let now = 0;
  let probes = 0;
  const waiting = pollUntil(
    async () => (probes++, (now += 400), 'pending'),
    () => false,
    { initialMs: 1, maxMs: 1, timeoutMs: 1000, now: () => now },
  );
  await assert.rejects(waiting, (e) => e instanceof WaitTimeoutError && e.waitedMs > 1000);
  assert.equal(probes, 3, 'probed at 400, 800 and 1200 ms');
});

test('a bug in a step (a TypeError) comes out as itself, not as RUN_WAIT_TIMEOUT or another expected failure (the CLI then asks to report it)', async () => {
  engine.world = new FakeAws();
  const base = fakeDeps(engine.world);
  engine.deps = { ...base, evaluation: { ...base.evaluation, evaluate: () => Promise.reject(new TypeError('Cannot read properties of undefined')) } };
  await assert.rejects(apply(spec()), (e) => e instanceof TypeError && !isSegflowError(e));
});
