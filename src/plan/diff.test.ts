import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decide, diffInputs } from './diff.js';
import { stableStringify } from '../util/hash.js';
import type { Desired, Observation } from '../resources/types.js';
import type { StepRecord } from '../state/types.js';

const desired: Desired = { name: 'p-seg-1234abcd', inputs: { numResults: 9, training: 'a'.repeat(16) }, inputsHash: 'h2' };
const done = (inputsHash: string, inputs: Record<string, unknown> = { numResults: 5, training: 'a'.repeat(16) }): StepRecord => ({
  phase: 'done',
  name: 'p-seg-old',
  arn: 'arn:x',
  inputsHash,
  inputs,
  updatedAt: '',
});
const absent: Observation = { exists: false };
const active: Observation = { exists: true, phase: 'active', status: 'ACTIVE', arn: 'arn:x' };

test('diffInputs names nested fields and shortens hashes', () => {
  assert.deepEqual(
    diffInputs(
      { data: { interactions: { minInteractionsPerUser: 4, where: 'x' } }, sha: '0123456789abcdef0123' },
      { data: { interactions: { minInteractionsPerUser: 5, where: 'x' } }, sha: 'fedcba9876543210fedc' },
    ),
    ['data.interactions.minInteractionsPerUser: 4 -> 5', 'sha: 01234567 -> fedcba98'],
  );
  assert.deepEqual(diffInputs({ a: 1 }, { a: 1, b: 2 }), ['b: (none) -> 2']);
});

test('diffInputs of equal values is empty, of different values never empty', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      const d = diffInputs(a, b);
      if (JSON.stringify(a) === JSON.stringify(b)) assert.deepEqual(d, []);
      if (stableStringify(a) !== stableStringify(b)) assert.ok(d.length > 0, `no difference found between ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
      return true;
    }),
  );
  fc.assert(fc.property(fc.jsonValue(), (a) => diffInputs(a, a).length === 0));
  // Keys that exist on Object.prototype are data like any other.
  assert.deepEqual(diffInputs({ valueOf: false }, {}), ['valueOf: false -> (none)']);
  fc.assert(fc.property(fc.integer(), fc.integer(), (a, b) => a === b || diffInputs({ x: a }, { x: b }).length === 1));
});

test('jobs: new inputs run with the changed field as the reason; same inputs and present are a noop', () => {
  const r = decide({ kind: 'job', desired, record: done('h1'), observation: absent, changingDeps: [] });
  assert.deepEqual(r, { action: 'run', reasons: ['numResults: 5 -> 9'] });
  assert.deepEqual(decide({ kind: 'job', desired, record: done('h2'), observation: active, changingDeps: [] }), { action: 'noop', reasons: [] });
});

test('first run: absent resources are created, jobs run', () => {
  assert.deepEqual(decide({ kind: 'resource', desired, record: undefined, observation: absent, changingDeps: [] }), { action: 'create', reasons: ['absent'] });
  assert.deepEqual(decide({ kind: 'job', desired, record: undefined, observation: absent, changingDeps: ['training'] }), {
    action: 'run',
    reasons: ['after training'],
  });
});

test('present but unknown to the state (a crash between create and record) is adopted', () => {
  assert.equal(decide({ kind: 'job', desired, record: { ...done('h2'), phase: 'intent' }, observation: active, changingDeps: [] }).action, 'adopt');
  assert.equal(decide({ kind: 'resource', desired, record: undefined, observation: active, changingDeps: [] }).action, 'adopt');
  // A run interrupted before (intent) or after the create call (created, while it waited) made it; no record: someone else.
  for (const phase of ['intent', 'created'] as const) {
    assert.deepEqual(
      decide({ kind: 'job', desired, record: { ...done('h2'), phase }, observation: active, changingDeps: [] }).reasons,
      ['created by an interrupted run'],
      phase,
    );
  }
  assert.deepEqual(decide({ kind: 'resource', desired, record: undefined, observation: active, changingDeps: [] }).reasons, ['exists but is not in the state']);
});

test('in flight is waited for; failed is retried; deleted out of band is drift', () => {
  assert.deepEqual(
    decide({ kind: 'job', desired, record: done('h2'), observation: { exists: true, phase: 'pending', status: 'CREATE IN_PROGRESS' }, changingDeps: [] }),
    {
      action: 'wait',
      reasons: ['in progress (CREATE IN_PROGRESS)'],
    },
  );
  const failed = decide({
    kind: 'job',
    desired,
    record: done('h2'),
    observation: { exists: true, phase: 'failed', status: 'CREATE FAILED', failureReason: 'bad\nlong' },
    changingDeps: [],
  });
  assert.deepEqual(failed, { action: 'run', reasons: ['previous attempt CREATE FAILED: bad'] });
  assert.deepEqual(decide({ kind: 'resource', desired, record: done('h2'), observation: absent, changingDeps: [] }), {
    action: 'create',
    reasons: ['drifted: p-seg-old was deleted out of band'],
  });
  assert.deepEqual(decide({ kind: 'resource', desired, record: done('h2'), observation: { ...active, drift: ['recipe: a -> b'] }, changingDeps: [] }), {
    action: 'replace',
    reasons: ['drifted: recipe: a -> b'],
  });
});

test('local steps: up to date is a noop, otherwise run with the reason', () => {
  assert.equal(decide({ kind: 'local', desired, record: done('h2'), observation: active, changingDeps: [] }).action, 'noop');
  assert.deepEqual(decide({ kind: 'local', desired, record: undefined, observation: absent, changingDeps: [] }), { action: 'run', reasons: ['never run'] });
  assert.deepEqual(decide({ kind: 'local', desired, record: done('h2'), observation: absent, changingDeps: [] }), {
    action: 'run',
    reasons: ['output missing'],
  });
});
