/**
 * Pure scoring: per-query ranked segments + ground truth -> the holdout section of a report (metrics at every
 * cutoff, bootstrap intervals, baselines, lift, curve, histogram). No I/O, so it is tested on hand-made cases.
 */
import { mostActiveUsers, randomExpectedCoverage, randomExpectedHits } from './baselines.js';
import { bootstrapMeans, coverageInterval, coverageResamplesFor, percentileInterval, ratioInterval } from './bootstrap.js';
import { curveCutoffs, cutoffsFor, hitRanks, hitsAt, mean, recallFromHits, type Cutoff } from './metrics.js';
import type { BaselineMetrics, CurvePoint, Holdout, Lift, ScorerMetrics } from './report-types.js';

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

/**
 * The holdout section, in its phases: where each scorer's segments meet each query's truth, every scorer's hits
 * and recall at every cutoff bootstrapped on the same draws, coverage, then the scorers' metrics with the
 * baselines' lift, the recall curve, the hits histograms and the per-query scores.
 */
export function scoreHoldout(input: ScoringInput): { holdout: Omit<Holdout, 'queriesWithoutOutput' | 'excludedQueries'>; perQuery: PerQueryScore[] } {
  const { queries, k: K, trainUsers: N, activity, resamples, seed } = input;
  const Q = queries.length;
  const popular = mostActiveUsers(activity, K);
  const matched = matchQueries(queries, activity, popular, K, N);
  const cutoffs = cutoffsFor(N, K);
  const boot = bootstrapCutoffs(matched, cutoffs, resamples, seed);
  const atK = cutoffs.length - 1; // cutoffs ascend and end at K
  const coverage = segmentCoverage(queries, popular, K, N, resamples, seed);
  const warmQueries = queries.filter((q) => !q.cold).length;

  const model = scorerMetrics(boot, cutoffs, 'model', coverage.model.coverage, coverage.model.ci);
  const popularity: BaselineMetrics = {
    description: 'the K most active train users (most interactions), the same segment for every query',
    ...scorerMetrics(boot, cutoffs, 'popularity', coverage.popularity.coverage, coverage.popularity.ci),
    lift: liftOver(boot, atK, 'popularity'),
  };
  const random: BaselineMetrics = {
    description: 'a uniformly random segment of K train users, as its exact expected value (coverage: expected, no interval)',
    ...scorerMetrics(boot, cutoffs, 'random', randomExpectedCoverage(warmQueries, K, N), null),
    lift: liftOver(boot, atK, 'random'),
  };
  const curve: CurvePoint[] = curveCutoffs(K, cutoffs).map((k) => {
    const recallMean = (s: Scorer) => mean(matched.recallVector(matched.hitsVector(s, k), k));
    return { k, model: recallMean('model'), popularity: recallMean('popularity'), random: recallMean('random') };
  });
  const [modelAtK, popularityAtK, randomAtK] = SCORERS.map((s) => boot.vectors.get(s)![atK]!) as [CutoffVectors, CutoffVectors, CutoffVectors];
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
      bootstrap: { resamples, coverageResamples: coverage.resamples, seed, level: 0.95 },
      model,
      baselines: { popularity, random },
      curve,
      hitsHistogram: { model: histogram(modelAtK.hits), popularity: histogram(popularityAtK.hits) },
    },
    perQuery,
  };
}

/** Each query's hits and recall for a scorer at any cutoff k. */
interface MatchedQueries {
  hitsVector(scorer: Scorer, k: number): Float64Array;
  recallVector(hits: Float64Array, k: number): Float64Array;
}

/**
 * One pass per query: where each scorer's ranked list meets the truth (ranks < K), and how many of the truth are
 * train users (the random baseline's expected hits).
 */
function matchQueries(
  queries: readonly ScoringQuery[],
  activity: ReadonlyMap<string, number>,
  popular: readonly string[],
  K: number,
  N: number,
): MatchedQueries {
  const popularRank = new Map(popular.map((u, r) => [u, r] as const));
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
  return {
    hitsVector(scorer, k) {
      const v = new Float64Array(queries.length);
      for (let i = 0; i < queries.length; i++) {
        if (scorer === 'model') v[i] = hitsAt(modelRanks[i]!, k);
        else if (scorer === 'popularity') v[i] = hitsAt(popularityRanks[i]!, k);
        else v[i] = queries[i]!.cold ? 0 : randomExpectedHits(warmTruth[i]!, k, N);
      }
      return v;
    },
    recallVector: (hits, k) => hits.map((h, i) => recallFromHits(h, queries[i]!.truth.size, k)),
  };
}

interface CutoffVectors {
  hits: Float64Array;
  recall: Float64Array;
}

interface Bootstrapped {
  /** vectors.get(scorer)[cutoff index]: per-query hits and recall. */
  vectors: Map<Scorer, CutoffVectors[]>;
  /** The bootstrap means of one of those vectors. */
  sampleOf(v: Float64Array): Float64Array;
}

/** Every scorer's hits and recall at every cutoff, all bootstrapped on the same draws (so lifts pair them). */
function bootstrapCutoffs(matched: MatchedQueries, cutoffs: readonly Cutoff[], resamples: number, seed: number): Bootstrapped {
  const vectors = new Map<Scorer, CutoffVectors[]>();
  const flat: Float64Array[] = [];
  for (const s of SCORERS) {
    const perCutoff = cutoffs.map((c) => {
      const hits = matched.hitsVector(s, c.k);
      return { hits, recall: matched.recallVector(hits, c.k) };
    });
    vectors.set(s, perCutoff);
    for (const v of perCutoff) flat.push(v.hits, v.recall);
  }
  const samples = bootstrapMeans(flat, resamples, seed);
  return { vectors, sampleOf: (v) => samples[flat.indexOf(v)]! };
}

interface Coverage {
  coverage: number;
  ci: ScorerMetrics['ci']['coverage'];
}

/**
 * The share of train users the model's and the popularity baseline's segments reach, with bootstrap intervals.
 * Users are numbered over everything either put in a segment.
 */
function segmentCoverage(
  queries: readonly ScoringQuery[],
  popular: readonly string[],
  K: number,
  N: number,
  resamples: number,
  seed: number,
): { model: Coverage; popularity: Coverage; resamples: number } {
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
  const coverageResamples = coverageResamplesFor(
    modelSegments.reduce((s, x) => s + x.length, 0),
    resamples,
  );
  const withInterval = (segments: Uint32Array[]): Coverage => {
    const coverage = coverageOf(segments);
    return { coverage, ci: coverageInterval(segments, index.size, N, coverageResamples, seed, coverage) };
  };
  return { model: withInterval(modelSegments), popularity: withInterval(popularitySegments), resamples: coverageResamples };
}

/** A scorer's means and intervals at K and at every reported cutoff. */
function scorerMetrics(
  boot: Bootstrapped,
  cutoffs: readonly Cutoff[],
  s: Scorer,
  coverage: number,
  coverageCi: ScorerMetrics['ci']['coverage'],
): ScorerMetrics {
  const perCutoff = boot.vectors.get(s)!;
  const atKv = perCutoff[cutoffs.length - 1]!;
  return {
    hitsAtK: mean(atKv.hits),
    recallAtK: mean(atKv.recall),
    coverage,
    ci: {
      hitsAtK: percentileInterval(boot.sampleOf(atKv.hits)),
      recallAtK: percentileInterval(boot.sampleOf(atKv.recall)),
      coverage: coverageCi,
    },
    atCutoffs: cutoffs.map((c, i) => {
      const v = perCutoff[i]!;
      return {
        k: c.k,
        label: c.label,
        hits: mean(v.hits),
        recall: mean(v.recall),
        ci: { hits: percentileInterval(boot.sampleOf(v.hits)), recall: percentileInterval(boot.sampleOf(v.recall)) },
      };
    }),
  };
}

/** The model's hits and recall at K over a baseline's, with paired bootstrap intervals. */
function liftOver(boot: Bootstrapped, atK: number, s: Scorer): Lift {
  const m = boot.vectors.get('model')![atK]!;
  const b = boot.vectors.get(s)![atK]!;
  const ratio = (x: number, y: number) => (y === 0 ? null : x / y);
  return {
    hits: ratio(mean(m.hits), mean(b.hits)),
    recall: ratio(mean(m.recall), mean(b.recall)),
    ci: {
      hits: ratioInterval(boot.sampleOf(m.hits), boot.sampleOf(b.hits)),
      recall: ratioInterval(boot.sampleOf(m.recall), boot.sampleOf(b.recall)),
    },
  };
}

/** How many queries have 0, 1, 2, ... hits. */
function histogram(v: Float64Array): number[] {
  const max = v.reduce((m, x) => Math.max(m, x), 0);
  const h = new Array<number>(max + 1).fill(0);
  for (const x of v) h[x] = (h[x] ?? 0) + 1;
  return h;
}
