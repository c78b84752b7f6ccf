import { blendsFor, candidateGrid, PRIOR_HALF_LIVES, validationQueries } from './candidate-grid.js';
import { GramCache } from './ease-local.js';
import { baseName, makeScorer, modelName, type ModelConfig } from './candidates.js';
import type { Interactions, ItemAttributes } from './dataset.js';
import { buildMatrix } from './matrix.js';
import { holdoutQueries } from './metrics.js';
import type { ScorerParams } from './scorer.js';
import { UserRanking, type QueryKind } from './user-ranking.js';

/**
 * Chooses the served model on a validation split carved from the training data, as Personalize does: the latest
 * VALIDATION_FRACTION of the interactions (by time) are held out, every candidate is trained on the rest and
 * scored with the seed's metrics (hits and recall in the top 1% of users, warm users only), and the best one is
 * then retrained on all the data by the caller.
 */
export const VALIDATION_FRACTION = 0.1;
/** Fewer validation queries than this say nothing: the default model is kept (and the selection says why). */
export const MIN_VALIDATION_QUERIES = 5;

export interface CandidateResult {
  name: string;
  config: ModelConfig;
  hits: number;
  recall: number;
}

export interface Selection {
  chosen: string;
  config: ModelConfig;
  /** Why the default was kept without a contest, when it was. */
  note?: string;
  validation: { start: number; trainRows: number; validationRows: number; warmUsers: number; queries: number; k: number };
  candidates: CandidateResult[];
  skipped: Array<{ name: string; reason: string }>;
  /** Seconds each base model's validation took (with all its blends). */
  timings?: Array<{ base: string; seconds: number }>;
}

/** The best candidate: highest recall + hits, each relative to the best candidate's (earlier wins exact ties). */
export function pickBest(results: CandidateResult[]): CandidateResult {
  const maxR = Math.max(...results.map((r) => r.recall));
  const maxH = Math.max(...results.map((r) => r.hits));
  const value = (r: CandidateResult) => (maxR > 0 ? r.recall / maxR : 0) + (maxH > 0 ? r.hits / maxH : 0);
  return results.reduce((best, r) => (value(r) > value(best) ? r : best));
}

/** The time at which validation starts: rows at or after it are held out (NaN when no such split exists). */
export function validationStart(time: Float64Array): number {
  if (time.length < 2) return Number.NaN;
  const sorted = Float64Array.from(time).sort();
  const cut = sorted[Math.floor(sorted.length * (1 - VALIDATION_FRACTION))]!;
  return cut > sorted[0]! ? cut : Number.NaN;
}

export function selectModel(
  data: Interactions,
  kind: QueryKind,
  knn: ScorerParams,
  attrs?: ItemAttributes,
  onProgress?: (fraction: number) => void,
): Selection {
  const fallback: ModelConfig = { base: { kind: 'item-knn', params: knn }, priorWeight: 0, priorHalfLifeDays: 0 };
  const numUsers = data.userIds.length;
  const start = validationStart(data.time);
  const n = data.user.length;
  const keep = new Uint8Array(n);
  for (let r = 0; r < n; r++) keep[r] = data.time[r]! < start ? 1 : 0;
  const m = buildMatrix(numUsers, data.itemIds.length, data.user, data.item, data.time, keep);
  // truth: validation rows of warm users (users with training rows); the others count as training rows here
  const truthMask = keep.slice();
  let warmUsers = 0;
  for (let u = 0; u < numUsers; u++) if (m.userPtr[u + 1]! > m.userPtr[u]!) warmUsers++;
  for (let r = 0; r < n; r++) if (!keep[r] && m.userPtr[data.user[r]! + 1]! === m.userPtr[data.user[r]!]!) truthMask[r] = 1;
  const trainPop = (i: number) => m.itemPtr[i + 1]! - m.itemPtr[i]!;
  const queries = Number.isNaN(start) ? [] : holdoutQueries(data, truthMask, trainPop, attrs, validationQueries(m.userItems.length));
  const k = Math.max(1, Math.floor(warmUsers / 100));
  let trainRows = 0;
  for (let r = 0; r < n; r++) trainRows += keep[r]!;
  const validation = { start: Number.isNaN(start) ? 0 : start, trainRows, validationRows: n - trainRows, warmUsers, queries: queries.length, k };
  const grid = candidateGrid(kind, m.userItems.length, knn);
  if (queries.length < MIN_VALIDATION_QUERIES) {
    return {
      chosen: modelName(fallback),
      config: fallback,
      note: `${queries.length} validation queries (fewer than ${MIN_VALIDATION_QUERIES}): the default model is kept`,
      validation,
      candidates: [],
      skipped: grid.skipped,
    };
  }
  const rankings = new Map(PRIOR_HALF_LIVES.map((h) => [h, new UserRanking(m, h)]));
  const grams = new GramCache();
  const scorers = grid.bases.map((base) => makeScorer(m, base, rankings.get(0)!, grams));
  const blends = grid.bases.map((base) => blendsFor(base, grid.weights));
  const hits = blends.map((b) => new Float64Array(b.length));
  const recall = blends.map((b) => new Float64Array(b.length));
  const seconds = new Float64Array(grid.bases.length);
  const isTruth = new Uint8Array(numUsers);
  // query by query, every candidate in turn (so the EASE variants of one query share its neighbourhood)
  queries.forEach((q, n) => {
    for (const u of q.truth) isTruth[u] = 1;
    grid.bases.forEach((base, b) => {
      const started = performance.now();
      const s = scorers[b]!.scores(q.items, kind);
      blends[b]!.forEach((blend, x) => {
        const weight = base.kind === 'activity' ? 1 : blend.priorWeight;
        const h = rankings.get(blend.priorHalfLifeDays)!.hitsAt(s, k, weight, isTruth);
        hits[b]![x]! += h;
        recall[b]![x]! += h / Math.min(q.truth.length, k);
      });
      seconds[b]! += (performance.now() - started) / 1000;
    });
    for (const u of q.truth) isTruth[u] = 0;
    onProgress?.((n + 1) / queries.length);
  });
  const results: CandidateResult[] = grid.bases.flatMap((base, b) =>
    blends[b]!.map((blend, x) => {
      const config: ModelConfig = { base, ...blend };
      return { name: modelName(config), config, hits: round(hits[b]![x]! / queries.length), recall: round(recall[b]![x]! / queries.length) };
    }),
  );
  const timings = grid.bases.map((base, b) => ({ base: baseName(base), seconds: Math.round(seconds[b]! * 1000) / 1000 }));
  const best = pickBest(results);
  return { chosen: best.name, config: best.config, validation, candidates: results, skipped: grid.skipped, timings };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
