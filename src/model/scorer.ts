import type { Matrix } from './matrix.js';
import { topK } from './top-k.js';
import { UserRanking, type QueryKind, type SparseScores, type UserScorer } from './user-ranking.js';

/**
 * Item-affinity scoring with a sparse item-item model computed on demand for the queried item(s):
 *
 *   score(u, Q) = bonus * direct(u, Q) / max_v direct(v, Q) + knn(u, Q) / max_v knn(v, Q)
 *   direct(u, Q) = sum over i in Q that u interacted with of count(u, i)^countExponent * decay(u, i)
 *   knn(u, Q)   = sum over u's items j (not in Q) of sim(j, Q) [* decay(u, j)], over Q's `neighbours` most
 *                 similar items, divided by activity(u)^userNorm
 *   sim(j, Q)   = co(j, Q) / (pop(j)^(1 - alpha) * pop(Q)^alpha)      (asymmetric cosine; alpha 0.5 = cosine)
 *   decay(u, i) = 0.5^(days since u last interacted with i / halfLifeDays)   (1 when halfLifeDays = 0)
 *
 * Q is one item (item affinity) or the set of items matching an attribute expression (treated as one
 * pseudo-item, with attributeBonus in place of bonus); co(j, Q) counts users who interacted with j and with Q; pop counts users.
 * Ties: higher activity (distinct items), then the smaller user id. Users without any signal are filled in
 * by activity, so a segment always has min(k, users) members.
 */
export interface ScorerParams {
  alpha: number;
  bonus: number;
  /** Neighbourhood size (0 = all co-occurring items). */
  neighbours: number;
  countExponent: number;
  halfLifeDays: number;
  /** The bonus for attribute queries, whose "interacted with Q" signal is much richer than for one item. */
  attributeBonus: number;
  /** Apply the recency decay to the knn part too. */
  decayKnn: boolean;
  userNorm: number;
}

/** Chosen on a validation split of Online Retail's training period (see docs/model.md); neighbours is hidden_dimension. */
export const DEFAULT_PARAMS: ScorerParams = {
  alpha: 0.35,
  bonus: 1,
  attributeBonus: 100,
  neighbours: 149,
  countExponent: 1,
  halfLifeDays: 90,
  decayKnn: true,
  userNorm: 0,
};

export class Scorer implements UserScorer {
  private readonly inQuery: Uint8Array;
  private readonly co: Float64Array;
  private readonly touchedItems: Int32Array;
  private readonly direct: Float64Array;
  private readonly mark: Uint8Array;
  private readonly score: Float64Array;
  private readonly touchedUsers: Int32Array;
  private readonly ranking: UserRanking;

  constructor(
    private readonly m: Matrix,
    private readonly params: ScorerParams,
    ranking?: UserRanking,
  ) {
    this.inQuery = new Uint8Array(m.numItems);
    this.co = new Float64Array(m.numItems);
    this.touchedItems = new Int32Array(m.numItems);
    this.direct = new Float64Array(m.numUsers);
    this.mark = new Uint8Array(m.numUsers);
    this.score = new Float64Array(m.numUsers);
    this.touchedUsers = new Int32Array(m.numUsers);
    this.ranking = ranking ?? new UserRanking(m);
  }

  /** The k best users for the query item set (ascending item indices), best first. */
  rank(query: ArrayLike<number>, k: number, kind: QueryKind = 'item'): Int32Array {
    return this.ranking.rank(this.scores(Int32Array.from(query), kind), k);
  }

  /** score(u, Q) for every user with a signal (see the formula above). */
  scores(query: Int32Array, kind: QueryKind = 'item'): SparseScores {
    const { m, params, inQuery, co, touchedItems, direct, score, touchedUsers, mark } = this;
    const { itemPtr, itemUsers, itemCount, itemLast, userPtr, userItems } = m;
    const activity = this.ranking.activity;
    const decayRate = params.halfLifeDays > 0 ? Math.LN2 / (params.halfLifeDays * 86400) : 0;
    const gamma = params.countExponent;
    for (let q = 0; q < query.length; q++) inQuery[query[q]!] = 1;
    // Users who interacted with the query items.
    let nUsers = 0;
    for (let q = 0; q < query.length; q++) {
      const i = query[q]!;
      for (let p = itemPtr[i]!; p < itemPtr[i + 1]!; p++) {
        const u = itemUsers[p]!;
        if (!mark[u]) {
          mark[u] = 1;
          touchedUsers[nUsers++] = u;
        }
        let w = gamma === 0 ? 1 : Math.pow(itemCount[p]!, gamma);
        if (decayRate > 0) w *= Math.exp(-decayRate * (m.maxTime - itemLast[p]!));
        direct[u]! += Math.max(w, 1e-300); // a buyer stays a buyer however old
      }
    }
    const buyers = nUsers;
    // Co-occurrence of every other item with the query (users visited in ascending order for determinism).
    touchedUsers.subarray(0, buyers).sort();
    let nItems = 0;
    for (let b = 0; b < buyers; b++) {
      const u = touchedUsers[b]!;
      for (let p = userPtr[u]!; p < userPtr[u + 1]!; p++) {
        const j = userItems[p]!;
        if (inQuery[j]) continue;
        if (co[j] === 0) touchedItems[nItems++] = j;
        co[j]! += 1;
      }
    }
    const popQ = Math.max(1, buyers);
    for (let t = 0; t < nItems; t++) {
      const j = touchedItems[t]!;
      const popJ = itemPtr[j + 1]! - itemPtr[j]!;
      co[j] = co[j]! / (Math.pow(popJ, 1 - params.alpha) * Math.pow(popQ, params.alpha));
    }
    const neighbours =
      params.neighbours > 0 && params.neighbours < nItems ? topK(touchedItems, nItems, co, null, params.neighbours) : touchedItems.subarray(0, nItems).sort();
    // knn(u) = sum of sims of u's neighbour items.
    const knnDecay = params.decayKnn ? decayRate : 0;
    for (let t = 0; t < neighbours.length; t++) {
      const j = neighbours[t]!;
      const s = co[j]!;
      for (let p = itemPtr[j]!; p < itemPtr[j + 1]!; p++) {
        const u = itemUsers[p]!;
        if (!mark[u]) {
          mark[u] = 1;
          touchedUsers[nUsers++] = u;
        }
        score[u]! += knnDecay > 0 ? s * Math.exp(-knnDecay * (m.maxTime - itemLast[p]!)) : s;
      }
    }
    let maxKnn = 0;
    let maxDirect = 0;
    for (let t = 0; t < nUsers; t++) {
      const u = touchedUsers[t]!;
      if (params.userNorm > 0 && score[u]! > 0) score[u] = score[u]! / Math.pow(activity[u]!, params.userNorm);
      maxKnn = Math.max(maxKnn, score[u]!);
      maxDirect = Math.max(maxDirect, direct[u]!);
    }
    const knnScale = maxKnn > 0 ? 1 / maxKnn : 0;
    const bonus = kind === 'item' ? params.bonus : params.attributeBonus;
    const directScale = maxDirect > 0 ? bonus / maxDirect : 0;
    const out: SparseScores = { users: touchedUsers.slice(0, nUsers), values: new Float64Array(nUsers) };
    for (let t = 0; t < nUsers; t++) {
      const u = touchedUsers[t]!;
      out.values[t] = score[u]! * knnScale + direct[u]! * directScale;
      // Reset the scratch buffers for the next query.
      score[u] = 0;
      direct[u] = 0;
      mark[u] = 0;
    }
    for (let t = 0; t < nItems; t++) co[touchedItems[t]!] = 0;
    for (let q = 0; q < query.length; q++) inQuery[query[q]!] = 0;
    return out;
  }
}
