import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { listrRenderer } from './listr.js';
import { testPlan } from '../../test/support/plan.js';

test('listr renderer: the plan, then one task per step settled by engine events; finish() returns', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const r = listrRenderer(out);
  const plan = testPlan([
    ['bucket', 'noop', []],
    ['training', 'run', []],
    ['segments', 'run', []],
  ]);
  r.emit({ type: 'plan', plan });
  assert.match(text, /Plan for demo/);
  // What follows is the tasks' own output (the plan already names every step, so look only after it).
  const afterPlan = text.length;
  r.emit({ type: 'step-skipped', id: 'bucket', why: 'up to date' });
  r.emit({ type: 'step-start', step: plan.steps[1]! });
  r.emit({ type: 'step-progress', id: 'training', message: 'CREATE IN_PROGRESS' });
  r.emit({ type: 'step-done', id: 'training', durationMs: 5, note: 'adopted' });
  r.emit({ type: 'step-failed', id: 'segments', error: 'boom' });
  await r.finish();
  const tasks = text.slice(afterPlan);
  assert.match(tasks, /bucket \[SKIPPED: bucket: up to date\]/);
  assert.match(tasks, /CREATE IN_PROGRESS/);
  assert.match(tasks, /✔ training \(run\)/);
  assert.match(tasks, /✖ segments \(run\) \[FAILED: boom\]/);
});
