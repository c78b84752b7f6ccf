import { Ranker, type BaseModel, type ModelConfig, modelName } from '../../src/model/candidates.js';
import type { SolutionMetrics } from '../../src/model/api.js';
import { UserRanking } from '../../src/model/user-ranking.js';
import type { ScorerParams } from '../../src/model/scorer.js';
import { score, type Split } from './protocol.js';

/**
 * The simple references of docs/model.md, each at its best setting on the test split itself (an upper bound on
 * what tuning could give it): popularity, "users who interacted with it", item-kNN (cosine, all neighbours),
 * RP3beta and EASE, all over the same binary matrix and the same queries as segflow.
 */
export const REFERENCE_GRID: Array<{ family: string; bases: BaseModel[] }> = [
  { family: 'popularity (most active users)', bases: [{ kind: 'activity' }] },
  { family: 'users who interacted with it', bases: [{ kind: 'interacted', halfLifeDays: 0 }] },
  {
    family: 'item-kNN (cosine)',
    bases: [{ kind: 'item-knn', params: cosine() }],
  },
  {
    family: 'RP3beta',
    bases: [0.5, 1].flatMap((alpha) => [0, 0.3, 0.6].map((beta) => ({ kind: 'rp3beta', params: { alpha, beta, neighbours: 0 } }))),
  },
  { family: 'EASE', bases: [50, 200, 500, 1000, 3000].map((lambda) => ({ kind: 'ease', lambda, tolerance: 1e-6 })) },
];

function cosine(): ScorerParams {
  return { alpha: 0.5, bonus: 0, attributeBonus: 0, neighbours: 0, countExponent: 0, halfLifeDays: 0, decayKnn: false, userNorm: 0 };
}

export interface ReferenceResult {
  family: string;
  best: string;
  metrics: SolutionMetrics;
  /** Every setting's figures, for the record. */
  all: Array<{ name: string; metrics: SolutionMetrics }>;
}

export function scoreConfig(split: Split, config: ModelConfig, ranking: UserRanking): SolutionMetrics {
  const ranker = new Ranker(split.matrix, config, ranking);
  return score(split, (item, k) => ranker.rank(Int32Array.of(item), k, 'item'));
}

/** Recall, then hits: the reference's best setting. */
export function references(split: Split, families = REFERENCE_GRID): ReferenceResult[] {
  const ranking = new UserRanking(split.matrix);
  return families.map(({ family, bases }) => {
    const all = bases.map((base) => {
      const config = { base, priorWeight: 0, priorHalfLifeDays: 0 };
      return { name: modelName(config), metrics: scoreConfig(split, config, ranking) };
    });
    const best = all.reduce((a, b) =>
      b.metrics.recall_at_1_percent + b.metrics.hits_at_1_percent / 1e3 > a.metrics.recall_at_1_percent + a.metrics.hits_at_1_percent / 1e3 ? b : a,
    );
    return { family, best: best.name, metrics: best.metrics, all };
  });
}
