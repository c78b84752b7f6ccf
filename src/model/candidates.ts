import { DirectScorer } from './direct.js';
import { EaseScorer } from './ease.js';
import { GramCache, LocalEaseScorer } from './ease-local.js';
import type { Matrix } from './matrix.js';
import { Rp3Scorer, type Rp3Params } from './rp3beta.js';
import { Scorer, type ScorerParams } from './scorer.js';
import { NO_SCORES, UserRanking, type QueryKind, type UserScorer } from './user-ranking.js';

/**
 * The models training chooses between (docs/model.md): a base scorer, optionally blended with the
 * user-activity prior (user-ranking.ts). A ModelConfig is what a trained model stores and serves.
 */
export type BaseModel =
  | { kind: 'item-knn'; params: ScorerParams }
  /** tolerance: the solver's (ease.ts; benchmarks use a tighter one for the reference). */
  | { kind: 'ease'; lambda: number; tolerance?: number }
  | { kind: 'ease-local'; lambda: number; neighbours: number }
  | { kind: 'rp3beta'; params: Rp3Params }
  | { kind: 'interacted'; halfLifeDays: number }
  | { kind: 'activity' };

export interface ModelConfig {
  base: BaseModel;
  /** Weight of the activity prior in the blend (0 = the base model alone). */
  priorWeight: number;
  /** The prior's recency half-life in days (0 = distinct items, the popularity baseline); see user-ranking.ts. */
  priorHalfLifeDays: number;
}

/** An ASCII name, stable across runs: used in reports and as a metric key. */
export function baseName(b: BaseModel): string {
  switch (b.kind) {
    case 'item-knn':
      return 'item-knn';
    case 'ease':
      return `ease-l${b.lambda}`;
    case 'ease-local':
      return `ease-local-l${b.lambda}`;
    case 'rp3beta':
      return `rp3beta-a${b.params.alpha}-b${b.params.beta}`;
    case 'interacted':
      return b.halfLifeDays > 0 ? `interacted-hl${b.halfLifeDays}d` : 'interacted-count';
    case 'activity':
      return 'activity';
  }
}

function priorName(halfLifeDays: number): string {
  return halfLifeDays > 0 ? `activity-hl${halfLifeDays}d` : 'activity';
}

export function modelName(c: ModelConfig): string {
  if (c.base.kind === 'activity') return priorName(c.priorHalfLifeDays);
  const base = baseName(c.base);
  return c.priorWeight > 0 ? `${base}+${priorName(c.priorHalfLifeDays)}-${c.priorWeight}` : base;
}

/** What a model says in one sentence (report and docs). */
export function describeModel(c: ModelConfig): string {
  const b = c.base;
  const what =
    b.kind === 'item-knn'
      ? `item-kNN blended with "interacted with it" (α ${b.params.alpha}, ${b.params.neighbours} neighbours, ${b.params.halfLifeDays}-day half-life)`
      : b.kind === 'ease'
        ? `EASE (λ ${b.lambda})`
        : b.kind === 'ease-local'
          ? `EASE on the query item's ${b.neighbours} nearest items (λ ${b.lambda})`
          : b.kind === 'rp3beta'
            ? `RP3beta (α ${b.params.alpha}, β ${b.params.beta}, ${b.params.neighbours || 'all'} neighbours)`
            : b.kind === 'interacted'
              ? b.halfLifeDays > 0
                ? `users who interacted with it, by count with a ${b.halfLifeDays}-day half-life`
                : 'users who interacted with it, by count'
              : c.priorHalfLifeDays > 0
                ? `the most active users lately (activity with a ${c.priorHalfLifeDays}-day half-life)`
                : 'the most active users (popularity)';
  const prior = c.priorHalfLifeDays > 0 ? `the activity prior with a ${c.priorHalfLifeDays}-day half-life` : 'the activity prior';
  return c.priorWeight > 0 && b.kind !== 'activity' ? `${what}, blended with ${prior} (weight ${c.priorWeight})` : what;
}

/** A scorer for a base model; `grams` lets EASE-local variants of one query share its neighbourhood. */
export function makeScorer(m: Matrix, b: BaseModel, ranking: UserRanking, grams?: GramCache): UserScorer {
  switch (b.kind) {
    case 'item-knn':
      return new Scorer(m, b.params, ranking);
    case 'ease':
      return new EaseScorer(m, b.lambda, b.tolerance);
    case 'ease-local':
      return new LocalEaseScorer(m, b.lambda, b.neighbours, grams);
    case 'rp3beta':
      return new Rp3Scorer(m, b.params);
    case 'interacted':
      return new DirectScorer(m, b.halfLifeDays);
    case 'activity':
      return { scores: () => NO_SCORES };
  }
}

/** A served model: the k best users for a query item set. */
export class Ranker {
  private readonly scorer: UserScorer;

  constructor(
    m: Matrix,
    readonly config: ModelConfig,
    readonly ranking: UserRanking = new UserRanking(m, config.priorHalfLifeDays),
  ) {
    this.scorer = makeScorer(m, config.base, ranking);
  }

  rank(query: Int32Array, k: number, kind: QueryKind): Int32Array {
    const weight = this.config.base.kind === 'activity' ? 1 : this.config.priorWeight;
    return this.ranking.rank(this.scorer.scores(query, kind), k, weight);
  }
}
