import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actualCost, estimateCost } from './formulas.js';
import { PRICE_TABLE, US_EAST_1_PRICES, resolvePrices } from './prices.js';
import { REFERENCE_HOURS, REFERENCE_RUN, estimateTrainingHours } from './training-hours.js';

const usEast1 = resolvePrices('us-east-1', undefined);
const byItem = (lines: Array<{ item: string; usd: number; lowUsd: number }>) => Object.fromEntries(lines.map((l) => [l.item, l]));

test('batch segments are billed per user in the dataset per query, not per user in the output', () => {
  // The seed-scale figures: 183,635 train users x 500 queries = 91.8 M users scored.
  const e = estimateCost({ ingestBytes: 0, segments: { users: 183_635, queries: 500 } }, usEast1);
  assert.equal(e.segments?.usersScored, 91_817_500);
  assert.equal(byItem(e.lines)['batch segments']!.usd, 1469.08);
  assert.equal(e.totalUsd, 1469.08);
  // Online Retail: 3,834 users x 500 queries = $30.67, over that file's old $25 budget.
  assert.equal(estimateCost({ ingestBytes: 0, segments: { users: 3834, queries: 500 } }, usEast1).totalUsd, 30.67);
});

test('each line is quantity x price; the total is the sum of the high ends, the low total of the low ends', () => {
  const prices = resolvePrices('eu-west-1', { dataIngestionPerGb: 0.1, trainingPerHour: 1, batchSegmentsPer1000Users: 0.02 });
  const e = estimateCost({ ingestBytes: 2e9, trainingHours: { low: 1.5, high: 4 }, segments: { users: 10_000, queries: 10 } }, prices);
  const l = byItem(e.lines);
  assert.equal(l['data ingestion']!.usd, 0.2);
  assert.deepEqual([l['training']!.lowUsd, l['training']!.usd], [1.5, 4]);
  assert.equal(l['batch segments']!.usd, 2);
  assert.equal(e.totalUsd, 6.2);
  assert.equal(e.lowUsd, 3.7);
  assert.equal(e.ingestGb, 2);
});

test('nothing to run costs nothing', () => {
  const e = estimateCost({ ingestBytes: 0 }, usEast1);
  assert.equal(e.totalUsd, 0);
  assert.equal(e.lowUsd, 0);
  assert.equal(e.segments, undefined);
});

test('actual cost: the same formulas on billed hours, bytes imported and users x rows', () => {
  const a = actualCost({ ingestBytes: 1e9, trainingHours: 2, segments: { users: 2000, queries: 50 } }, { ...US_EAST_1_PRICES, trainingPerHour: 0.5 });
  assert.equal(a.totalUsd, Math.round((0.05 + 1 + 100 * 0.016) * 100) / 100);
});

test('training hours are a range that grows with the largest of interactions, users and items', () => {
  const ref = estimateTrainingHours(REFERENCE_RUN, 'aws-item-affinity');
  assert.equal(ref.low, REFERENCE_HOURS['aws-item-affinity']);
  assert.equal(ref.high, 2 * REFERENCE_HOURS['aws-item-affinity']);
  const tenfold = estimateTrainingHours({ interactions: 14_000_000, users: 1000, items: 10 }, 'aws-item-affinity');
  assert.ok(tenfold.low > ref.low && tenfold.high > ref.high);
  assert.equal(tenfold.high, 45);
  // Users alone can drive it too.
  assert.ok(estimateTrainingHours({ interactions: 1000, users: 2_260_000 }, 'aws-item-affinity').high >= 45);
  // Small data still pays a floor; attribute affinity takes longer.
  const small = estimateTrainingHours({ interactions: 5000, users: 50 }, 'aws-item-affinity');
  assert.deepEqual(small, { low: 0.5, high: 2.25 });
  assert.ok(estimateTrainingHours({ interactions: 5000, users: 50 }, 'aws-item-attribute-affinity').high > small.high);
  for (const size of [{ interactions: 1, users: 1 }, REFERENCE_RUN, { interactions: 5e8, users: 5e6, items: 1e6 }]) {
    const r = estimateTrainingHours(size, 'aws-item-attribute-affinity');
    assert.ok(r.low <= r.high, JSON.stringify(r));
  }
});

test('prices: every Personalize region has an entry; none is claimed confirmed; the plan is told so', () => {
  assert.equal(Object.keys(PRICE_TABLE).length, 12);
  for (const [region, entry] of Object.entries(PRICE_TABLE)) assert.equal(entry.confirmed, false, region);
  const tokyo = resolvePrices('ap-northeast-1', undefined);
  assert.equal(tokyo.confirmed, false);
  assert.match(tokyo.notes[0]!, /not confirmed.*ap-northeast-1 may differ/);
  assert.match(resolvePrices('cn-north-1', undefined).notes[0]!, /CNY/);
  assert.match(resolvePrices('sa-east-1', undefined).notes[0]!, /no endpoint in sa-east-1/);
});

test('prices: budget.prices overrides; all three given counts as confirmed and silences the note', () => {
  const some = resolvePrices('eu-west-1', { trainingPerHour: 0.3 });
  assert.equal(some.prices.trainingPerHour, 0.3);
  assert.equal(some.prices.dataIngestionPerGb, US_EAST_1_PRICES.dataIngestionPerGb);
  assert.deepEqual(some.overridden, ['trainingPerHour']);
  assert.match(some.notes[0]!, /budget\.prices sets trainingPerHour/);
  const all = resolvePrices('eu-west-1', { trainingPerHour: 0.3, dataIngestionPerGb: 0.06, batchSegmentsPer1000Users: 0.02 });
  assert.equal(all.confirmed, true);
  assert.deepEqual(all.notes, []);
});
