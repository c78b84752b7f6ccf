import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import type { S3Port } from '../aws/ports.js';
import { AwsError } from '../aws/errors.js';
import { isSegflowError } from '../util/errors.js';
import { S3LockBackend } from './s3-lock.js';
import { withEmulatorPorts } from '../../test/support/emulator-ports.js';

const BUCKET = 'team-state';
const KEY = 'segflow/demo.json.lock';
const timing = { leaseMs: 60_000, renewEveryMs: 15_000 };

/** A lock whose contender sees the clock `skewMs` ahead of the real one. */
const lockAt = (s3: S3Port, skewMs = 0, t = timing) => new S3LockBackend(s3, BUCKET, KEY, t, () => Date.now() + skewMs);

test('one holder at a time: a second acquire is refused (exit 3) naming who holds it; release frees it', async () => {
  await withEmulatorPorts(async ({ s3 }) => {
    await s3.createBucket(BUCKET);
    const held = await lockAt(s3).acquire('apply', { who: 'alice', runId: 'gh-991' });
    assert.equal(held.holder.host, hostname());
    await assert.rejects(lockAt(s3).acquire('apply', { who: 'bob' }), (e) => {
      assert.ok(isSegflowError(e));
      assert.equal(e.code, 'STATE_LOCKED');
      assert.equal(e.exitCode, 3);
      assert.match(e.message, new RegExp(`apply by alice on ${hostname()} \\(pid ${process.pid}, run gh-991\\)`));
      assert.ok(e.details.some((d) => d.includes(`segflow unlock FILE ${held.holder.id}`)));
      return true;
    });
    assert.equal((await lockAt(s3).inspect())?.id, held.holder.id);
    await held.release();
    assert.equal(await lockAt(s3).inspect(), undefined);
    const again = await lockAt(s3).acquire('destroy');
    await again.release();
  });
});

test('a lease is judged by S3\'s LastModified and the holder\'s own expiry: a fast clock alone never takes a live lock', async () => {
  await withEmulatorPorts(async ({ s3 }) => {
    await s3.createBucket(BUCKET);
    const held = await lockAt(s3).acquire('apply');
    // A contender whose clock runs 59 s fast: not yet expired by S3's time of the last write.
    await assert.rejects(lockAt(s3, 59_000).acquire('apply'), (e) => isSegflowError(e) && e.code === 'STATE_LOCKED');
    // The holder renews: a contender that would have seen the lease lapse now sees a fresh one.
    await held.renew();
    await assert.rejects(lockAt(s3, 30_000).acquire('apply'), (e) => isSegflowError(e) && e.code === 'STATE_LOCKED');
    // Past both S3's LastModified + lease and the holder's expiresAt: taken over, and the old holder learns it.
    const taker = await lockAt(s3, 62_000).acquire('apply', { who: 'ci' });
    assert.equal(taker.tookOver?.id, held.holder.id);
    await assert.rejects(held.renew(), (e) => isSegflowError(e) && e.code === 'STATE_LOCK_LOST' && /apply by ci/.test(e.message));
    await held.release(); // not ours any more: the taker's lock stays
    assert.equal((await lockAt(s3).inspect())?.id, taker.holder.id);
    await taker.release();
  });
});

test('an expired lease is taken over by exactly one of many concurrent contenders (If-Match on its ETag)', async () => {
  await withEmulatorPorts(async ({ s3 }) => {
    await s3.createBucket(BUCKET);
    for (let round = 0; round < 3; round++) {
      const dead = await lockAt(s3).acquire('apply'); // never renewed, never released: a killed runner
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => lockAt(s3, 62_000).acquire('apply', { who: `c${i}` })));
      const winners = results.filter((r) => r.status === 'fulfilled');
      assert.equal(winners.length, 1, `round ${round}: exactly one winner`);
      for (const r of results) if (r.status === 'rejected') assert.ok(isSegflowError(r.reason) && r.reason.code === 'STATE_LOCKED', String(r.reason));
      const won = (winners[0] as PromiseFulfilledResult<Awaited<ReturnType<S3LockBackend['acquire']>>>).value;
      assert.equal(won.tookOver?.id, dead.holder.id);
      await won.release();
    }
  });
});

test('keepAlive renews the lease while a command runs, and reports the lock lost when someone unlocks it', async () => {
  await withEmulatorPorts(async ({ s3 }) => {
    await s3.createBucket(BUCKET);
    const fast = { leaseMs: 1500, renewEveryMs: 200 };
    const held = await lockAt(s3, 0, fast).acquire('apply');
    const seen: { lost?: Error } = {};
    held.keepAlive((e) => (seen.lost = e));
    await new Promise((r) => setTimeout(r, 3000)); // twice the lease
    await assert.rejects(lockAt(s3, 0, fast).acquire('apply'), (e) => isSegflowError(e) && e.code === 'STATE_LOCKED');
    const lost = (): Error | undefined => seen.lost;
    assert.equal(lost(), undefined, 'still held');
    await assert.rejects(lockAt(s3).forceUnlock('0000'), (e) => isSegflowError(e) && e.code === 'STATE_UNLOCK_MISMATCH');
    // unlock races the renewals: it removes the lock only if it is still the version it read
    for (;;) {
      try {
        await lockAt(s3).forceUnlock(held.holder.id);
        break;
      } catch (e) {
        assert.ok(isSegflowError(e) && e.code === 'STATE_UNLOCK_MISMATCH' && /changed while/.test(e.message), String(e));
      }
    }
    await new Promise((r) => setTimeout(r, 600));
    const error = lost();
    assert.ok(isSegflowError(error) && error.code === 'STATE_LOCK_LOST', String(error));
    await held.release();
  });
});

test('a create whose answer was lost (the SDK retried and got 412) is recognised as ours', async () => {
  await withEmulatorPorts(async ({ s3 }) => {
    await s3.createBucket(BUCKET);
    let dropped = false;
    const flaky: S3Port = {
      ...s3,
      async putObject(bucket, key, body, options) {
        const out = await s3.putObject(bucket, key, body, options);
        if (dropped) return out;
        dropped = true;
        throw new AwsError('s3', 'PutObject', 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 'precondition-failed', 412);
      },
    };
    const held = await lockAt(flaky).acquire('apply');
    assert.equal((await lockAt(s3).inspect())?.id, held.holder.id);
    await held.release();
    assert.equal(await lockAt(s3).inspect(), undefined);
  });
});
