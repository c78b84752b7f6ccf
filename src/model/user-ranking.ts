import type { Matrix } from './matrix.js';
import { kthLargest, selectTop, topK } from './top-k.js';

/** A model's scores for one query: the users it has a signal for and their scores (same order). */
export interface SparseScores {
  users: Int32Array;
  values: Float64Array;
}

export type QueryKind = 'item' | 'attribute';

/** Anything that scores users for a query item set (ascending item indices). */
export interface UserScorer {
  scores(query: Int32Array, kind: QueryKind): SparseScores;
}

export const NO_SCORES: SparseScores = { users: new Int32Array(0), values: new Float64Array(0) };

/**
 * Turns a model's scores into a segment, optionally blended with the user-activity prior:
 *
 *   final(u) = score(u) / max_v score(v)  +  priorWeight · prior(u) / max_v prior(v)
 *   prior(u) = Σ over u's distinct items i: 0.5^(days since u last interacted with i / halfLifeDays)
 *
 * With halfLifeDays 0 the prior is the number of distinct items: the notebook's "most active users" baseline;
 * with a half-life it favours users who are active lately. With priorWeight 0 the users with a signal come first
 * (by score) and the rest follow by the prior; with priorWeight > 0 every user competes.
 * Ties: more distinct items, then the smaller user index (ids are coded in sorted order), so the order is total.
 */
export class UserRanking {
  /** Distinct items per user (the tie-break). */
  readonly activity: Float64Array;
  readonly prior: Float64Array;
  /** All users, best prior first: the fill-in order. */
  readonly byPrior: Int32Array;
  private readonly maxPrior: number;
  private readonly scratch: Float64Array;
  private readonly mark: Uint8Array;

  constructor(
    m: Matrix,
    readonly halfLifeDays = 0,
  ) {
    const n = m.numUsers;
    this.activity = new Float64Array(n);
    this.prior = halfLifeDays > 0 ? new Float64Array(n) : this.activity;
    const rate = halfLifeDays > 0 ? Math.LN2 / (halfLifeDays * 86400) : 0;
    let max = 0;
    for (let u = 0; u < n; u++) {
      this.activity[u] = m.userPtr[u + 1]! - m.userPtr[u]!;
      if (rate > 0) {
        let s = 0;
        for (let k = m.userPtr[u]!; k < m.userPtr[u + 1]!; k++) s += Math.exp(-rate * (m.maxTime - m.userLast[k]!));
        this.prior[u] = s;
      }
      max = Math.max(max, this.prior[u]!);
    }
    this.maxPrior = max;
    const all = new Int32Array(n);
    for (let u = 0; u < n; u++) all[u] = u;
    this.byPrior = topK(all, n, this.prior, this.activity, n);
    this.scratch = new Float64Array(n);
    this.mark = new Uint8Array(n);
  }

  get numUsers(): number {
    return this.activity.length;
  }

  /** The k best users, best first; always min(k, users) of them. */
  rank(s: SparseScores, k: number, priorWeight = 0): Int32Array {
    const { candidates, count } = this.prepare(s, k, priorWeight);
    const top = selectTop(candidates, count, this.scratch, this.activity, k);
    this.release(candidates, count);
    return this.fill(top, k);
  }

  /**
   * How many of rank(s, k, priorWeight)'s users have isTruth set, without ordering them: the validation only needs
   * the top-k as a set (its k-th score by quickselect, and an order among the users tied at it). Same users as rank.
   */
  hitsAt(s: SparseScores, k: number, priorWeight: number, isTruth: Uint8Array): number {
    const { scratch, mark, activity } = this;
    const { candidates, count } = this.prepare(s, k, priorWeight);
    const want = Math.min(k, count);
    let hits = 0;
    if (want > 0) {
      const values = new Float64Array(count);
      for (let c = 0; c < count; c++) values[c] = scratch[candidates[c]!]!;
      const threshold = kthLargest(values, want);
      const tied: number[] = [];
      let above = 0;
      for (let c = 0; c < count; c++) {
        const u = candidates[c]!;
        if (scratch[u]! > threshold) {
          above++;
          hits += isTruth[u]!;
        } else if (scratch[u] === threshold) tied.push(u);
      }
      if (tied.length > want - above) tied.sort((a, b) => activity[b]! - activity[a]! || a - b).length = want - above;
      for (const u of tied) hits += isTruth[u]!;
    }
    // the fill-in: users without a candidate's place, best prior first (only when the candidates are too few)
    for (let r = 0, w = want; w < Math.min(k, this.numUsers) && r < this.byPrior.length; r++) {
      const u = this.byPrior[r]!;
      if (mark[u]) continue;
      hits += isTruth[u]!;
      w++;
    }
    this.release(candidates, count);
    return hits;
  }

  /** Writes the final scores of the candidates (the scored users, and with a prior the k best others) to scratch. */
  private prepare(s: SparseScores, k: number, priorWeight: number): { candidates: Int32Array; count: number } {
    const { scratch, mark } = this;
    const n = s.users.length;
    const prior = priorWeight > 0 && this.maxPrior > 0 ? priorWeight / this.maxPrior : 0;
    let max = 0;
    if (prior > 0) for (let t = 0; t < n; t++) max = Math.max(max, s.values[t]!);
    const scale = max > 0 ? 1 / max : 1; // without the prior, scores are ranked as they are
    for (let t = 0; t < n; t++) {
      const u = s.users[t]!;
      scratch[u] = s.values[t]! * scale + prior * this.prior[u]!;
      mark[u] = 1;
    }
    if (prior === 0) return { candidates: s.users, count: n };
    // users without a signal score prior weight · prior: only the k best of them can make the cut
    const extra: number[] = [];
    for (let r = 0; extra.length < k && r < this.byPrior.length; r++) {
      const u = this.byPrior[r]!;
      if (!mark[u]) extra.push(u);
    }
    const candidates = new Int32Array(n + extra.length);
    candidates.set(s.users);
    extra.forEach((u, e) => {
      candidates[n + e] = u;
      scratch[u] = prior * this.prior[u]!;
      mark[u] = 1;
    });
    return { candidates, count: candidates.length };
  }

  private release(candidates: Int32Array, count: number): void {
    for (let t = 0; t < count; t++) {
      this.scratch[candidates[t]!] = 0;
      this.mark[candidates[t]!] = 0;
    }
  }

  /** Tops up a ranking with the remaining users, best prior first. */
  private fill(top: Int32Array, k: number): Int32Array {
    const want = Math.min(k, this.numUsers);
    if (top.length >= want) return top;
    const out = new Int32Array(want);
    out.set(top);
    const taken = new Set<number>(top);
    let w = top.length;
    for (let r = 0; w < want && r < this.byPrior.length; r++) {
      const u = this.byPrior[r]!;
      if (!taken.has(u)) out[w++] = u;
    }
    return out;
  }
}
