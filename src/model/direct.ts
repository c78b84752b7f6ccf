import type { Matrix } from './matrix.js';
import type { QueryKind, SparseScores, UserScorer } from './user-ranking.js';

/**
 * "Interacted with the query": for an item, its users; for an attribute value, the users of any item carrying
 * it, ranked by how often and (optionally) how recently:
 *
 *   direct(u, Q) = Σ over i ∈ Q that u interacted with: count(u, i) · 0.5^(age(u, i) / halfLifeDays)
 *
 * age is measured from the latest interaction in the data; halfLifeDays 0 means no decay (plain counts).
 */
export class DirectScorer implements UserScorer {
  private readonly sum: Float64Array;
  private readonly mark: Uint8Array;
  private readonly touched: Int32Array;

  constructor(
    private readonly m: Matrix,
    readonly halfLifeDays: number,
  ) {
    this.sum = new Float64Array(m.numUsers);
    this.mark = new Uint8Array(m.numUsers);
    this.touched = new Int32Array(m.numUsers);
  }

  scores(query: Int32Array, _kind: QueryKind): SparseScores {
    const { m, sum, mark, touched } = this;
    const rate = this.halfLifeDays > 0 ? Math.LN2 / (this.halfLifeDays * 86400) : 0;
    let n = 0;
    for (let q = 0; q < query.length; q++) {
      const i = query[q]!;
      for (let p = m.itemPtr[i]!; p < m.itemPtr[i + 1]!; p++) {
        const u = m.itemUsers[p]!;
        if (!mark[u]) {
          mark[u] = 1;
          touched[n++] = u;
        }
        const w = m.itemCount[p]! * (rate > 0 ? Math.exp(-rate * (m.maxTime - m.itemLast[p]!)) : 1);
        sum[u]! += Math.max(w, 1e-300); // an old buyer is still a buyer
      }
    }
    const out: SparseScores = { users: touched.slice(0, n), values: new Float64Array(n) };
    for (let t = 0; t < n; t++) {
      const u = touched[t]!;
      out.values[t] = sum[u]!;
      sum[u] = 0;
      mark[u] = 0;
    }
    return out;
  }
}
