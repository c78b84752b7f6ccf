import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mostActiveUsers, randomExpectedCoverage, randomExpectedHits } from './baselines.js';
import { mulberry32 } from '../util/prng.js';
import { bootstrapMeans, coverageInterval, coverageResamplesFor, percentileInterval, quantile, ratioInterval } from './bootstrap.js';
import { cutoffsFor, curveCutoffs, hitRanks, hitRecallAtK, hitsAt, usersAtFraction } from './metrics.js';

test('cutoffs: 0.5%, 1%, 2%, 5% of train users where K allows, and K itself', () => {
  // 200 users: 1, 2, 4, 10
  assert.deepEqual(cutoffsFor(200, 4), [
    { k: 1, label: '0.5%' },
    { k: 2, label: '1%' },
    { k: 4, label: '2% (K)' },
  ]);
  assert.deepEqual(cutoffsFor(200, 3), [
    { k: 1, label: '0.5%' },
    { k: 2, label: '1%' },
    { k: 3, label: 'K' },
  ]);
  assert.deepEqual(
    cutoffsFor(3834, 38).map((c) => c.k),
    [19, 38],
  );
  assert.deepEqual(
    cutoffsFor(3834, 191).map((c) => [c.k, c.label]),
    [
      [19, '0.5%'],
      [38, '1%'],
      [76, '2%'],
      [191, '5% (K)'],
    ],
  );
  assert.equal(usersAtFraction(0.29, 100), 29, 'no floating-point floor surprise');
  assert.equal(usersAtFraction(0.005, 10), 1, 'at least one user');
});

test('curve cutoffs run from 1 to K and include every reported cutoff', () => {
  const ks = curveCutoffs(38, cutoffsFor(3834, 38));
  assert.equal(ks[0], 1);
  assert.equal(ks[ks.length - 1], 38);
  assert.ok(ks.includes(19));
  assert.deepEqual(
    [...ks].sort((a, b) => a - b),
    ks,
  );
});

test('hits at any cutoff from hit ranks equal the direct definition (property)', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }),
      fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 20 }),
      fc.integer({ min: 1, max: 35 }),
      (rankedIds, truthIds, k) => {
        const ranked = rankedIds.map(String);
        const truth = new Set(truthIds.map(String));
        const ranks = hitRanks(ranked, truth, k);
        for (let kk = 1; kk <= k; kk++) assert.equal(hitsAt(ranks, kk), hitRecallAtK(ranked, truth, kk).hit);
      },
    ),
  );
});

test('popularity: most interactions first, ties by ascending user id, deterministic', () => {
  const counts = new Map([
    ['u3', 2],
    ['u1', 5],
    ['u2', 2],
    ['u10', 2],
    ['u4', 1],
  ]);
  assert.deepEqual(mostActiveUsers(counts, 3), ['u1', 'u10', 'u2']);
  assert.deepEqual(mostActiveUsers(counts, 10), ['u1', 'u10', 'u2', 'u3', 'u4']);
  assert.deepEqual(mostActiveUsers(new Map([...counts].reverse()), 3), ['u1', 'u10', 'u2'], 'input order does not matter');
  assert.deepEqual(mostActiveUsers(counts, 0), []);
});

test('random baseline: expected hits and coverage match a brute-force average over all segments', () => {
  // 5 users, K = 2, truth {0, 1, 2}: all 10 two-user segments, mean |segment ∩ truth| = 3 * 2/5
  const users = [0, 1, 2, 3, 4];
  const truth = new Set([0, 1, 2]);
  let total = 0;
  let n = 0;
  for (const a of users)
    for (const b of users)
      if (a < b) {
        total += (truth.has(a) ? 1 : 0) + (truth.has(b) ? 1 : 0);
        n++;
      }
  assert.equal(randomExpectedHits(3, 2, 5), total / n);
  // one query covers exactly K/N of the users
  assert.equal(randomExpectedCoverage(1, 2, 5), 2 / 5);
  assert.equal(randomExpectedCoverage(0, 2, 5), 0);
});

test('bootstrap is deterministic for a seed, paired across vectors, and brackets the mean', () => {
  const rand = mulberry32(7);
  const v = Array.from({ length: 200 }, () => Math.floor(rand() * 5));
  const w = v.map((x) => x * 2);
  const [a1, b1] = bootstrapMeans([v, w], 500, 42);
  const [a2] = bootstrapMeans([v], 500, 42);
  assert.deepEqual(a1, a2, 'same seed, same resamples');
  assert.deepEqual(
    b1,
    a1!.map((x) => x * 2),
    'paired: the same draws serve every vector',
  );
  const [a3] = bootstrapMeans([v], 500, 43);
  assert.notDeepEqual(a3, a1, 'another seed draws differently');
  const ci = percentileInterval(a1!)!;
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  assert.ok(ci[0] < m && m < ci[1], `${ci.join(',')} brackets ${m}`);
  assert.deepEqual(percentileInterval(bootstrapMeans([[3, 3, 3]], 100, 1)[0]!), [3, 3], 'a constant has a zero-width interval');
  assert.equal(percentileInterval(new Float64Array(0)), null);
});

test('quantile interpolates like numpy; ratio intervals handle a zero baseline', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([1, 2, 3, 4], 0), 1);
  assert.equal(quantile([1, 2, 3, 4], 1), 4);
  assert.deepEqual(ratioInterval(Float64Array.from([2, 2]), Float64Array.from([1, 1])), [2, 2]);
  assert.deepEqual(ratioInterval(Float64Array.from([2, 2]), Float64Array.from([0, 0])), [null, null]);
});

test('coverage interval: deterministic, inside [0, 1], and around the full-sample coverage', () => {
  const rand = mulberry32(3);
  const segments = Array.from({ length: 60 }, () => Uint32Array.from({ length: 5 }, () => Math.floor(rand() * 200)));
  const seen = new Set<number>();
  for (const s of segments) for (const u of s) seen.add(u);
  const full = seen.size / 200;
  const ci1 = coverageInterval(segments, 200, 200, 300, 9, full)!;
  const ci2 = coverageInterval(segments, 200, 200, 300, 9, full)!;
  assert.deepEqual(ci1, ci2);
  assert.ok(ci1[0] >= 0 && ci1[1] <= 1 && ci1[0] <= full && full <= ci1[1], `${ci1.join(',')} around ${full}`);
  assert.equal(coverageInterval([], 10, 10, 100, 1, 0), null);
});

test('coverage resamples shrink with the work a resample costs, within [100, resamples]', () => {
  assert.equal(coverageResamplesFor(500 * 38, 1000), 1000, 'online-retail scale: all of them');
  assert.equal(coverageResamplesFor(500 * 2000, 1000), 300, 'seed scale');
  assert.equal(coverageResamplesFor(500 * 20000, 1000), 100, 'never fewer than 100');
  assert.equal(coverageResamplesFor(10, 50), 50, 'never more than asked');
});
