/**
 * Partial selection: the k best of a candidate list without sorting all of it (a bounded min-heap,
 * O(m log k)). "Better" is a strict total order: higher score, then higher secondary, then lower index,
 * so the result never depends on candidate order or on the machine.
 */
export function topK(
  candidates: ArrayLike<number>,
  count: number,
  score: ArrayLike<number>,
  secondary: ArrayLike<number> | null,
  k: number,
): Int32Array {
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
}
