import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hitRecallAtK } from './metrics.js';
import { scoreHoldout, type ScoringQuery } from './score.js';

/** The definitions written the slow, obvious way: a full sort for popularity, set intersections per cutoff. */
function naive(queries: ScoringQuery[], k: number, activity: Map<string, number>, trainUsers: number) {
  const popular = [...activity.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([u]) => u);
  const meanOf = (f: (q: ScoringQuery) => number) => queries.reduce((s, q) => s + f(q), 0) / queries.length;
  const covered = new Set(queries.flatMap((q) => q.ranked.slice(0, k)));
  return {
    model: (kk: number) => ({
      hits: meanOf((q) => hitRecallAtK(q.ranked, q.truth, kk).hit),
      recall: meanOf((q) => hitRecallAtK(q.ranked, q.truth, kk).recall),
    }),
    popularity: (kk: number) => ({
      hits: meanOf((q) => (q.cold ? 0 : hitRecallAtK(popular, q.truth, kk).hit)),
      recall: meanOf((q) => (q.cold ? 0 : hitRecallAtK(popular, q.truth, kk).recall)),
    }),
    random: (kk: number) => meanOf((q) => (q.cold ? 0 : ([...q.truth].filter((u) => activity.has(u)).length * kk) / trainUsers / Math.min(q.truth.size, kk))),
    coverage: covered.size / trainUsers,
  };
}

const userId = fc.integer({ min: 0, max: 59 }).map((i) => `u${i}`);
const caseArb = fc.record({
  k: fc.integer({ min: 1, max: 12 }),
  activity: fc.dictionary(userId, fc.integer({ min: 1, max: 6 }), { minKeys: 1 }),
  queries: fc.array(
    fc.record({
      truth: fc.uniqueArray(userId, { minLength: 1, maxLength: 15 }),
      ranked: fc.uniqueArray(userId, { maxLength: 16 }),
      cold: fc.boolean(),
    }),
    { minLength: 1, maxLength: 25 },
  ),
});

test('scoreHoldout equals the definitions computed naively, at every cutoff, for every scorer (property)', () => {
  fc.assert(
    fc.property(caseArb, ({ k, activity, queries }) => {
      const act = new Map(Object.entries(activity));
      const trainUsers = act.size * 200; // so that 0.5% .. 5% cutoffs fall on both sides of k
      const qs: ScoringQuery[] = queries.map((q) => ({ truth: new Set(q.truth), ranked: q.ranked, cold: q.cold }));
      const { holdout } = scoreHoldout({ queries: qs, k, trainUsers, activity: act, resamples: 20, seed: 1 });
      const expect = naive(qs, k, act, trainUsers);
      const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;
      for (const c of holdout.model.atCutoffs) {
        assert.ok(c.k <= k);
        assert.ok(near(c.hits, expect.model(c.k).hits) && near(c.recall, expect.model(c.k).recall), `model@${c.k}`);
      }
      for (const c of holdout.baselines.popularity.atCutoffs) {
        assert.ok(near(c.hits, expect.popularity(c.k).hits) && near(c.recall, expect.popularity(c.k).recall), `popularity@${c.k}`);
      }
      for (const c of holdout.baselines.random.atCutoffs) assert.ok(near(c.recall, expect.random(c.k)), `random@${c.k}`);
      for (const p of holdout.curve) {
        assert.ok(near(p.model, expect.model(p.k).recall) && near(p.popularity, expect.popularity(p.k).recall), `curve@${p.k}`);
      }
      assert.ok(near(holdout.model.coverage, expect.coverage));
      assert.equal(
        holdout.hitsHistogram.model.reduce((s, n) => s + n, 0),
        qs.length,
      );
    }),
    { numRuns: 200 },
  );
});
