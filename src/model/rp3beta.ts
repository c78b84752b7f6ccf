import type { Matrix } from './matrix.js';
import { topK } from './top-k.js';
import type { QueryKind, SparseScores, UserScorer } from './user-ranking.js';

/**
 * RP3beta (Paudel et al., TiiS 2017; the tuned form of Dacrema et al. 2019) turned towards users: a three-step
 * random walk from the query item over the binary interaction graph, item → user → item → user, with every
 * transition probability raised to α and the target user's probability divided by its activity to the power β
 * (RP3beta's popularity penalty, applied to the side that is ranked):
 *
 *   score(u) = act(u)^-β · Σ_j (X[u,j] / pop(j))^α · Σ_v (X[v,j] / act(v))^α · (X[v,i] / pop(i))^α
 *
 * Only the `neighbours` items j with the highest two-step probability are kept (0 = all), like the item-kNN.
 * Item queries only; an attribute query's items are walked from together (the walk starts uniformly on them).
 */
export interface Rp3Params {
  alpha: number;
  beta: number;
  neighbours: number;
}

export class Rp3Scorer implements UserScorer {
  private readonly weight: Float64Array;
  private readonly touchedItems: Int32Array;
  private readonly userScore: Float64Array;
  private readonly mark: Uint8Array;
  private readonly touchedUsers: Int32Array;
  /** act(v)^-α, pop(j)^-α and act(u)^-β, computed once. */
  private readonly userStep: Float64Array;
  private readonly itemStep: Float64Array;
  private readonly userPenalty: Float64Array;

  constructor(
    private readonly m: Matrix,
    readonly params: Rp3Params,
  ) {
    const { alpha, beta } = params;
    this.userStep = new Float64Array(m.numUsers);
    this.userPenalty = new Float64Array(m.numUsers);
    for (let u = 0; u < m.numUsers; u++) {
      const act = Math.max(1, m.userPtr[u + 1]! - m.userPtr[u]!);
      this.userStep[u] = Math.pow(act, -alpha);
      this.userPenalty[u] = Math.pow(act, -beta);
    }
    this.itemStep = new Float64Array(m.numItems);
    for (let j = 0; j < m.numItems; j++) this.itemStep[j] = Math.pow(Math.max(1, m.itemPtr[j + 1]! - m.itemPtr[j]!), -alpha);
    this.weight = new Float64Array(m.numItems);
    this.touchedItems = new Int32Array(m.numItems);
    this.userScore = new Float64Array(m.numUsers);
    this.mark = new Uint8Array(m.numUsers);
    this.touchedUsers = new Int32Array(m.numUsers);
  }

  scores(query: Int32Array, _kind: QueryKind): SparseScores {
    const { m, weight, touchedItems, userScore, mark, touchedUsers, userStep, itemStep, userPenalty } = this;
    const { itemPtr, itemUsers, userPtr, userItems } = m;
    // step 1 and 2: query item(s) -> users v -> items j
    let nItems = 0;
    const spread = Math.pow(query.length, -this.params.alpha);
    for (let q = 0; q < query.length; q++) {
      const i = query[q]!;
      const start = spread * itemStep[i]!;
      for (let p = itemPtr[i]!; p < itemPtr[i + 1]!; p++) {
        const v = itemUsers[p]!;
        const w = start * userStep[v]!;
        for (let k = userPtr[v]!; k < userPtr[v + 1]!; k++) {
          const j = userItems[k]!;
          if (weight[j] === 0) touchedItems[nItems++] = j;
          weight[j]! += w;
        }
      }
    }
    const kept =
      this.params.neighbours > 0 && this.params.neighbours < nItems
        ? topK(touchedItems, nItems, weight, null, this.params.neighbours)
        : touchedItems.subarray(0, nItems).sort();
    // step 3: items j -> users u
    let nUsers = 0;
    for (let t = 0; t < kept.length; t++) {
      const j = kept[t]!;
      const w = weight[j]! * itemStep[j]!;
      for (let p = itemPtr[j]!; p < itemPtr[j + 1]!; p++) {
        const u = itemUsers[p]!;
        if (!mark[u]) {
          mark[u] = 1;
          touchedUsers[nUsers++] = u;
        }
        userScore[u]! += w;
      }
    }
    const out: SparseScores = { users: touchedUsers.slice(0, nUsers), values: new Float64Array(nUsers) };
    for (let t = 0; t < nUsers; t++) {
      const u = touchedUsers[t]!;
      out.values[t] = userScore[u]! * userPenalty[u]!;
      userScore[u] = 0;
      mark[u] = 0;
    }
    for (let t = 0; t < nItems; t++) weight[touchedItems[t]!] = 0;
    return out;
  }
}
