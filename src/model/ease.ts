import type { Matrix } from './matrix.js';
import { NO_SCORES, type QueryKind, type SparseScores, type UserScorer } from './user-ranking.js';

/**
 * EASE (Steck, WWW 2019) for one query item, without ever forming the item x item matrix:
 *
 *   B = I - P · diag(1 / diag(P)),  P = (XᵀX + λI)⁻¹,  X the binary user x item matrix
 *   score(u, i) = Σ_{j ≠ i} X[u, j] · B[j, i] = -(Σ_j X[u, j] · P[j, i] - X[u, i] · P[i, i]) / P[i, i]
 *
 * Only column i of P is needed: it solves (XᵀX + λI) p = e_i, found by conjugate gradients with a Jacobi
 * preconditioner. Each iteration multiplies by XᵀX through X (two passes over the interactions), so memory
 * stays O(interactions) whatever the number of items; this is the scalable form of EASE's dense inverse, exact
 * to the solver's tolerance (tested against the dense inverse in ease.test.ts).
 */
/** Relative residual at which the solve stops: rankings no longer change well before it (ease.test.ts). */
export const EASE_TOLERANCE = 1e-3;
export const EASE_MAX_ITERATIONS = 300;

export class EaseScorer implements UserScorer {
  private readonly t: Float64Array;
  private readonly diag: Float64Array;
  /** Iterations of the last solve (for benchmarks). */
  lastIterations = 0;

  constructor(
    private readonly m: Matrix,
    readonly lambda: number,
    private readonly tolerance = EASE_TOLERANCE,
  ) {
    this.t = new Float64Array(m.numUsers);
    this.diag = new Float64Array(m.numItems);
    for (let j = 0; j < m.numItems; j++) this.diag[j] = m.itemPtr[j + 1]! - m.itemPtr[j]! + lambda;
  }

  /** y = (XᵀX + λI) v */
  private multiply(v: Float64Array, y: Float64Array): void {
    const { userPtr, userItems, numUsers } = this.m;
    const t = this.t;
    for (let u = 0; u < numUsers; u++) {
      let s = 0;
      for (let p = userPtr[u]!; p < userPtr[u + 1]!; p++) s += v[userItems[p]!]!;
      t[u] = s;
    }
    for (let j = 0; j < y.length; j++) y[j] = this.lambda * v[j]!;
    for (let u = 0; u < numUsers; u++) {
      const s = t[u]!;
      if (s === 0) continue;
      for (let p = userPtr[u]!; p < userPtr[u + 1]!; p++) y[userItems[p]!]! += s;
    }
  }

  /** Column i of (XᵀX + λI)⁻¹, by conjugate gradients with a Jacobi preconditioner. */
  column(i: number): Float64Array {
    const n = this.m.numItems;
    const x = new Float64Array(n);
    const r = new Float64Array(n);
    const z = new Float64Array(n);
    const d = new Float64Array(n);
    const q = new Float64Array(n);
    r[i] = 1;
    for (let j = 0; j < n; j++) d[j] = z[j] = r[j]! / this.diag[j]!;
    let rz = r[i] * z[i]!;
    let it = 0;
    while (it < EASE_MAX_ITERATIONS) {
      it++;
      this.multiply(d, q);
      let dq = 0;
      for (let j = 0; j < n; j++) dq += d[j]! * q[j]!;
      const a = rz / dq;
      let rr = 0;
      for (let j = 0; j < n; j++) {
        x[j]! += a * d[j]!;
        r[j]! -= a * q[j]!;
        rr += r[j]! * r[j]!;
      }
      if (Math.sqrt(rr) < this.tolerance) break; // relative to ‖e_i‖ = 1
      let rzNext = 0;
      for (let j = 0; j < n; j++) {
        z[j] = r[j]! / this.diag[j]!;
        rzNext += r[j]! * z[j]!;
      }
      const b = rzNext / rz;
      rz = rzNext;
      for (let j = 0; j < n; j++) d[j] = z[j]! + b * d[j]!;
    }
    this.lastIterations = it;
    return x;
  }

  /** Every user's EASE score for the query item (item queries only: EASE has no pseudo-item). */
  scores(query: Int32Array, kind: QueryKind): SparseScores {
    if (kind !== 'item' || query.length !== 1) return NO_SCORES;
    const i = query[0]!;
    const p = this.column(i);
    const { userPtr, userItems, numUsers, itemPtr, itemUsers } = this.m;
    const pii = p[i]!;
    const values = new Float64Array(numUsers);
    for (let u = 0; u < numUsers; u++) {
      let s = 0;
      for (let k = userPtr[u]!; k < userPtr[u + 1]!; k++) s += p[userItems[k]!]!;
      values[u] = -s / pii;
    }
    for (let k = itemPtr[i]!; k < itemPtr[i + 1]!; k++) values[itemUsers[k]!]! += 1; // drop the diagonal: +pii/pii
    const users = new Int32Array(numUsers);
    for (let u = 0; u < numUsers; u++) users[u] = u;
    return { users, values };
  }
}
