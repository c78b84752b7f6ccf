import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp as mkdtempFs, readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { StateStore, readState } from './store.js';
import { acquireLock } from '../util/file-lock.js';
import { isSegflowError } from '../util/errors.js';

const target = { kind: 'local' as const, region: 'us-east-1' };
const made: string[] = [];
const mkdtemp = async (prefix: string) => {
  const dir = await mkdtempFs(prefix);
  made.push(dir);
  return dir;
};
after(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

test('concurrent step updates are all persisted (serialised atomic writes)', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'segflow-state-'));
  const store = await StateStore.open('p', cwd, target);
  await Promise.all(Array.from({ length: 20 }, (_, i) => store.setStep(`s${i}`, { phase: 'done', name: `n${i}` })));
  const onDisk = await readState(store.path);
  assert.equal(Object.keys(onDisk!.steps).length, 20);
  const reopened = await StateStore.open('p', cwd, target);
  assert.equal(reopened.step('s7')?.name, 'n7');
});

test('a corrupt state file is a STATE_CORRUPT error, not a crash', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'segflow-state-'));
  await mkdir(join(cwd, '.segflow', 'state'), { recursive: true });
  await writeFile(join(cwd, '.segflow', 'state', 'p.json'), '{not json');
  await assert.rejects(StateStore.open('p', cwd, target), (e) => isSegflowError(e) && e.code === 'STATE_CORRUPT');
});

test('the lock refuses a second holder in another live process, naming it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'segflow-lock-'));
  const path = join(dir, 'p.lock');
  // A real second process holds the lock while we try to take it.
  const child = spawn(process.execPath, [
    '-e',
    `
    const fs = require('fs');
    fs.writeFileSync(${JSON.stringify(path)}, JSON.stringify({pid: process.pid, host: require('os').hostname(), command: 'apply', since: 'now'}), {flag: 'wx'});
    console.log('locked');
    setTimeout(() => {}, 30000);
  `,
  ]);
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  try {
    await assert.rejects(acquireLock(path, 'apply'), (e) => {
      assert.ok(isSegflowError(e));
      assert.equal(e.code, 'STATE_LOCKED');
      assert.equal(e.exitCode, 3);
      assert.match(e.message, new RegExp(`pid ${child.pid}`));
      return true;
    });
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((r) => child.once('exit', r));
  // The holder is dead now: its lock is taken over.
  const lock = await acquireLock(path, 'apply');
  assert.equal((JSON.parse(await readFile(path, 'utf8')) as { pid: number }).pid, process.pid);
  await lock.release();
  const again = await acquireLock(path, 'destroy');
  await again.release();
});
