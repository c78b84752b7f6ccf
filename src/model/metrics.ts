import type { SolutionMetrics } from './api.js';
import { mulberry32 } from '../util/prng.js';
import type { Interactions, ItemAttributes } from './dataset.js';
import { buildMatrix } from './matrix.js';
import { Ranker, type ModelConfig } from './candidates.js';

/**
 * Solution metrics as Personalize documents them for USER_SEGMENTATION (see docs/model.md):
 * each user's latest 20% of interactions are held out, the model is trained on the rest, and for sampled
 * held-out queries the top 1% of users is compared with the users who really interacted in the held-out part.
 */
export const HOLDOUT_FRACTION = 0.2;
export const MAX_ITEM_QUERIES = 500;
export const MAX_ATTRIBUTE_QUERIES = 100;
export const QUERY_SEED = 10;

/** Marks the rows kept for training: per user, the latest ceil(20% of n) rows (n >= 2) are held out. */
export function holdoutMask(data: Interactions, numUsers: number): Uint8Array {
  const n = data.user.length;
  const start = new Int32Array(numUsers + 1);
  for (let r = 0; r < n; r++) start[data.user[r]! + 1]!++;
  for (let u = 0; u < numUsers; u++) start[u + 1]! += start[u]!;
  const fill = start.slice(0, numUsers);
  const rows = new Int32Array(n);
  for (let r = 0; r < n; r++) rows[fill[data.user[r]!]!++] = r;
  const keep = new Uint8Array(n).fill(1);
  const byTime = (a: number, b: number) => data.time[a]! - data.time[b]! || data.item[a]! - data.item[b]! || a - b;
  for (let u = 0; u < numUsers; u++) {
    const count = start[u + 1]! - start[u]!;
    if (count < 2) continue;
    const own = Array.from(rows.subarray(start[u], start[u + 1])).sort(byTime);
    const held = Math.ceil(count * HOLDOUT_FRACTION);
    for (let k = count - held; k < count; k++) keep[own[k]!] = 0;
  }
  return keep;
}

/** Deterministic sample of up to max values (Fisher-Yates on a copy, seeded). */
export function sample<T>(values: T[], max: number, seed = QUERY_SEED): T[] {
  const a = values.slice();
  const rand = mulberry32(seed);
  for (let k = a.length - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [a[k], a[j]] = [a[j]!, a[k]!];
  }
  return a.slice(0, max);
}

export interface EvalQuery {
  /** Train item indices the query stands for (ascending). */
  items: Int32Array;
  /** Held-out users (ascending). */
  truth: Int32Array;
}

/** hits/recall at k and coverage for ranked queries; k = max(1, floor(users / 100)). */
export function evaluate(
  numUsers: number,
  queries: EvalQuery[],
  rank: (items: Int32Array, k: number) => Int32Array,
  onQuery?: (done: number) => void,
): SolutionMetrics {
  const k = Math.max(1, Math.floor(numUsers / 100));
  const seen = new Uint8Array(numUsers);
  const isTruth = new Uint8Array(numUsers);
  let hits = 0;
  let recall = 0;
  queries.forEach((q, n) => {
    const top = rank(q.items, k);
    for (const u of q.truth) isTruth[u] = 1;
    let h = 0;
    for (const u of top) {
      seen[u] = 1;
      h += isTruth[u]!;
    }
    for (const u of q.truth) isTruth[u] = 0;
    hits += h;
    recall += h / Math.min(q.truth.length, k);
    onQuery?.(n + 1);
  });
  let covered = 0;
  for (let u = 0; u < numUsers; u++) covered += seen[u]!;
  const nq = Math.max(1, queries.length);
  return {
    coverage: round(covered / Math.max(1, numUsers)),
    hits_at_1_percent: round(hits / nq),
    recall_at_1_percent: round(recall / nq),
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Held-out queries: one per held-out item known to training, or per held-out (attribute, value) pair. */
export function holdoutQueries(
  data: Interactions,
  keep: Uint8Array,
  trainPop: (i: number) => number,
  attrs?: ItemAttributes,
  maxItemQueries = MAX_ITEM_QUERIES,
): EvalQuery[] {
  const truthByItem = new Map<number, Set<number>>();
  for (let r = 0; r < keep.length; r++) {
    if (keep[r]) continue;
    const i = data.item[r]!;
    let s = truthByItem.get(i);
    if (!s) truthByItem.set(i, (s = new Set()));
    s.add(data.user[r]!);
  }
  const sorted = (s: Iterable<number>) => Int32Array.from(s).sort();
  if (!attrs) {
    const items = [...truthByItem.keys()].filter((i) => trainPop(i) > 0).sort((a, b) => a - b);
    return sample(items, maxItemQueries).map((i) => ({ items: Int32Array.of(i), truth: sorted(truthByItem.get(i)!) }));
  }
  // Attribute queries: every (column, value) that a held-out item carries.
  const valueItems = new Map<string, number[]>();
  attrs.columns.forEach((_, c) => {
    attrs.values[c]!.forEach((raw, i) => {
      if (raw === '') return;
      for (const v of new Set(raw.split('|'))) {
        const key = `${c}\u0000${v}`;
        let list = valueItems.get(key);
        if (!list) valueItems.set(key, (list = []));
        list.push(i);
      }
    });
  });
  const keys = [...valueItems.keys()].filter((key) => valueItems.get(key)!.some((i) => truthByItem.has(i))).sort();
  return sample(keys, MAX_ATTRIBUTE_QUERIES).flatMap((key) => {
    const items = valueItems.get(key)!;
    const truth = new Set<number>();
    for (const i of items) for (const u of truthByItem.get(i) ?? []) truth.add(u);
    const known = items.filter((i) => trainPop(i) > 0);
    return known.length > 0 ? [{ items: Int32Array.from(known), truth: sorted(truth) }] : [];
  });
}

/** The full protocol: hold out, train the served model's configuration on the rest, evaluate. */
export function solutionMetrics(data: Interactions, config: ModelConfig, attrs?: ItemAttributes, onProgress?: (fraction: number) => void): SolutionMetrics {
  const numUsers = data.userIds.length;
  const keep = holdoutMask(data, numUsers);
  const m = buildMatrix(numUsers, data.itemIds.length, data.user, data.item, data.time, keep);
  const queries = holdoutQueries(data, keep, (i) => m.itemPtr[i + 1]! - m.itemPtr[i]!, attrs);
  const ranker = new Ranker(m, config);
  const kind = attrs ? 'attribute' : 'item';
  return evaluate(
    numUsers,
    queries,
    (items, k) => ranker.rank(items, k, kind),
    (done) => onProgress?.(done / queries.length),
  );
}
