import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CostBasis } from '../data/artifacts.js';
import { adviseCost, type AdvisorInput } from './advisor.js';
import { estimateCost, type CostQuantities } from './formulas.js';
import { resolvePrices } from './prices.js';
import { estimateTrainingHours } from './training-hours.js';

const prices = resolvePrices('us-east-1', undefined);

/** 10,000 train users: 1,000 with each interaction count 1..10, 5 train rows per user on average. */
const basis: CostBasis = {
  minInteractionsPerUser: 1,
  exact: true,
  usersByInteractionCount: Array.from({ length: 10 }, (_, k) => ({ count: k + 1, users: 1000, trainRows: 1000 * (k + 1) })),
  windows: [
    { days: 180, start: '2021-01-01T00:00:00.000Z', trainUsers: 6000, trainRows: 33_000 },
    { days: 90, start: '2021-04-01T00:00:00.000Z', trainUsers: 3000, trainRows: 16_000 },
    { days: 30, start: '2021-06-01T00:00:00.000Z', trainUsers: 900, trainRows: 4000 },
  ],
};

function input(budgetUsd: number, queries = 500, over: Partial<AdvisorInput> = {}): AdvisorInput {
  const quantities: CostQuantities = {
    ingestBytes: 1e6,
    trainingHours: estimateTrainingHours({ interactions: 55_000, users: 10_000, items: 500 }, 'aws-item-affinity'),
    segments: { users: 10_000, queries },
  };
  return {
    estimate: estimateCost(quantities, prices),
    quantities,
    budgetUsd,
    prices,
    recipes: ['aws-item-affinity'],
    data: { trainUsers: 10_000, trainRows: 55_000, trainItems: 500, interactionsBytes: 1e6, itemsBytes: 0 },
    queries: { key: 'queries.items.sample', value: queries, unit: 'items' },
    basis,
    ...over,
  };
}

test('no advice when the run is within budget and no line dominates it', () => {
  // 10,000 users x 5 queries = $0.80 of segments against about $1 of training: no line is 80%.
  assert.equal(adviseCost(input(100, 5)), undefined);
});

test('over budget: the driver, and each lever at the smallest change that fits, priced by the same formulas', () => {
  const a = adviseCost(input(40))!; // 10,000 x 500 = $80 of segments + about $1.1 of training
  assert.equal(a.why, 'over budget');
  assert.equal(a.driver.item, 'batch segments');
  assert.ok(a.driver.share > 0.9);
  assert.match(a.driver.explanation, /10,000 users in the dataset is scored for each of the 500 queries/);
  const byKey = Object.fromEntries(a.suggestions.map((s) => [s.key, s]));
  const q = byKey['queries.items.sample']!;
  assert.ok(q.underBudget && q.totalUsd <= 40);
  // One more query would not fit: the advice is the largest count that does.
  const perQuery = (10_000 / 1000) * 0.016;
  assert.ok(q.totalUsd + perQuery > 40);
  const t = byKey['data.interactions.minInteractionsPerUser']!;
  // Threshold 6 keeps 5,000 users (5 x 1,000): 5,000 x 500 = $40 + training > 40; threshold 7 keeps 4,000: $32 + training.
  assert.equal(t.to, '7');
  assert.equal(t.users, 4000);
  assert.ok(t.underBudget);
  const w = byKey['split.trainStart']!;
  assert.equal(w.to, '2021-04-01T00:00:00Z');
  assert.equal(w.users, 3000);
  // Sorted cheapest first among those within budget.
  const totals = a.suggestions.map((s) => s.totalUsd);
  assert.deepEqual(
    totals,
    [...totals].sort((x, y) => x - y),
  );
});

test('dominated but within budget: changes that halve the users or the line', () => {
  const a = adviseCost(input(1000))!;
  assert.equal(a.why, 'dominated');
  const byKey = Object.fromEntries(a.suggestions.map((s) => [s.key, s]));
  assert.equal(byKey['queries.items.sample']!.to, '250');
  assert.equal(byKey['data.interactions.minInteractionsPerUser']!.users, 5000);
  assert.equal(byKey['split.trainStart']!.users, 3000);
});

test('a budget nothing can reach: the best each lever does, and a remark', () => {
  const a = adviseCost(input(0.5))!;
  assert.ok(a.remark);
  assert.ok(a.suggestions.every((s) => !s.underBudget));
});

test('a threshold that would leave too little data to train is never proposed', () => {
  const tiny: CostBasis = {
    ...basis,
    usersByInteractionCount: [
      { count: 1, users: 30, trainRows: 900 },
      { count: 2, users: 20, trainRows: 100 },
    ],
    windows: [],
  };
  const a = adviseCost(input(1, 500, { basis: tiny }))!;
  assert.ok(!a.suggestions.some((s) => s.key === 'data.interactions.minInteractionsPerUser'));
});

test('upper bounds are labelled when an item minimum makes the counts inexact', () => {
  const a = adviseCost(input(40, 500, { basis: { ...basis, exact: false } }))!;
  assert.equal(a.suggestions.find((s) => s.key === 'split.trainStart')!.exact, false);
  assert.equal(a.suggestions.find((s) => s.key === 'queries.items.sample')!.exact, true);
});

test('a production run: the window is data.interactions.lastDays (it moves with each refresh), chosen items are no knob', () => {
  const { queries: _knob, ...chosen } = input(40);
  const a = adviseCost({ ...chosen, data: { ...chosen.data, production: true } })!;
  const byKey = Object.fromEntries(a.suggestions.map((s) => [s.key, s]));
  assert.equal(byKey['split.trainStart'], undefined);
  const w = byKey['data.interactions.lastDays']!;
  assert.equal(w.from, '(all history)');
  assert.equal(w.to, '90');
  assert.equal(w.users, 3000);
  assert.match(w.note, /the latest 90 days of interactions: 3,000 users/);
  assert.equal(byKey['queries.items.sample'], undefined, 'the marketer chose the items: fewer queries is not offered');
});

test('the knob of one segmentation among several: the other segmentations keep their queries', () => {
  // 500 sampled items in one segmentation, 300 chosen ids in another: 800 queries in all.
  const a = adviseCost({ ...input(100, 800), queries: { key: 'segmentations[1].queries.items.sample', value: 500, unit: 'items' } })!;
  const q = a.suggestions.find((s) => s.key === 'segmentations[1].queries.items.sample')!;
  assert.equal(q.from, '500');
  assert.equal(q.queries, 300 + Number(q.to), 'the 300 chosen queries stay');
  assert.ok(q.underBudget);
});

test('many item queries: the attribute-affinity alternative, one query per value, priced with the training it adds', () => {
  const base = input(1000, 5000, { alternatives: [{ key: 'recipe', itemQueries: 5000, attribute: 'CATEGORY', values: 60, addsTraining: true }] });
  const a = adviseCost(base)!;
  const alt = a.suggestions.find((s) => s.key === 'recipe')!;
  assert.equal(alt.from, 'aws-item-affinity (5,000 items)');
  assert.equal(alt.to, 'aws-item-attribute-affinity (60 CATEGORY values)');
  assert.equal(alt.queries, 60);
  const extra = estimateTrainingHours({ interactions: 55_000, users: 10_000, items: 500 }, 'aws-item-attribute-affinity');
  const expected = estimateCost(
    {
      ...base.quantities,
      trainingHours: { low: base.quantities.trainingHours!.low + extra.low, high: base.quantities.trainingHours!.high + extra.high },
      segments: { users: 10_000, queries: 60 },
    },
    prices,
  );
  assert.equal(alt.totalUsd, expected.totalUsd);
  assert.match(alt.note, /queries: \{ attributes: \{ top: 60, attribute: CATEGORY \} \}.*adds one training/);
  // Already training that recipe: no extra hours.
  const trained = adviseCost(
    input(1000, 5000, { alternatives: [{ key: 'recipe', itemQueries: 5000, attribute: 'CATEGORY', values: 60, addsTraining: false }] }),
  )!;
  assert.ok(trained.suggestions.find((s) => s.key === 'recipe')!.totalUsd < alt.totalUsd);
});

test('in an experiment each option says what it does to the evaluation, and one that spoils it comes after those that do not', () => {
  // K is 1% of the users: 100 now. A 30-day window keeps 900 users (K 9), a 90-day one 3,000 (K 30); 300 of the 500
  // sampled items are cold already, so a sample of 5 (the cheapest) keeps about 3 cold of 5 queries.
  const evaluation = { numResults: { fractionOfUsers: 0.01 }, k: 100, queries: 500, coldQueries: 100, warmTestUsers: 2000 };
  const a = adviseCost(input(1.5, 500, { evaluation }))!;
  const byKey = Object.fromEntries(a.suggestions.map((s) => [s.key, s]));
  const sample = byKey['queries.items.sample']!;
  assert.match(sample.evaluation!, /^K 100 \(unchanged\); \d+ queries \(about \d+ cold\); test users unchanged$/);
  assert.match(sample.spoilsEvaluation ?? '', /only \d queries/);
  const window = byKey['split.trainStart']!;
  assert.match(
    window.evaluation!,
    /^K 100 -> \d+; 500 queries \(at least 100 cold: items seen only before the window become cold\); at most 2,000 warm test users/,
  );
  assert.equal(window.spoilsEvaluation, undefined);
  // The meaningless one is last, although it is the cheapest.
  assert.equal(a.suggestions.at(-1)!.key, 'queries.items.sample');
  assert.ok(a.suggestions.slice(0, -1).every((s) => s.spoilsEvaluation === undefined && s.totalUsd > sample.totalUsd));
  // Without an experiment (a production run) there is no evaluation to speak of.
  assert.ok(adviseCost(input(1.5))!.suggestions.every((s) => s.evaluation === undefined));
});
