import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineDeps } from './deps.js';
import { FakeAws } from '../../test/support/fake-aws.js';
import { fakeDeps } from '../../test/support/engine-fakes.js';
import { engineRunner } from '../../test/support/engine-run.js';
import { testSpec as baseSpec } from '../../test/support/spec.js';
import { isSegflowError } from '../util/errors.js';
import { pollUntil, WaitTimeoutError } from '../util/backoff.js';

/**
 * How a failure reaches the user: an expected one is a SegflowError with its code; a wait that gave up is
 * RUN_WAIT_TIMEOUT, and only that; anything else is a bug, and says so (never dressed up as an expected failure).
 */
let world: FakeAws;
let deps: EngineDeps;
let cwd: string;
const spec = () => baseSpec({ interactions: { minInteractionsPerUser: 2, maxBadRows: 0 } });

beforeEach(async () => {
  world = new FakeAws({ describesToActive: 1_000_000 });
  deps = fakeDeps(world);
  cwd = await mkdtemp(join(tmpdir(), 'segflow-failures-'));
});
afterEach(() => rm(cwd, { recursive: true, force: true }));

const { apply } = engineRunner(() => ({ deps, cwd }));

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
  const waiting = pollUntil(async () => (probes++, (now += 400), 'pending'), () => false, { initialMs: 1, maxMs: 1, timeoutMs: 1000, now: () => now });
  await assert.rejects(waiting, (e) => e instanceof WaitTimeoutError && e.waitedMs > 1000);
  assert.equal(probes, 3, 'probed at 400, 800 and 1200 ms');
});

test('a bug in a step (a TypeError) comes out as itself, not as RUN_WAIT_TIMEOUT or another expected failure (the CLI then asks to report it)', async () => {
  world = new FakeAws();
  const base = fakeDeps(world);
  deps = { ...base, evaluation: { ...base.evaluation, evaluate: () => Promise.reject(new TypeError('Cannot read properties of undefined')) } };
  await assert.rejects(apply(spec()), (e) => e instanceof TypeError && !isSegflowError(e));
});
