import { solveSpd } from './dense.js';
import type { Matrix } from './matrix.js';
import { topK } from './top-k.js';
import { NO_SCORES, type QueryKind, type SparseScores, type UserScorer } from './user-ranking.js';

/**
 * EASE restricted to the query item's neighbourhood, the scalable variant for catalogues where the exact solve
 * (ease.ts) is too slow: S = the query item i plus its `neighbours` items with the most co-occurring users, and
 *
 *   p = (X_Sᵀ X_S + λI)⁻¹ e_i,   B[j, i] = -p_j / p_i (j ≠ i),   score(u) = Σ_{j ∈ S, j ≠ i} X[u, j] · B[j, i]
 *
 * i.e. EASE's regression of item i on the other items, fitted on the few items that can matter for it. With S =
 * every item it is exactly EASE's column i (ease-local.test.ts). Cost per query: the neighbours' users and one
 * |S| x |S| Cholesky solve, whatever the catalogue size.
 */
/** One query's neighbourhood Gram matrix (without λ), shared by the λ variants that score the same query. */
export interface LocalGram {
  item: number;
  neighbours: number;
  set: Int32Array;
  users: Int32Array;
  /** users[t]'s positions in set: flat[start[t]..start[t + 1]]. */
  start: Int32Array;
  flat: Int32Array;
  gram: Float64Array;
}

export class GramCache {
  last: LocalGram | undefined;
}

export class LocalEaseScorer implements UserScorer {
  private readonly co: Float64Array;
  private readonly touchedItems: Int32Array;
  /** Per user: how many of the set's items, then where its positions go (scratch of gram()). */
  private readonly slot: Int32Array;
  private readonly mark: Uint8Array;
  private readonly touchedUsers: Int32Array;

  constructor(
    private readonly m: Matrix,
    readonly lambda: number,
    readonly neighbours: number,
    private readonly cache = new GramCache(),
  ) {
    this.co = new Float64Array(m.numItems);
    this.touchedItems = new Int32Array(m.numItems);
    this.slot = new Int32Array(m.numUsers);
    this.mark = new Uint8Array(m.numUsers);
    this.touchedUsers = new Int32Array(m.numUsers);
  }

  /** The query item's neighbourhood: the item first, then its neighbours by co-occurrence (ties: lower index). */
  private neighbourhood(i: number): Int32Array {
    const { m, co, touchedItems } = this;
    let n = 0;
    for (let p = m.itemPtr[i]!; p < m.itemPtr[i + 1]!; p++) {
      const u = m.itemUsers[p]!;
      for (let k = m.userPtr[u]!; k < m.userPtr[u + 1]!; k++) {
        const j = m.userItems[k]!;
        if (j === i) continue;
        if (co[j] === 0) touchedItems[n++] = j;
        co[j]! += 1;
      }
    }
    const kept = this.neighbours > 0 && this.neighbours < n ? topK(touchedItems, n, co, null, this.neighbours) : touchedItems.slice(0, n).sort();
    for (let t = 0; t < n; t++) co[touchedItems[t]!] = 0;
    const s = new Int32Array(kept.length + 1);
    s[0] = i;
    s.set(kept, 1);
    return s;
  }

  scores(query: Int32Array, kind: QueryKind): SparseScores {
    if (kind !== 'item' || query.length !== 1) return NO_SCORES;
    const i = query[0]!;
    const hit = this.cache.last;
    const local = hit && hit.item === i && hit.neighbours === this.neighbours ? hit : this.gram(i);
    this.cache.last = local;
    const { set, users, start, flat, gram } = local;
    const size = set.length;
    const g = Float64Array.from(gram);
    for (let a = 0; a < size; a++) g[a * size + a]! += this.lambda;
    const e = new Float64Array(size);
    e[0] = 1;
    const p = solveSpd(g, size, e);
    const b = Float64Array.from(p, (v) => -v / p[0]!);
    b[0] = 0; // EASE's zero diagonal
    const values = new Float64Array(users.length);
    for (let t = 0; t < users.length; t++) {
      let s = 0;
      for (let x = start[t]!; x < start[t + 1]!; x++) s += b[flat[x]!]!;
      values[t] = s;
    }
    return { users, values };
  }

  /** The neighbourhood of item i, its users, and X_Sᵀ X_S. */
  private gram(i: number): LocalGram {
    const { m, mark, touchedUsers, slot } = this;
    const set = this.neighbourhood(i);
    const size = set.length;
    // users of the neighbourhood (in the set's order, then each item's users: a fixed order), and how many of
    // the set's items each has
    let nUsers = 0;
    let total = 0;
    for (let a = 0; a < size; a++) {
      const j = set[a]!;
      for (let p = m.itemPtr[j]!; p < m.itemPtr[j + 1]!; p++) {
        const u = m.itemUsers[p]!;
        if (!mark[u]) {
          mark[u] = 1;
          slot[u] = 0;
          touchedUsers[nUsers++] = u;
        }
        slot[u]!++;
        total++;
      }
    }
    // each user's positions in the set, ascending: flat[start[t]..start[t + 1]]
    const start = new Int32Array(nUsers + 1);
    for (let t = 0; t < nUsers; t++) {
      const u = touchedUsers[t]!;
      start[t + 1] = start[t]! + slot[u]!;
      slot[u] = start[t]!;
    }
    const flat = new Int32Array(total);
    for (let a = 0; a < size; a++) {
      const j = set[a]!;
      for (let p = m.itemPtr[j]!; p < m.itemPtr[j + 1]!; p++) flat[slot[m.itemUsers[p]!]!++] = a;
    }
    const gram = new Float64Array(size * size);
    for (let t = 0; t < nUsers; t++) {
      mark[touchedUsers[t]!] = 0;
      const from = start[t]!;
      const to = start[t + 1]!;
      for (let x = from; x < to; x++) {
        const row = flat[x]! * size;
        for (let y = from; y < to; y++) gram[row + flat[y]!]! += 1;
      }
    }
    return { item: i, neighbours: this.neighbours, set, users: touchedUsers.slice(0, nUsers), start, flat, gram };
  }
}
