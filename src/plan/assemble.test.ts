import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { testSpec } from '../../test/support/spec.js';
import { pipelineSteps } from '../resources/index.js';
import type { Observation, PreparedData } from '../resources/types.js';
import type { Spec } from '../spec/types.js';
import type { PipelineState, StepRecord } from '../state/types.js';
import { assemblePlan, decisionKind } from './assemble.js';
import { desireAll } from './desire.js';
import type { Snapshot } from './observe.js';

/**
 * assemblePlan is the pure heart of `plan`: properties over random worlds (every step's observation and state
 * record drawn independently) that must hold whatever the world looks like.
 */
const env = { account: '123456789012', region: 'eu-west-1', partition: 'aws' };
const prepared: PreparedData = {
  fingerprint: 'f'.repeat(64),
  workDir: '/work',
  sources: { '/x/data.csv': 'sha256 0123456789ab' },
  stats: { trainRows: 50_000, trainUsers: 4000, trainItems: 900, queries: 100, k: 40 } as PreparedData['stats'],
  manifest: {
    version: 1,
    fingerprint: 'f'.repeat(64),
    segflowVersion: 'test',
    createdAt: '',
    outputs: {
      'interactions.csv': { sha256: 'a'.repeat(64), bytes: 1_000_000 },
      'items.csv': { sha256: 'b'.repeat(64), bytes: 10_000 },
      'batch-input.jsonl': { sha256: 'c'.repeat(64), bytes: 2000 },
      'ground-truth.json': { sha256: 'd'.repeat(64), bytes: 3000 },
    },
  },
};

type ObsKind = 'absent' | 'pending' | 'active' | 'failed' | 'deleting' | 'drifted';
type RecKind = 'none' | 'intent' | 'done' | 'done-other';

const STATUS: Record<Exclude<ObsKind, 'absent' | 'drifted'>, string> = {
  pending: 'CREATE IN_PROGRESS',
  active: 'ACTIVE',
  failed: 'CREATE FAILED',
  deleting: 'DELETE IN_PROGRESS',
};

function world(spec: Spec, draws: Array<[ObsKind, RecKind]>): { snapshot: Snapshot; state: PipelineState } {
  const steps = pipelineSteps(spec);
  const empty: PipelineState = { version: 1, pipeline: spec.name, target: { kind: 'aws', region: env.region }, steps: {}, updatedAt: '' };
  const desired = desireAll(spec, env, prepared, empty, steps);
  const state: PipelineState = { ...empty, steps: {} };
  const observations: Record<string, Observation> = {};
  steps.forEach((step, i) => {
    const [obs, rec] = draws[i % draws.length]!;
    const d = desired.get(step.id)!;
    const arn = `arn:aws:personalize:eu-west-1:123456789012:x/${d.name}`;
    if (rec !== 'none') {
      const record: StepRecord = {
        phase: rec === 'intent' ? 'intent' : 'done',
        name: d.name,
        inputsHash: rec === 'done-other' ? '0'.repeat(16) : d.inputsHash,
        inputs: d.inputs,
        updatedAt: '',
      };
      state.steps[step.id] = record;
    }
    if (obs === 'absent') observations[step.id] = { exists: false };
    else if (obs === 'drifted') observations[step.id] = { exists: true, arn, status: 'ACTIVE', phase: 'active', drift: ['something changed'] };
    else observations[step.id] = { exists: true, arn, status: STATUS[obs], phase: obs === 'pending' ? 'pending' : obs };
  });
  return { snapshot: { env, prepared, observations }, state };
}

const draw = fc.array(
  fc.tuple(
    fc.constantFrom<ObsKind>('absent', 'pending', 'active', 'failed', 'deleting', 'drifted'),
    fc.constantFrom<RecKind>('none', 'intent', 'done', 'done-other'),
  ),
  { minLength: 1, maxLength: 20 },
);
const specs = fc.constantFrom(
  testSpec(),
  testSpec({
    recipe: 'aws-item-attribute-affinity',
    data: {
      ...testSpec().data,
      items: {
        source: ['/x/items.csv'],
        format: 'csv',
        columns: { ITEM_ID: 'i' },
        attributes: [{ name: 'CATEGORY', column: 'c', type: 'categorical' }],
        onBadRows: 'fail',
        maxBadRows: 0,
      },
    },
    queries: { attributes: [{ expression: 'ITEMS.CATEGORY = "A"', conditions: [{ attribute: 'CATEGORY', value: 'A' }] }] },
  }),
);
const now = new Date('2026-11-29T00:00:00Z');

test('assemblePlan is deterministic and leaves its inputs alone', () => {
  fc.assert(
    fc.property(specs, draw, (spec, draws) => {
      const { snapshot, state } = world(spec, draws);
      const before = JSON.stringify({ snapshot, state, spec });
      const a = assemblePlan(spec, snapshot, state, now);
      const b = assemblePlan(spec, snapshot, state, now);
      assert.deepEqual(a, b);
      assert.equal(JSON.stringify({ snapshot, state, spec }), before);
      assert.equal(a.createdAt, now.toISOString());
    }),
    { numRuns: 300 },
  );
});

test('nothing absent is left alone, and every "after X" names a dependency that really changes', () => {
  fc.assert(
    fc.property(specs, draw, (spec, draws) => {
      const { snapshot, state } = world(spec, draws);
      const plan = assemblePlan(spec, snapshot, state, now);
      const changing = new Set(plan.steps.filter((s) => s.action !== 'noop').map((s) => s.id));
      for (const s of plan.steps) {
        if (!snapshot.observations[s.id]!.exists) assert.notEqual(s.action, 'noop', `${s.id} is absent`);
        for (const r of s.reasons) {
          const after = /^after ([\w-]+)/.exec(r)?.[1];
          if (after) assert.ok(s.deps.includes(after) && changing.has(after), `${s.id}: ${r}`);
        }
      }
      assert.equal(plan.changes, changing.size);
    }),
    { numRuns: 300 },
  );
});

test('what is made from a step that is made anew is made again: no job or local result outlives its source', () => {
  fc.assert(
    fc.property(specs, draw, (spec, draws) => {
      const { snapshot, state } = world(spec, draws);
      const plan = assemblePlan(spec, snapshot, state, now);
      const action = new Map(plan.steps.map((s) => [s.id, s.action]));
      for (const step of pipelineSteps(spec)) {
        const renewed = (step.invalidatedBy ?? []).filter((d) => ['create', 'replace', 'run', 'wait'].includes(action.get(d)!));
        if (renewed.length > 0 && decisionKind(step) !== 'resource')
          assert.ok(['run', 'wait'].includes(action.get(step.id)!), `${step.id} after ${renewed.join(',')}`);
        for (const d of step.invalidatedBy ?? []) assert.ok(step.deps.includes(d), `${step.id}: invalidatedBy ${d} is not a dependency`);
      }
    }),
    { numRuns: 300 },
  );
});

test('actions fit the kind of step: jobs are never created or replaced, local work only runs', () => {
  fc.assert(
    fc.property(specs, draw, (spec, draws) => {
      const { snapshot, state } = world(spec, draws);
      const plan = assemblePlan(spec, snapshot, state, now);
      const kinds = new Map(pipelineSteps(spec).map((s) => [s.id, decisionKind(s)]));
      for (const s of plan.steps) {
        const kind = kinds.get(s.id);
        if (kind === 'job') assert.ok(['run', 'wait', 'adopt', 'noop'].includes(s.action), `${s.id}: ${s.action}`);
        if (s.action === 'update') assert.equal(kind, 'resource', s.id);
        if (kind === 'local') assert.ok(['run', 'noop'].includes(s.action), `${s.id}: ${s.action}`);
        if (s.action !== 'noop') assert.ok(s.reasons.length > 0, `${s.id} ${s.action} without a reason`);
      }
    }),
    { numRuns: 300 },
  );
});

test('only what runs is priced; a converged world plans nothing and costs nothing', () => {
  fc.assert(
    fc.property(specs, draw, (spec, draws) => {
      const { snapshot, state } = world(spec, draws);
      const plan = assemblePlan(spec, snapshot, state, now);
      const runs = (id: string) => ['run', 'create', 'replace'].includes(plan.steps.find((s) => s.id === id)!.action);
      const line = (item: string) => plan.cost.lines.find((l) => l.item === item)!.usd;
      if (!runs('segments')) assert.equal(line('batch segments'), 0);
      else assert.equal(plan.cost.segments?.users, prepared.stats.trainUsers);
      if (!runs('training')) assert.equal(line('training'), 0);
    }),
    { numRuns: 300 },
  );
  for (const spec of [testSpec()]) {
    const { snapshot, state } = world(spec, [['active', 'done']]);
    // Local steps and reruns are up to date when their record is done with the same inputs.
    for (const step of pipelineSteps(spec)) if (decisionKind(step) === 'local') snapshot.observations[step.id] = { exists: true, phase: 'active' };
    const plan = assemblePlan(spec, snapshot, state, now);
    assert.equal(plan.changes, 0, JSON.stringify(plan.steps.filter((s) => s.action !== 'noop')));
    assert.equal(plan.cost.totalUsd, 0);
  }
});
