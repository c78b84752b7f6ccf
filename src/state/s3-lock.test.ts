import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import type { S3Port } from '../aws/ports.js';
import { AwsError } from '../aws/errors.js';
import { isSegflowError } from '../util/errors.js';
import { S3LockBackend } from './s3-lock.js';
import { withEmulatorPorts } from '../../test/support/emulator-ports.js';
import { ManualClock } from '../../test/support/manual-clock.js';
import { skewedClock, type Clock } from '../util/clock.js';

const BUCKET = 'team-state';
const KEY = 'segflow/demo.json.lock';
const timing = { leaseMs: 60_000, renewEveryMs: 15_000 };

/** A lock whose contender sees the clock `skewMs` ahead of the real one. */
const lockAt = (s3: S3Port, skewMs = 0, t = timing) => new S3LockBackend(s3, BUCKET, KEY, t, skewedClock(skewMs));
const lockOn = (s3: S3Port, clock: Clock, t = timing) => new S3LockBackend(s3, BUCKET, KEY, t, clock);

/** An S3 port whose PutObjects can be made to hang (a half-open connection) and whose requests can be awaited. */
function controllable(s3: S3Port) {
  const inflight = new Set<Promise<unknown>>();
  const state = { hang: false, puts: 0, aborted: 0 };
  const track = <T>(p: Promise<T>): Promise<T> => {
    inflight.add(p);
    void p.catch(() => undefined).finally(() => inflight.delete(p));
    return p;
  };
  const port: S3Port = {
    ...s3,
    putObject(bucket, key, body, options) {
      state.puts++;
      if (!state.hang) return track(s3.putObject(bucket, key, body, options));
      // Never answers; only an abort ends it.
      return new Promise((_, reject) => {
        options?.signal?.addEventListener('abort', () => {
          state.aborted++;
          reject(new Error('aborted'));
        });
      });
    },
    getObjectText: (...a) => track(s3.getObjectText(...a)),
    deleteObject: (...a) => track(s3.deleteObject(...a)),
  };
  return {
    port,
    state,
    idle: async () => {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
}

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

test("a lease is judged by S3's LastModified and the holder's own expiry: a fast clock alone never takes a live lock", async () => {
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
    const clock = new ManualClock();
    const s3c = controllable(s3);
    const held = await lockOn(s3c.port, clock).acquire('apply');
    const seen: { lost?: Error } = {};
    held.keepAlive((e) => (seen.lost = e));
    // Twice the lease goes by, one renewal period at a time; every renewal lands.
    for (let t = 0; t < 2 * timing.leaseMs; t += timing.renewEveryMs) {
      await clock.advance(timing.renewEveryMs);
      await s3c.idle();
    }
    assert.equal(s3c.state.puts, 1 + (2 * timing.leaseMs) / timing.renewEveryMs, 'one renewal per period');
    await assert.rejects(lockOn(s3, clock).acquire('apply'), (e) => isSegflowError(e) && e.code === 'STATE_LOCKED');
    const lost = (): Error | undefined => seen.lost;
    assert.equal(lost(), undefined, 'still held');
    await assert.rejects(lockAt(s3).forceUnlock('0000'), (e) => isSegflowError(e) && e.code === 'STATE_UNLOCK_MISMATCH');
    await lockAt(s3).forceUnlock(held.holder.id);
    // The next renewal finds the lock gone.
    await clock.advance(timing.renewEveryMs);
    await s3c.idle();
    const error = lost();
    assert.ok(isSegflowError(error) && error.code === 'STATE_LOCK_LOST' && /it was removed/.test(error.message), String(error));
    await held.release();
  });
});

test('a renewal that hangs: the holder gives the lock up before its lease ends, so nobody can take it while it still runs', async () => {
  await withEmulatorPorts(async ({ s3 }) => {
    await s3.createBucket(BUCKET);
    const clock = new ManualClock();
    const t0 = clock.now();
    const s3c = controllable(s3);
    const held = await lockOn(s3c.port, clock).acquire('apply', { who: 'a' });
    const events: string[] = [];
    let lostError: Error | undefined;
    held.keepAlive((e) => {
      lostError = e;
      events.push(`lost at ${clock.now() - t0}`);
    });
    s3c.state.hang = true; // from now on every PUT of the holder hangs, as over a half-open connection
    await clock.advance(timing.renewEveryMs); // the first renewal starts and never answers
    assert.equal(s3c.state.puts, 2);
    // Until the holder's deadline (lease - one renewal period) nothing happens, and the lock is still refused to others.
    await clock.advance(timing.leaseMs - 2 * timing.renewEveryMs - 1);
    assert.equal(events.length, 0, events.join());
    await assert.rejects(lockOn(s3, clock).acquire('apply', { who: 'b' }), (e) => isSegflowError(e) && e.code === 'STATE_LOCKED');
    // At the deadline the holder is told, and the hung renewal is aborted.
    await clock.advance(1);
    assert.deepEqual(events, [`lost at ${timing.leaseMs - timing.renewEveryMs}`]);
    assert.ok(isSegflowError(lostError) && lostError.code === 'STATE_LOCK_LOST' && /could not be renewed/.test(lostError.message), String(lostError));
    assert.equal(s3c.state.aborted, 1, 'the renewal in flight was aborted');
    // Others still wait for the lease the holder wrote, and only then take the lock over.
    await assert.rejects(lockOn(s3, clock).acquire('apply', { who: 'b' }), (e) => isSegflowError(e) && e.code === 'STATE_LOCKED');
    await clock.advance(timing.renewEveryMs + 2000);
    const taker = await lockOn(s3, clock).acquire('apply', { who: 'b' });
    events.push(`taken at ${clock.now() - t0}`);
    assert.equal(taker.tookOver?.id, held.holder.id);
    assert.deepEqual(events, [`lost at ${timing.leaseMs - timing.renewEveryMs}`, `taken at ${timing.leaseMs + 2000}`]);
    assert.equal(clock.pending(), 0, 'no timer of the holder left');
    s3c.state.hang = false;
    await held.release(); // not the holder's any more: the taker's lock stays
    assert.equal((await lockAt(s3).inspect())?.id, taker.holder.id);
    await taker.release();
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
        throw new AwsError(
          's3',
          'PutObject',
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
          'precondition-failed',
          412,
        );
      },
    };
    const held = await lockAt(flaky).acquire('apply');
    assert.equal((await lockAt(s3).inspect())?.id, held.holder.id);
    await held.release();
    assert.equal(await lockAt(s3).inspect(), undefined);
  });
});
