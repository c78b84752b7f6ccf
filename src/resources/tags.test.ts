import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tagChanges } from './tags.js';

test('tagChanges: sets what is missing or different, removes only what segflow set and the spec dropped', () => {
  const r = tagChanges(
    { team: 'ads', owner: 'kim' },
    { team: 'growth', env: 'prod' },
    { team: 'growth', env: 'prod', 'cost-center': '4711', 'segflow:pipeline': 'demo' },
  );
  assert.deepEqual(r.set, { owner: 'kim', team: 'ads' });
  assert.deepEqual(r.remove, ['env']);
  assert.deepEqual(r.reasons, ['tags.owner: (none) -> kim', 'tags.team: growth -> ads', 'tags.env: prod -> (removed)']);
});

test('tagChanges: nothing to do when the live tags already match, whatever else is there', () => {
  assert.deepEqual(tagChanges({ team: 'ads' }, { team: 'ads' }, { team: 'ads', foreign: 'x' }), { set: {}, remove: [], reasons: [] });
  assert.deepEqual(tagChanges({}, {}, { foreign: 'x' }), { set: {}, remove: [], reasons: [] });
});

test('tagChanges: a tag segflow set and someone changed by hand is set back, and the plan says so', () => {
  const r = tagChanges({ team: 'ads' }, { team: 'ads' }, { team: 'growth' });
  assert.deepEqual(r.set, { team: 'ads' });
  assert.deepEqual(r.reasons, ['tags.team: growth (changed out of band) -> ads']);
});

test('tagChanges: without a record of what segflow set (older state), nothing is removed', () => {
  const r = tagChanges({}, undefined, { team: 'growth' });
  assert.deepEqual(r, { set: {}, remove: [], reasons: [] });
});

test('tagChanges: a key segflow set that someone already removed is not removed again', () => {
  assert.deepEqual(tagChanges({}, { team: 'growth' }, {}).remove, []);
});
