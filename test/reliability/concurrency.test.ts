import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { census, endpointWorkspace, startStandalone, type StandaloneEmulator } from './support.js';
import { runCli, show } from '../support/run-cli.js';

const lockModule = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'src', 'util', 'file-lock.js');

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

async function waitFor(path: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > end) throw new Error(`${path} never appeared`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('concurrency: locks and side-by-side pipelines', () => {
  let emu: StandaloneEmulator;
  before(async () => {
    emu = await startStandalone();
  });
  after(async () => {
    await emu.stop();
  });

  test('two applies on one pipeline at once: the second exits 3 naming the holder; the first completes', async () => {
    const w = await endpointWorkspace(emu.endpoint, { name: 'twice' });
    const lock = join(w.dir, '.segflow', 'state', 'twice.json.lock');
    const first = runCli(w.dir, ['apply', w.spec, '--auto-approve']);
    await waitFor(lock);
    const holder = JSON.parse(await readFile(lock, 'utf8')) as { pid: number };
    const second = await runCli(w.dir, ['apply', w.spec, '--auto-approve']);
    assert.equal(second.code, 3, show(second));
    assert.match(second.stderr, /STATE_LOCKED/);
    assert.match(second.stderr, new RegExp(`pid ${holder.pid} on ${hostname()}`));
    const done = await first;
    assert.equal(done.code, 0, show(done));
    assert.equal(existsSync(lock), false, 'the lock is released');
    const c = await census(emu.aws, 'twice');
    assert.deepEqual([c.imports.size, c.versions.size, c.segments.size, c.duplicates.length], [1, 1, 1, 0]);
  });

  test('a stale lock of a dead process is taken over; a destroy meanwhile is refused', async () => {
    const w = await endpointWorkspace(emu.endpoint, { name: 'stale' });
    const lock = join(w.dir, '.segflow', 'state', 'stale.json.lock');
    await mkdir(join(w.dir, '.segflow', 'state'), { recursive: true });
    const pid = deadPid();
    await writeFile(lock, JSON.stringify({ pid, host: hostname(), command: 'apply', since: '2026-01-01T00:00:00Z' }) + '\n');
    const r = await runCli(w.dir, ['apply', w.spec, '--auto-approve']);
    assert.equal(r.code, 0, show(r));
    assert.equal(existsSync(lock), false);
    // A lock from another host is never taken over automatically.
    await writeFile(lock, JSON.stringify({ pid, host: `not-${hostname()}`, command: 'apply', since: 'then' }) + '\n');
    const refused = await runCli(w.dir, ['destroy', w.spec, '--auto-approve']);
    assert.equal(refused.code, 3, show(refused));
    assert.match(refused.stderr, new RegExp(`pid ${pid} on not-${hostname()}`));
  });

  test('many processes racing for one stale lock: exactly one wins', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'segflow-rel-lock-'));
    const results: string[] = [];
    for (let round = 0; round < 5; round++) {
      const lock = join(dir, `r${round}.json.lock`);
      await writeFile(lock, JSON.stringify({ pid: deadPid(), host: hostname(), command: 'apply', since: 'then' }) + '\n');
      // Each contender waits for a common start instant and tries once; a winner holds the lock until every
      // contender has answered (a release file), so a slow starter cannot come after the release and win too.
      const start = Date.now() + 700;
      const releaseFile = join(dir, `r${round}.release`);
      const script = `
        const { acquireLock } = await import(${JSON.stringify(lockModule)});
        const { existsSync } = await import('node:fs');
        while (Date.now() < ${start}) {}
        try {
          const l = await acquireLock(${JSON.stringify(lock)}, 'apply');
          console.log('won');
          while (!existsSync(${JSON.stringify(releaseFile)})) await new Promise((r) => setTimeout(r, 20));
          await l.release();
        } catch (e) { console.log(e.code ?? e.message); }`;
      const children = Array.from({ length: 6 }, () => {
        const c = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let o = '';
        const answered = new Promise<string>((res) => {
          c.stdout.on('data', (d: Buffer) => {
            o += d.toString();
            if (o.includes('\n')) res(o.trim());
          });
          c.on('close', () => res(o.trim()));
        });
        const closed = new Promise((res) => c.on('close', res));
        return { answered, closed };
      });
      const outs = await Promise.all(children.map((c) => c.answered));
      await writeFile(releaseFile, '');
      await Promise.all(children.map((c) => c.closed));
      await rm(releaseFile);
      results.push(outs.sort().join(','));
      assert.equal(outs.filter((o) => o === 'won').length, 1, `round ${round}: ${outs.join(', ')}`);
      assert.ok(
        outs.every((o) => o === 'won' || o === 'STATE_LOCKED'),
        outs.join(', '),
      );
    }
    assert.deepEqual(await readdir(dir), [], 'no lock, marker or temp file is left behind');
  });

  test('two different pipelines side by side on one emulator do not interfere', async () => {
    const a = await endpointWorkspace(emu.endpoint, { name: 'left' });
    const b = await endpointWorkspace(emu.endpoint, { name: 'right', count: 12 });
    const [ra, rb] = await Promise.all([runCli(a.dir, ['apply', a.spec, '--auto-approve']), runCli(b.dir, ['apply', b.spec, '--auto-approve'])]);
    assert.equal(ra.code, 0, show(ra));
    assert.equal(rb.code, 0, show(rb));
    for (const [w, name] of [
      [a, 'left'],
      [b, 'right'],
    ] as const) {
      const c = await census(emu.aws, name);
      assert.deepEqual([c.imports.size, c.versions.size, c.segments.size, c.duplicates.length], [1, 1, 1, 0], name);
      const plan = await runCli(w.dir, ['plan', w.spec, '--detailed-exitcode']);
      assert.equal(plan.code, 0, show(plan));
    }
    // Destroying one leaves the other intact.
    const d = await runCli(a.dir, ['destroy', a.spec, '--auto-approve']);
    assert.equal(d.code, 0, show(d));
    const plan = await runCli(b.dir, ['plan', b.spec, '--detailed-exitcode']);
    assert.equal(plan.code, 0, show(plan));
  });
});
