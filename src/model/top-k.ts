/** The k best of candidates[0..count) by score, then secondary (higher first), then the lower index. */
export type TopSelection = (
  candidates: ArrayLike<number>,
  count: number,
  score: ArrayLike<number>,
  secondary: ArrayLike<number> | null,
  k: number,
) => Int32Array;

/**
 * Partial selection: the k best of a candidate list without sorting all of it (a bounded min-heap,
 * O(m log k)). "Better" is a strict total order: higher score, then higher secondary, then lower index,
 * so the result never depends on candidate order or on the machine.
 */
export const topK: TopSelection = (candidates, count, score, secondary, k) => {
  const better = (a: number, b: number): boolean => {
    const sa = score[a]!;
    const sb = score[b]!;
    if (sa !== sb) return sa > sb;
    if (secondary) {
      const xa = secondary[a]!;
      const xb = secondary[b]!;
      if (xa !== xb) return xa > xb;
    }
    return a < b;
  };
  const cap = Math.min(k, count);
  const heap = new Int32Array(cap);
  let size = 0;
  const siftDown = (start: number) => {
    let p = start;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= size) break;
      const r = l + 1;
      // the root is the worst kept element: children that are worse move up
      let worst = l;
      if (r < size && better(heap[l]!, heap[r]!)) worst = r;
      if (!better(heap[p]!, heap[worst]!)) break;
      const t = heap[p]!;
      heap[p] = heap[worst]!;
      heap[worst] = t;
      p = worst;
    }
  };
  for (let c = 0; c < count; c++) {
    const x = candidates[c]!;
    if (size < cap) {
      let p = size++;
      heap[p] = x;
      while (p > 0) {
        const parent = (p - 1) >> 1;
        if (!better(heap[parent]!, heap[p]!)) break;
        const t = heap[p]!;
        heap[p] = heap[parent]!;
        heap[parent] = t;
        p = parent;
      }
    } else if (cap > 0 && better(x, heap[0]!)) {
      heap[0] = x;
      siftDown(0);
    }
  }
  // Pop worst-first into the back of the output.
  const out = new Int32Array(size);
  for (let w = size - 1; w >= 0; w--) {
    out[w] = heap[0]!;
    heap[0] = heap[--size]!;
    siftDown(0);
  }
  return out;
};

/**
 * The same result as topK (the k best in the same strict total order), by selection instead of a heap: the k-th
 * best score is found with quickselect on a copy of the scores (O(m)), then only the candidates at or above it
 * are sorted. Faster than the heap when k is a sizeable share of m, as when 1% of all users are asked for.
 */
export const selectTop: TopSelection = (candidates, count, score, secondary, k) => {
  const want = Math.min(k, count);
  if (want <= 0) return new Int32Array(0);
  const values = new Float64Array(count);
  for (let c = 0; c < count; c++) values[c] = score[candidates[c]!]!;
  const threshold = kthLargest(values, want);
  const kept: number[] = [];
  for (let c = 0; c < count; c++) if (score[candidates[c]!]! >= threshold) kept.push(candidates[c]!);
  kept.sort((a, b) => {
    const d = score[b]! - score[a]!;
    if (d !== 0) return d;
    if (secondary) {
      const e = secondary[b]! - secondary[a]!;
      if (e !== 0) return e;
    }
    return a - b;
  });
  return Int32Array.from(kept.slice(0, want));
};

/** The k-th largest value (1-based) of a; reorders a. Iterative quickselect with a median-of-three pivot. */
export function kthLargest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1; // index in descending order
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = a[lo]!,
      y = a[mid]!,
      z = a[hi]!;
    const pivot = x > y ? (y > z ? y : x > z ? z : x) : x > z ? x : y > z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target]!;
  }
  return a[target]!;
}
