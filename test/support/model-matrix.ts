import { buildMatrix, type Matrix } from '../../src/model/matrix.js';
import { mulberry32 } from '../../src/util/prng.js';

/**
 * Small deterministic interaction matrices for the model's brute-force tests: `users` x `items`, each user with a
 * few items (some repeated, at different times), and the dense binary matrix X beside the sparse one.
 */
export interface SmallMatrix {
  m: Matrix;
  /** X[u][i] = 1 when u interacted with i. */
  x: number[][];
}

export function smallMatrix(users: number, items: number, seed = 3): SmallMatrix {
  const rand = mulberry32(seed);
  const u: number[] = [];
  const i: number[] = [];
  const t: number[] = [];
  const x = Array.from({ length: users }, () => new Array<number>(items).fill(0));
  for (let a = 0; a < users; a++) {
    const n = 1 + Math.floor(rand() * Math.min(items, 6));
    for (let b = 0; b < n; b++) {
      // a taste: users prefer items near a * items / users
      const item = Math.floor((a * items) / users + rand() * items * 0.6) % items;
      const repeats = rand() < 0.2 ? 2 : 1;
      for (let r = 0; r < repeats; r++) {
        u.push(a);
        i.push(item);
        t.push(1_600_000_000 + Math.floor(rand() * 400) * 86400);
      }
      x[a]![item] = 1;
    }
  }
  return { m: buildMatrix(users, items, Int32Array.from(u), Int32Array.from(i), Float64Array.from(t)), x };
}

/** Dense inverse by Gauss-Jordan elimination with partial pivoting (for brute-force checks only). */
export function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, r) => [...row, ...Array.from({ length: n }, (_, c) => (c === r ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const d = m[c]![c]!;
    for (let k = 0; k < 2 * n; k++) m[c]![k]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let k = 0; k < 2 * n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row) => row.slice(n));
}

/** Scores of all users as a dense array from sparse scores (users without a score get `missing`). */
export function dense(users: number, s: { users: Int32Array; values: Float64Array }, missing = 0): number[] {
  const out = new Array<number>(users).fill(missing);
  s.users.forEach((u, t) => (out[u] = s.values[t]!));
  return out;
}

export function assertClose(actual: number[], expected: number[], tolerance: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != ${expected.length}`);
  actual.forEach((v, k) => {
    if (!(Math.abs(v - expected[k]!) <= tolerance * Math.max(1, Math.abs(expected[k]!)))) {
      throw new Error(`${what}[${k}]: ${v} != ${expected[k]} (tolerance ${tolerance})`);
    }
  });
}
