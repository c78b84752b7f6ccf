/**
 * The baselines a segmentation model has to beat, computed locally on the same queries and ground truth.
 *
 * - popularity: the K most active train users (most interactions in interactions.csv), the same segment for every
 *   query; ties broken by user id in ascending code-unit order, so the ranking is deterministic.
 * - random: a uniformly random segment of K train users, reported as its exact expected value rather than one
 *   seeded draw: E[hits@k] = |truth ∩ train users| * k / train users, E[recall@k] = E[hits@k] / min(|truth|, k).
 */

/** The top `k` users by activity (descending count, then ascending id). */
export function mostActiveUsers(counts: ReadonlyMap<string, number>, k: number): string[] {
  if (k <= 0 || counts.size === 0) return [];
  // Find the count threshold that admits at least k users, then sort only those candidates: the full population
  // can be millions of users while k is a few thousand.
  const histogram = new Map<number, number>();
  for (const n of counts.values()) histogram.set(n, (histogram.get(n) ?? 0) + 1);
  const levels = [...histogram.keys()].sort((a, b) => b - a);
  let admitted = 0;
  let threshold = levels[levels.length - 1]!;
  for (const level of levels) {
    admitted += histogram.get(level)!;
    if (admitted >= k) {
      threshold = level;
      break;
    }
  }
  const candidates: Array<[string, number]> = [];
  for (const [u, n] of counts) if (n >= threshold) candidates.push([u, n]);
  candidates.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return candidates.slice(0, k).map(([u]) => u);
}

/** Expected hits of a uniformly random k-subset of `trainUsers` users, for a truth with `warmTruth` train users. */
export function randomExpectedHits(warmTruth: number, k: number, trainUsers: number): number {
  if (trainUsers <= 0) return 0;
  return (warmTruth * Math.min(k, trainUsers)) / trainUsers;
}

/**
 * Expected coverage of random segments of k users for q queries: each user is missed by one query with
 * probability 1 - k/N, independently across queries.
 */
export function randomExpectedCoverage(queries: number, k: number, trainUsers: number): number {
  if (trainUsers <= 0 || queries === 0) return 0;
  return 1 - Math.pow(1 - Math.min(k, trainUsers) / trainUsers, queries);
}
