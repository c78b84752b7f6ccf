import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { plainRenderer } from './plain.js';
import { planLines, tally } from './plan-text.js';
import { testPlan } from '../../test/support/plan.js';

test('plan text shows each step, its action, its reasons, the cost against the budget and a tally', () => {
  const p = testPlan([
    ['bucket', 'noop', []],
    ['prepare', 'run', ['data.interactions.minInteractionsPerUser: 4 -> 5']],
    ['training', 'wait', ['in progress (CREATE IN_PROGRESS)']],
  ]);
  const text = planLines(p).join('\n');
  assert.match(text, /prepare\s+run\s+demo-prepare\n\s+data\.interactions\.minInteractionsPerUser: 4 -> 5/);
  assert.match(text, /training\s+wait/);
  assert.match(text, new RegExp(`total\\s+\\$${p.cost.lowUsd.toFixed(2)}-\\$${p.cost.totalUsd.toFixed(2)} of budget \\$25\\.00`));
  assert.match(text, /batch segments\s+1,000 users x 10 queries\s+\$0\.16/);
  assert.match(text, /note: prices are us-east-1 list prices recorded .* not confirmed/);
  assert.equal(tally(p), 'Plan: 1 to run, 1 to wait; 1 up to date.');
  assert.match(planLines(testPlan([['x', 'run', []]], 0.01)).join('\n'), /OVER BUDGET/);
  assert.equal(tally(testPlan([['x', 'noop', []]])), 'No changes. The pipeline is up to date.');
});

test('plain renderer: one line per step event, progress throttled per step', () => {
  const out = new PassThrough();
  let now = 0;
  const r = plainRenderer(out, { progressEveryMs: 1000, now: () => now });
  r({ type: 'step-progress', id: 'training', message: 'CREATE IN_PROGRESS', fraction: 0.25 });
  now = 500;
  r({ type: 'step-progress', id: 'training', message: 'CREATE IN_PROGRESS', fraction: 0.5 });
  now = 1600;
  r({ type: 'step-progress', id: 'training', message: 'CREATE IN_PROGRESS', fraction: 0.75 });
  r({ type: 'step-done', id: 'training', durationMs: 1234, adopted: true });
  r({ type: 'step-failed', id: 'segments', error: 'boom' });
  r({ type: 'step-skipped', id: 'bucket', why: 'up to date' });
  r({ type: 'step-skipped', id: 'evaluate', why: 'blocked by segments' });
  const lines = String(out.read()).trim().split('\n');
  assert.deepEqual(lines, [
    '[training] CREATE IN_PROGRESS 25%',
    '[training] CREATE IN_PROGRESS 75%',
    '[training] done in 1.2s (adopted)',
    '[segments] FAILED: boom',
    '[evaluate] skipped: blocked by segments',
  ]);
});
