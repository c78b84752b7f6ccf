import type { BaseModel, ModelConfig } from './candidates.js';
import type { ScorerParams } from './scorer.js';
import type { QueryKind } from './user-ranking.js';

/**
 * Which candidates training scores on its validation split (docs/model.md, "Choosing the model"). Each base model
 * is tried alone and blended with the activity prior at every weight in PRIOR_WEIGHTS and half-life in
 * PRIOR_HALF_LIVES; the prior alone is a candidate too (with half-life 0 it is the popularity baseline), so the
 * choice can never fall below popularity on validation.
 */
export const PRIOR_WEIGHTS = [0.1, 0.3, 1];
export const PRIOR_HALF_LIVES = [0, 90];
export const EASE_LAMBDAS = [50, 200, 1000];
export const RP3_GRID = [
  { alpha: 1, beta: 0 },
  { alpha: 1, beta: 0.3 },
  { alpha: 0.5, beta: 0.3 },
];
/** Recency half-lives (days) of the "interacted with it" candidates; 0 is plain counts. */
export const INTERACTED_HALF_LIVES = [0, 90];
/**
 * Exact EASE solves a linear system over all items for every query (ease.ts): past this many distinct
 * (user, item) pairs its validation and a 500-query segment job would break the time budget, and EASE on each
 * query's neighbourhood (ease-local.ts) takes its place.
 */
export const EASE_MAX_PAIRS = 150_000;
/**
 * Past this many pairs the contest is cut to what fits the seed-scale time budget (docs/model.md): one RP3beta
 * setting, two EASE regularizations, the prior weights of LARGE_PRIOR_WEIGHTS, and fewer validation queries
 * (validationQueries).
 */
export const LARGE_PAIRS = 500_000;
export const MAX_VALIDATION_QUERIES = 500;
export const MIN_LARGE_VALIDATION_QUERIES = 80;
/** Past LARGE_PAIRS, pairs x validation queries the contest may cost (so 80 queries at seed scale, 1.25 M pairs). */
export const VALIDATION_WORK = 100_000_000;
export const LARGE_PRIOR_WEIGHTS = [0.3, 1];

export function validationQueries(pairs: number): number {
  if (pairs <= LARGE_PAIRS) return MAX_VALIDATION_QUERIES;
  return Math.min(MAX_VALIDATION_QUERIES, Math.max(MIN_LARGE_VALIDATION_QUERIES, Math.floor(VALIDATION_WORK / pairs)));
}

export interface Grid {
  bases: BaseModel[];
  /** The prior weights each base is blended with. */
  weights: number[];
  skipped: Array<{ name: string; reason: string }>;
}

export type Blend = Pick<ModelConfig, 'priorWeight' | 'priorHalfLifeDays'>;

/** The blends each base model is tried with (the first is the base alone). */
export function blendsFor(base: BaseModel, weights = PRIOR_WEIGHTS): Blend[] {
  if (base.kind === 'activity') return PRIOR_HALF_LIVES.map((h) => ({ priorWeight: 0, priorHalfLifeDays: h }));
  return [{ priorWeight: 0, priorHalfLifeDays: 0 }, ...weights.flatMap((w) => PRIOR_HALF_LIVES.map((h) => ({ priorWeight: w, priorHalfLifeDays: h })))];
}

/** The grid for a validation matrix of `pairs` distinct (user, item) pairs. */
export function candidateGrid(kind: QueryKind, pairs: number, knn: ScorerParams): Grid {
  const skipped: Grid['skipped'] = [];
  const large = pairs > LARGE_PAIRS;
  const bases: BaseModel[] = [{ kind: 'item-knn', params: knn }];
  for (const h of INTERACTED_HALF_LIVES) bases.push({ kind: 'interacted', halfLifeDays: h });
  if (kind === 'item') {
    for (const p of large ? RP3_GRID.slice(-1) : RP3_GRID) bases.push({ kind: 'rp3beta', params: { ...p, neighbours: knn.neighbours } });
    if (pairs <= EASE_MAX_PAIRS) {
      for (const lambda of EASE_LAMBDAS) bases.push({ kind: 'ease', lambda });
    } else {
      for (const lambda of large ? EASE_LAMBDAS.slice(-2) : EASE_LAMBDAS) bases.push({ kind: 'ease-local', lambda, neighbours: knn.neighbours });
      skipped.push({
        name: 'ease',
        reason: `${pairs} distinct (user, item) pairs exceed the ${EASE_MAX_PAIRS} up to which exact EASE fits the time budget: EASE on each query's ${knn.neighbours} nearest items instead`,
      });
    }
  }
  bases.push({ kind: 'activity' });
  return { bases, weights: large ? LARGE_PRIOR_WEIGHTS : PRIOR_WEIGHTS, skipped };
}
