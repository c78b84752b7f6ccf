import type { Matrix } from '../../src/model/matrix.js';
import { topK } from '../../src/model/top-k.js';

/** The notebook's reference scorers: most active users, and users who bought the item then by activity. */
export function activityOf(m: Matrix): Float64Array {
  const a = new Float64Array(m.numUsers);
  for (let u = 0; u < m.numUsers; u++) a[u] = m.userPtr[u + 1]! - m.userPtr[u]!;
  return a;
}

export function popularityRanker(m: Matrix): (item: number, k: number) => Int32Array {
  const act = activityOf(m);
  const all = Int32Array.from({ length: m.numUsers }, (_, u) => u);
  return (_item, k) => topK(all, all.length, act, null, k);
}

export function boughtItRanker(m: Matrix): (item: number, k: number) => Int32Array {
  const act = activityOf(m);
  const all = Int32Array.from({ length: m.numUsers }, (_, u) => u);
  const score = new Float64Array(m.numUsers);
  return (item, k) => {
    for (let p = m.itemPtr[item]!; p < m.itemPtr[item + 1]!; p++) score[m.itemUsers[p]!] = 1;
    const top = topK(all, all.length, score, act, k);
    for (let p = m.itemPtr[item]!; p < m.itemPtr[item + 1]!; p++) score[m.itemUsers[p]!] = 0;
    return top;
  };
}
