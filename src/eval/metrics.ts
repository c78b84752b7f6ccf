/**
 * The seed notebook's holdout metrics, exactly: for one query with ground truth T and a ranked segment,
 *   hit    = |top-K ∩ T|
 *   recall = hit / min(|T|, K)
 * and the reported figures are plain means over queries. A cutoff K' smaller than the segment size takes the first
 * K' users of the same ranked list.
 */

/** The notebook's get_hit_recall_k for one query. `truth` must be non-empty (recall is undefined otherwise). */
export function hitRecallAtK(ranked: readonly string[], truth: ReadonlySet<string>, k: number): { hit: number; recall: number } {
  if (truth.size === 0) throw new Error('hitRecallAtK: empty ground truth');
  const top = new Set(ranked.slice(0, k));
  let hit = 0;
  for (const u of top) if (truth.has(u)) hit++;
  return { hit, recall: hit / Math.min(truth.size, k) };
}

/**
 * 0-based ranks (ascending, all < k) at which a ranked list meets the truth. hits@k' for any k' <= k is then the
 * number of ranks below k', which is how one pass serves every cutoff and the recall curve.
 */
export function hitRanks(ranked: readonly string[], truth: ReadonlySet<string>, k: number): number[] {
  const ranks: number[] = [];
  const n = Math.min(ranked.length, k);
  for (let r = 0; r < n; r++) if (truth.has(ranked[r]!)) ranks.push(r);
  return ranks;
}

export function hitsAt(ranks: readonly number[], k: number): number {
  // ranks are ascending and few (at most |truth|): a linear scan is the simplest correct thing
  let n = 0;
  for (const r of ranks) {
    if (r >= k) break;
    n++;
  }
  return n;
}

export function recallFromHits(hits: number, truthSize: number, k: number): number {
  return hits / Math.min(truthSize, k);
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

export interface Cutoff {
  k: number;
  label: string;
}

export const CUTOFF_FRACTIONS: ReadonlyArray<{ fraction: number; label: string }> = [
  { fraction: 0.005, label: '0.5%' },
  { fraction: 0.01, label: '1%' },
  { fraction: 0.02, label: '2%' },
  { fraction: 0.05, label: '5%' },
];

/** floor(fraction x users), at least 1; the epsilon keeps 0.29 * 100 from flooring to 28. */
export function usersAtFraction(fraction: number, users: number): number {
  return Math.max(1, Math.floor(fraction * users + 1e-9));
}

/**
 * The cutoffs reported: 0.5%, 1%, 2%, 5% of train users where the segment is long enough (K' <= K), and K itself,
 * ascending and without repeats (when K equals a fraction's cutoff the label says both, e.g. "1% (K)").
 */
export function cutoffsFor(trainUsers: number, k: number): Cutoff[] {
  const byK = new Map<number, string>();
  for (const { fraction, label } of CUTOFF_FRACTIONS) {
    const kk = usersAtFraction(fraction, trainUsers);
    if (kk <= k && !byK.has(kk)) byK.set(kk, label);
  }
  const atK = byK.get(k);
  byK.set(k, atK === undefined ? 'K' : `${atK} (K)`);
  return [...byK.entries()].sort((a, b) => a[0] - b[0]).map(([kk, label]) => ({ k: kk, label }));
}

/** Cutoffs for the recall curve: every reported cutoff plus about `steps` evenly spaced points in 1..K. */
export function curveCutoffs(k: number, reported: readonly Cutoff[], steps = 24): number[] {
  const ks = new Set<number>([1, k, ...reported.map((c) => c.k)]);
  for (let i = 1; i <= steps; i++) ks.add(Math.max(1, Math.round((k * i) / steps)));
  return [...ks].filter((x) => x >= 1 && x <= k).sort((a, b) => a - b);
}
