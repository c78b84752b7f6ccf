import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, show } from '../support/run-cli.js';
import { S3StateBackend } from '../../src/state/s3-backend.js';
import { STATE_BUCKET, contender, costly, withTeam, type Child } from './support.js';

/**
 * segflow in a team, end to end: the built CLI in separate working directories (standing for separate machines)
 * sharing one S3 state on a standalone emulator, and real processes racing for its lock and its writes.
 */
const FAST = { SEGFLOW_POLL_MS: '20,200' };
const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

function json<T>(text: string): T {
  return JSON.parse(text) as T;
}

describe('team: one S3 state shared by several machines', { concurrency: 1 }, () => {
  test('apply on one machine; plan --detailed-exitcode on another exits 0, and report --history there shows the run', async () => {
    await withTeam('shared', async (team) => {
      const [a, b] = [await team.machine(), await team.machine()];
      const applied = await runCli(a, ['apply', 'pipeline.yaml', '--auto-approve'], { env: FAST });
      assert.equal(applied.code, 0, show(applied));
      assert.equal(await exists(join(a, '.segflow/state/shared.json')), false, 'the state lives in S3, not on the machine');
      const plan = await runCli(b, ['plan', 'pipeline.yaml', '--detailed-exitcode'], { env: FAST });
      assert.equal(plan.code, 0, plan.stdout + plan.stderr);
      assert.match(plan.stdout, /No changes/);
      const history = await runCli(b, ['report', 'pipeline.yaml', '--history', '--json'], { env: FAST });
      assert.equal(history.code, 0, history.stderr);
      assert.equal(json<unknown[]>(history.stdout).length, 1, 'the run evaluated on machine a, as seen from b');
      const versions = await runCli(b, ['state', 'history', 'pipeline.yaml', '--json'], { env: FAST });
      const h = json<{ entries: Array<{ serial: number; current: boolean }> }>(versions.stdout);
      assert.ok(h.entries.length > 10 && h.entries[0]!.current);
    });
  });

  test('two applies started at once from two machines: exactly one runs, the other exits 3 naming the holder', async () => {
    await withTeam('race', async (team) => {
      const [a, b] = [await team.machine(), await team.machine()];
      const runs = await Promise.all(
        [a, b].map((dir) => runCli(dir, ['apply', 'pipeline.yaml', '--auto-approve'], { env: { ...FAST, USER: `user-${dir === a ? 'a' : 'b'}` } })),
      );
      assert.deepEqual(runs.map((r) => r.code).sort(), [0, 3], runs.map((r) => r.stderr).join('\n---\n'));
      const [won, refused] = runs[0]!.code === 0 ? [runs[0]!, runs[1]!] : [runs[1]!, runs[0]!];
      const winner = runs[0]!.code === 0 ? 'user-a' : 'user-b';
      assert.match(
        refused.stderr,
        new RegExp(`error STATE_LOCKED: another apply by ${winner} on \\S+ \\(pid \\d+, run [0-9a-f]+\\) since \\S+ holds the lock; lease until`),
      );
      assert.match(refused.stderr, /segflow unlock FILE [0-9a-f]{16}/);
      assert.match(won.stdout, /Apply complete/);
      assert.deepEqual(await costly(team.ports, 'race'), { imports: 1, versions: 1, segments: 1 });
    });
  });

  test('kill -9 while holding the lock, then unlock, then apply completes with no duplicate costly resource', async () => {
    await withTeam('crash', async (team) => {
      const [a, b] = [await team.machine(), await team.machine()];
      const env = { ...FAST, SEGFLOW_LOCK_LEASE_S: '600' };
      const killed = await runCli(a, ['apply', 'pipeline.yaml', '--auto-approve'], { env, killWhen: (out) => /\[training\] run/.test(out) });
      assert.equal(killed.signal, 'SIGKILL', `finished before the kill point:\n${killed.stdout}`);
      // The runner is gone but its lock (lease 10 minutes) is not: another machine is refused, told how to unlock.
      const refused = await runCli(b, ['apply', 'pipeline.yaml', '--auto-approve'], { env });
      assert.equal(refused.code, 3, refused.stderr);
      const lockId = /segflow unlock FILE ([0-9a-f]{16})/.exec(refused.stderr)?.[1];
      assert.ok(lockId, refused.stderr);
      const wrong = await runCli(b, ['unlock', 'pipeline.yaml', '0123456789abcdef'], { env });
      assert.equal(wrong.code, 3, 'unlock removes only the lock it names');
      const unlocked = await runCli(b, ['unlock', 'pipeline.yaml', lockId], { env });
      assert.equal(unlocked.code, 0, unlocked.stderr);
      assert.match(unlocked.stdout, new RegExp(`Released lock ${lockId}`));
      const resumed = await runCli(b, ['apply', 'pipeline.yaml', '--auto-approve', '--json'], { env });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(json<{ ok: boolean }>(resumed.stdout).ok, true);
      assert.deepEqual(await costly(team.ports, 'crash'), { imports: 1, versions: 1, segments: 1 });
      const again = await runCli(a, ['plan', 'pipeline.yaml', '--detailed-exitcode'], { env });
      assert.equal(again.code, 0, again.stdout);
    });
  });

  test('5 rounds of 6 processes racing for an expired lease: exactly one winner each', async () => {
    await withTeam('lease', async (team) => {
      const key = 'segflow/lease.json';
      const leaseMs = 1000;
      const backend = await S3StateBackend.open(team.ports.s3, STATE_BUCKET, key, { timing: { leaseMs, renewEveryMs: 250 } });
      const lock = backend.lock;
      for (let round = 1; round <= 5; round++) {
        const dead = await lock.acquire('apply', { who: `dead-${round}` }); // never renewed: a killed runner
        const children: Child[] = Array.from({ length: 6 }, (_, i) =>
          contender(['lock', team.emulator.endpoint, STATE_BUCKET, key, String(leaseMs), `c${round}-${i}`]),
        );
        for (const c of children) assert.equal(await c.line(), 'ready');
        // Past the lease by S3's LastModified (whole seconds) and by the holder's own expiry.
        await new Promise((r) => setTimeout(r, leaseMs + 1200));
        for (const c of children) c.send('go');
        const results = await Promise.all(
          children.map(async (c) => json<{ result: string; id?: string; tookOver?: string; code?: string; message?: string }>(await c.line())),
        );
        const winners = results.filter((r) => r.result === 'won');
        assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(results)}`);
        assert.equal(winners[0]!.tookOver, dead.holder.id, 'the winner took over the expired lease');
        for (const r of results.filter((x) => x.result !== 'won')) {
          assert.equal(r.code, 'STATE_LOCKED', JSON.stringify(r));
          assert.match(r.message!, /another apply by c\d-\d/, 'the losers name the winner');
        }
        const winner = children[results.indexOf(winners[0]!)]!;
        winner.send('exit');
        assert.deepEqual(json(await winner.line()), { result: 'released', lost: null });
        await Promise.all(children.map((c) => c.exited));
        assert.equal(await lock.inspect(), undefined);
      }
    });
  });

  test('state writes from 4 processes at once: every lost race is retried, none is lost (read back from the history)', async () => {
    await withTeam('writes', async (team) => {
      const key = 'segflow/writes.json';
      const [writers, each] = [4, 10];
      const children = Array.from({ length: writers }, (_, w) => contender(['write', team.emulator.endpoint, STATE_BUCKET, key, `w${w}`, String(each)]));
      for (const c of children) assert.equal(await c.line(), 'ready');
      for (const c of children) c.send('go');
      const results = await Promise.all(children.map(async (c) => json<{ conflicts: number }>(await c.line())));
      await Promise.all(children.map((c) => c.exited));
      const conflicts = results.reduce((n, r) => n + r.conflicts, 0);
      assert.ok(conflicts > 0, 'the writers really lost races to each other');
      const total = writers * each;
      const backend = await S3StateBackend.open(team.ports.s3, STATE_BUCKET, key);
      const state = (await backend.read())!.state;
      assert.equal(Object.keys(state.steps).length, total, 'every write of every process is in the state');
      const history = await backend.history(1000);
      assert.deepEqual(
        history.map((h) => h.serial),
        Array.from({ length: total }, (_, i) => total - i),
        'one version per write, none overwritten',
      );
      assert.deepEqual(
        history.map((h) => h.steps),
        Array.from({ length: total }, (_, i) => total - i),
        'each version adds exactly one update to the one before',
      );
    });
  });
});
