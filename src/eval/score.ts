/**
 * Pure scoring: per-query ranked segments + ground truth -> the holdout section of a report (metrics at every
 * cutoff, bootstrap intervals, baselines, lift, curve, histogram). No I/O, so it is tested on hand-made cases.
 */
import { mostActiveUsers, randomExpectedCoverage, randomExpectedHits } from './baselines.js';
import { bootstrapMeans, coverageInterval, coverageResamplesFor, percentileInterval, ratioInterval } from './bootstrap.js';
import { curveCutoffs, cutoffsFor, hitRanks, hitsAt, mean, recallFromHits, type Cutoff } from './metrics.js';
import type { BaselineMetrics, CurvePoint, Holdout, Lift, MetricsAtK, ScorerMetrics } from './report-types.js';

export interface ScoringQuery {
  truth: ReadonlySet<string>;
  cold: boolean;
  /** The model's ranked segment (empty when the output is missing or unusable). */
  ranked: readonly string[];
}

export interface ScoringInput {
  queries: readonly ScoringQuery[];
  k: number;
  trainUsers: number;
  /** Interactions per train user: the popularity ranking and the train population. */
  activity: ReadonlyMap<string, number>;
  resamples: number;
  seed: number;
}

export interface PerQueryScore {
  hits: number;
  recall: number;
  popularityHits: number;
  randomHits: number;
}

export const PROTOCOL =
  'Time holdout as in the seed notebook: for each query, hit = |top-K ∩ test users|, recall = hit / min(|test users|, K), ' +
  'means over queries; K = numResults. Baselines on the same queries: popularity (the K most active train users) and ' +
  'random (expected value). Cold queries (item absent from train) score 0 for the baselines, as in the reference protocol.';

type Scorer = 'model' | 'popularity' | 'random';
const SCORERS: Scorer[] = ['model', 'popularity', 'random'];

export function scoreHoldout(input: ScoringInput): { holdout: Omit<Holdout, 'queriesWithoutOutput' | 'excludedQueries'>; perQuery: PerQueryScore[] } {
  const { queries, k: K, trainUsers: N, activity, resamples, seed } = input;
  const Q = queries.length;
  const popular = mostActiveUsers(activity, K);
  const popularRank = new Map(popular.map((u, r) => [u, r] as const));

  // One pass per query: where each scorer's ranked list meets the truth (ranks < K), and the truth's train users.
  const modelRanks: number[][] = [];
  const popularityRanks: number[][] = [];
  const warmTruth: number[] = [];
  for (const q of queries) {
    modelRanks.push(hitRanks(q.ranked, q.truth, K));
    const pr: number[] = [];
    let warm = 0;
    for (const u of q.truth) {
      if (activity.has(u)) warm++;
      const r = popularRank.get(u);
      if (!q.cold && r !== undefined) pr.push(r);
    }
    popularityRanks.push(pr.sort((a, b) => a - b));
    warmTruth.push(warm);
  }

  const hitsVector = (scorer: Scorer, k: number): Float64Array => {
    const v = new Float64Array(Q);
    for (let i = 0; i < Q; i++) {
      if (scorer === 'model') v[i] = hitsAt(modelRanks[i]!, k);
      else if (scorer === 'popularity') v[i] = hitsAt(popularityRanks[i]!, k);
      else v[i] = queries[i]!.cold ? 0 : randomExpectedHits(warmTruth[i]!, k, N);
    }
    return v;
  };
  const recallVector = (hits: Float64Array, k: number): Float64Array =>
    hits.map((h, i) => recallFromHits(h, queries[i]!.truth.size, k));

  const cutoffs = cutoffsFor(N, K);
  // vectors[scorer][cutoff index] = {hits, recall}; all bootstrapped on the same draws.
  const vectors = new Map<Scorer, Array<{ hits: Float64Array; recall: Float64Array }>>();
  const flat: Float64Array[] = [];
  for (const s of SCORERS) {
    const perCutoff = cutoffs.map((c) => {
      const hits = hitsVector(s, c.k);
      return { hits, recall: recallVector(hits, c.k) };
    });
    vectors.set(s, perCutoff);
    for (const v of perCutoff) flat.push(v.hits, v.recall);
  }
  const samples = bootstrapMeans(flat, resamples, seed);
  const sampleOf = (v: Float64Array): Float64Array => samples[flat.indexOf(v)]!;
  const atK = cutoffs.length - 1; // cutoffs ascend and end at K

  const atCutoffs = (s: Scorer): MetricsAtK[] =>
    cutoffs.map((c: Cutoff, i) => {
      const v = vectors.get(s)![i]!;
      return {
        k: c.k,
        label: c.label,
        hits: mean(v.hits),
        recall: mean(v.recall),
        ci: { hits: percentileInterval(sampleOf(v.hits)), recall: percentileInterval(sampleOf(v.recall)) },
      };
    });

  // Coverage: users numbered over everything the model and the popularity baseline put in a segment.
  const index = new Map<string, number>();
  const toIndices = (list: readonly string[]): Uint32Array => {
    const out = new Uint32Array(list.length);
    list.forEach((u, j) => {
      let id = index.get(u);
      if (id === undefined) index.set(u, (id = index.size));
      out[j] = id;
    });
    return out;
  };
  const modelSegments = queries.map((q) => toIndices(q.ranked.slice(0, K)));
  const popularIndices = toIndices(popular);
  const popularitySegments = queries.map((q) => (q.cold ? new Uint32Array(0) : popularIndices));
  const coverageOf = (segments: Uint32Array[]): number => {
    const seen = new Set<number>();
    for (const s of segments) for (const u of s) seen.add(u);
    return N > 0 ? seen.size / N : 0;
  };
  const warmQueries = queries.filter((q) => !q.cold).length;

  const scorerMetrics = (s: Scorer, coverage: number, coverageCi: ScorerMetrics['ci']['coverage']): ScorerMetrics => {
    const atKv = vectors.get(s)![atK]!;
    return {
      hitsAtK: mean(atKv.hits),
      recallAtK: mean(atKv.recall),
      coverage,
      ci: {
        hitsAtK: percentileInterval(sampleOf(atKv.hits)),
        recallAtK: percentileInterval(sampleOf(atKv.recall)),
        coverage: coverageCi,
      },
      atCutoffs: atCutoffs(s),
    };
  };
  const lift = (s: Scorer): Lift => {
    const m = vectors.get('model')![atK]!;
    const b = vectors.get(s)![atK]!;
    const ratio = (x: number, y: number) => (y === 0 ? null : x / y);
    return {
      hits: ratio(mean(m.hits), mean(b.hits)),
      recall: ratio(mean(m.recall), mean(b.recall)),
      ci: {
        hits: ratioInterval(sampleOf(m.hits), sampleOf(b.hits)),
        recall: ratioInterval(sampleOf(m.recall), sampleOf(b.recall)),
      },
    };
  };

  const modelCoverage = coverageOf(modelSegments);
  const popularityCoverage = coverageOf(popularitySegments);
  const coverageResamples = coverageResamplesFor(modelSegments.reduce((s, x) => s + x.length, 0), resamples);
  const model = scorerMetrics('model', modelCoverage, coverageInterval(modelSegments, index.size, N, coverageResamples, seed, modelCoverage));
  const popularity: BaselineMetrics = {
    description: 'the K most active train users (most interactions), the same segment for every query',
    ...scorerMetrics('popularity', popularityCoverage, coverageInterval(popularitySegments, index.size, N, coverageResamples, seed, popularityCoverage)),
    lift: lift('popularity'),
  };
  const random: BaselineMetrics = {
    description: 'a uniformly random segment of K train users, as its exact expected value (coverage: expected, no interval)',
    ...scorerMetrics('random', randomExpectedCoverage(warmQueries, K, N), null),
    lift: lift('random'),
  };

  const curve: CurvePoint[] = curveCutoffs(K, cutoffs).map((k) => {
    const recallMean = (s: Scorer) => mean(recallVector(hitsVector(s, k), k));
    return { k, model: recallMean('model'), popularity: recallMean('popularity'), random: recallMean('random') };
  });

  const histogram = (v: Float64Array): number[] => {
    const max = v.reduce((m, x) => Math.max(m, x), 0);
    const h = new Array<number>(max + 1).fill(0);
    for (const x of v) h[x] = (h[x] ?? 0) + 1;
    return h;
  };
  const modelAtK = vectors.get('model')![atK]!;
  const popularityAtK = vectors.get('popularity')![atK]!;
  const randomAtK = vectors.get('random')![atK]!;
  const perQuery: PerQueryScore[] = queries.map((_, i) => ({
    hits: modelAtK.hits[i]!,
    recall: modelAtK.recall[i]!,
    popularityHits: popularityAtK.hits[i]!,
    randomHits: randomAtK.hits[i]!,
  }));

  return {
    holdout: {
      protocol: PROTOCOL,
      k: K,
      trainUsers: N,
      queryCount: Q,
      coldQueries: Q - warmQueries,
      bootstrap: { resamples, coverageResamples, seed, level: 0.95 },
      model,
      baselines: { popularity, random },
      curve,
      hitsHistogram: { model: histogram(modelAtK.hits), popularity: histogram(popularityAtK.hits) },
    },
    perQuery,
  };
}
