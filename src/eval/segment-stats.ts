/**
 * The segments section of a report: sizes, reach, how many segments a user is in, and how much segments overlap,
 * from the delivered segments one at a time (a production run has millions of memberships). Overlap comes from
 * per-user membership counts in O(memberships): the users two segments share, summed over all pairs, is the sum
 * over users of c(c-1)/2. The most overlapping pairs need pair counts, kept only up to MAX_QUERIES_FOR_PAIRS.
 */
import type { BatchQuery } from '../data/artifacts.js';
import type { OverlapPair, SegmentSize, SegmentsSummary } from './report-types.js';
import { queryKey } from './segment-output.js';

export const MAX_QUERIES_FOR_PAIRS = 1000;
/** Pair counting costs sum over users of c(c-1)/2 increments; beyond this the top pairs are left out. */
const MAX_PAIR_WORK = 300_000_000;
const TOP_PAIRS = 10;

export class SegmentStats {
  private readonly userIndex = new Map<string, number>();
  private counts = new Uint32Array(1024);
  /** Per query: asked ones first (in batch input order), then answers to queries not asked, in output order. */
  private readonly sizes = new Map<string, SegmentSize>();
  private readonly askedKeys: Set<string> | undefined;
  private readonly errored = new Set<string>();
  private readonly answered: Array<{ query: BatchQuery; members?: Int32Array }> = [];
  private readonly answeredKeys = new Set<string>();
  private memberships = 0;

  /** `asked`: the queries of the batch input, in order; undefined when they are not known. */
  constructor(asked: readonly BatchQuery[] | undefined) {
    this.askedKeys = asked ? new Set(asked.map(queryKey)) : undefined;
    for (const q of asked ?? []) this.sizes.set(queryKey(q), { query: q, returned: 0, problem: 'no usable output line for this query' });
  }

  /**
   * A segment from the output, in output order. As in segments.csv, a query's first segment counts (a later line
   * for the same query is ignored) and replaces an earlier job error for it.
   */
  add(query: BatchQuery, users: readonly string[]): void {
    const key = queryKey(query);
    if (this.answeredKeys.has(key)) return;
    this.answeredKeys.add(key);
    this.errored.delete(key);
    this.record(key, { query, returned: users.length });
    const members = new Int32Array(users.length);
    users.forEach((u, i) => (members[i] = this.member(u)));
    this.memberships += users.length;
    this.answered.push({ query, ...(this.answered.length < MAX_QUERIES_FOR_PAIRS ? { members } : {}) });
  }

  /** The job's own per-line error for a query (counts unless the query has, or later gets, a segment). */
  addJobError(query: BatchQuery, error: string): void {
    const key = queryKey(query);
    if (this.answeredKeys.has(key) || this.errored.has(key)) return;
    this.errored.add(key);
    this.record(key, { query, returned: 0, problem: `the job reported an error: ${error}` });
  }

  private record(key: string, size: SegmentSize): void {
    this.sizes.set(key, this.askedKeys && !this.askedKeys.has(key) ? { ...size, notAsked: true } : size);
  }

  private member(user: string): number {
    let i = this.userIndex.get(user);
    if (i === undefined) {
      i = this.userIndex.size;
      this.userIndex.set(user, i);
      if (i >= this.counts.length) {
        const grown = new Uint32Array(this.counts.length * 2);
        grown.set(this.counts);
        this.counts = grown;
      }
    }
    this.counts[i]!++;
    return i;
  }

  summary(k: number, population: number | null): SegmentsSummary {
    const perQuery = [...this.sizes.values()];
    const sizes = perQuery.filter((q) => q.problem === undefined).map((q) => q.returned);
    const distinct = this.userIndex.size;
    const counts = this.counts.subarray(0, distinct);
    const pairs = (this.answered.length * (this.answered.length - 1)) / 2;
    let shared = 0;
    for (const c of counts) shared += (c * (c - 1)) / 2;
    return {
      k,
      queriesAsked: this.askedKeys ? this.askedKeys.size : null,
      answered: this.answered.length,
      jobErrors: this.errored.size,
      withoutOutput: perQuery.length - sizes.length - this.errored.size,
      short: sizes.filter((n) => n < k).length,
      size: sizeFigures(sizes),
      memberships: this.memberships,
      distinctUsers: distinct,
      population,
      reach: population ? distinct / population : null,
      membershipHistogram: histogram(counts),
      overlap: {
        pairs,
        meanPairwise: pairs > 0 ? shared / pairs / k : null,
        topPairs: this.answered.length <= MAX_QUERIES_FOR_PAIRS && shared <= MAX_PAIR_WORK ? this.topPairs(counts) : null,
        maxQueriesForPairs: MAX_QUERIES_FOR_PAIRS,
      },
      perQuery,
    };
  }

  /** Pair counts through each user's list of segments (CSR), then the TOP_PAIRS largest. */
  private topPairs(counts: Uint32Array): OverlapPair[] {
    const n = this.answered.length;
    const start = new Uint32Array(counts.length + 1);
    for (let u = 0; u < counts.length; u++) start[u + 1] = start[u]! + counts[u]!;
    const fill = start.slice(0, counts.length);
    const segmentsOf = new Uint32Array(start[counts.length]!);
    this.answered.forEach((a, q) => a.members!.forEach((u) => (segmentsOf[fill[u]!++] = q)));
    const together = new Uint32Array(n * n);
    for (let u = 0; u < counts.length; u++) {
      for (let i = start[u]!; i < start[u + 1]!; i++) {
        const row = segmentsOf[i]! * n;
        for (let j = i + 1; j < start[u + 1]!; j++) together[row + segmentsOf[j]!]!++;
      }
    }
    const best: Array<[number, number, number]> = [];
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        const s = together[a * n + b]!;
        if (s === 0 || (best.length === TOP_PAIRS && s <= best[TOP_PAIRS - 1]![2])) continue;
        best.push([a, b, s]);
        best.sort((x, y) => y[2] - x[2] || x[0] - y[0] || x[1] - y[1]);
        if (best.length > TOP_PAIRS) best.pop();
      }
    }
    return best.map(([a, b, s]) => {
      const A = this.answered[a]!;
      const B = this.answered[b]!;
      return { a: A.query, b: B.query, shared: s, jaccard: s / (A.members!.length + B.members!.length - s) };
    });
  }
}

function sizeFigures(sizes: number[]): SegmentsSummary['size'] {
  if (sizes.length === 0) return null;
  const sorted = [...sizes].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]!, mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

function histogram(counts: Uint32Array): SegmentsSummary['membershipHistogram'] {
  const by = new Map<number, number>();
  for (const c of counts) by.set(c, (by.get(c) ?? 0) + 1);
  return [...by].sort((a, b) => a[0] - b[0]).map(([segments, users]) => ({ segments, users }));
}
