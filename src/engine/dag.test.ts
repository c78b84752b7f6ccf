import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDag } from './dag.js';
import { sleep } from '../util/backoff.js';

test('independent steps run in parallel; dependants wait for their dependencies', async () => {
  const log: string[] = [];
  let active = 0;
  let maxActive = 0;
  const nodes = [
    { id: 'a', deps: [] },
    { id: 'b', deps: [] },
    { id: 'c', deps: [] },
    { id: 'd', deps: ['a', 'b'] },
    { id: 'e', deps: ['d', 'c'] },
  ];
  const out = await runDag(nodes, async (id) => {
    active++;
    maxActive = Math.max(maxActive, active);
    log.push(`start ${id}`);
    await sleep(10);
    log.push(`end ${id}`);
    active--;
  });
  assert.equal(maxActive, 3);
  assert.ok(log.indexOf('start d') > log.indexOf('end a') && log.indexOf('start d') > log.indexOf('end b'));
  assert.ok(log.indexOf('start e') > log.indexOf('end d') && log.indexOf('start e') > log.indexOf('end c'));
  assert.deepEqual(
    [...out.values()].map((o) => o.status),
    ['done', 'done', 'done', 'done', 'done'],
  );
});

test('a failure skips what depends on it and lets independent branches finish', async () => {
  const ran: string[] = [];
  const out = await runDag(
    [
      { id: 'a', deps: [] },
      { id: 'b', deps: ['a'] },
      { id: 'c', deps: ['b'] },
      { id: 'x', deps: [] },
      { id: 'y', deps: ['x'] },
    ],
    async (id) => {
      ran.push(id);
      if (id === 'a') throw new Error('boom');
      await sleep(5);
    },
  );
  assert.equal(out.get('a')?.status, 'failed');
  assert.deepEqual(out.get('b'), { status: 'skipped', because: 'a' });
  assert.deepEqual(out.get('c'), { status: 'skipped', because: 'b' });
  assert.equal(out.get('y')?.status, 'done');
  assert.ok(!ran.includes('b') && !ran.includes('c'));
});

test('cancellation starts nothing new; running steps see the signal', async () => {
  const controller = new AbortController();
  const ran: string[] = [];
  const out = await runDag(
    [
      { id: 'slow', deps: [] },
      { id: 'next', deps: ['slow'] },
    ],
    async (id) => {
      ran.push(id);
      if (id === 'slow') {
        setTimeout(() => controller.abort(), 5);
        await sleep(10_000, controller.signal);
      }
    },
    { signal: controller.signal },
  );
  assert.deepEqual(ran, ['slow']);
  assert.equal(out.get('slow')?.status, 'cancelled');
  assert.equal(out.get('next')?.status, 'skipped');
});

test('concurrency limit and cycle detection', async () => {
  let active = 0;
  let maxActive = 0;
  await runDag(
    ['a', 'b', 'c', 'd'].map((id) => ({ id, deps: [] })),
    async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(5);
      active--;
    },
    { concurrency: 2 },
  );
  assert.equal(maxActive, 2);
  await assert.rejects(
    runDag(
      [
        { id: 'a', deps: ['b'] },
        { id: 'b', deps: ['a'] },
      ],
      async () => {},
    ),
    /cycle/,
  );
  await assert.rejects(
    runDag([{ id: 'a', deps: ['zz'] }], async () => {}),
    /unknown step/,
  );
});
