import { parseInteractions, type Interactions } from '../../src/model/dataset.js';
import { buildMatrix, type Matrix } from '../../src/model/matrix.js';
import { evaluate, sample, type EvalQuery } from '../../src/model/metrics.js';
import type { SolutionMetrics } from '../../src/model/api.js';

/**
 * The seed notebook's evaluation protocol, over already cleaned events (deduped, users with > 3 interactions):
 * train < split <= test, test restricted to warm users, ground truth = test users per item, 500 sampled test
 * items (cold ones count as misses), k = train users // 100.
 */
export interface Split {
  trainCsv: string;
  train: Interactions;
  matrix: Matrix;
  /** Sampled test items by id, with their truth (user ids) and train index (-1 when cold). */
  queries: Array<{ itemId: string; item: number; truthIds: string[]; truth: Int32Array }>;
  k: number;
  testRows: number;
}

export function notebookSplit(events: Interactions, splitEpoch: number, samples = 500, seed = 10): Split {
  const lines = ['USER_ID,ITEM_ID,TIMESTAMP'];
  const n = events.user.length;
  for (let r = 0; r < n; r++) {
    if (events.time[r]! < splitEpoch) lines.push(`${events.userIds[events.user[r]!]},${events.itemIds[events.item[r]!]},${events.time[r]}`);
  }
  const trainCsv = lines.join('\n') + '\n';
  const train = parseInteractions(trainCsv);
  const userIndex = new Map(train.userIds.map((u, k) => [u, k]));
  const itemIndex = new Map(train.itemIds.map((i, k) => [i, k]));
  const truth = new Map<string, Set<string>>();
  let testRows = 0;
  for (let r = 0; r < n; r++) {
    if (events.time[r]! < splitEpoch) continue;
    const u = events.userIds[events.user[r]!]!;
    if (!userIndex.has(u)) continue;
    testRows++;
    const i = events.itemIds[events.item[r]!]!;
    let s = truth.get(i);
    if (!s) truth.set(i, (s = new Set()));
    s.add(u);
  }
  const picked = sample([...truth.keys()].sort(), samples, seed);
  const queries = picked.map((itemId) => {
    const truthIds = [...truth.get(itemId)!].sort();
    return {
      itemId,
      item: itemIndex.get(itemId) ?? -1,
      truthIds,
      truth: Int32Array.from(truthIds, (u) => userIndex.get(u)!).sort(),
    };
  });
  const matrix = buildMatrix(train.userIds.length, train.itemIds.length, train.user, train.item, train.time);
  return { trainCsv, train, matrix, queries, k: Math.floor(train.userIds.length / 100), testRows };
}

/** hits/recall/coverage of a ranker on a split (cold items get an empty ranking). */
export function score(split: Split, rank: (item: number, k: number) => Int32Array): SolutionMetrics {
  const qs: EvalQuery[] = split.queries.map((q) => ({ items: Int32Array.of(q.item), truth: q.truth }));
  const k = split.k;
  return evaluate(split.train.userIds.length, qs, (items) => (items[0]! < 0 ? new Int32Array(0) : rank(items[0]!, k)));
}

export function fmt(name: string, m: SolutionMetrics): string {
  return `  ${name.padEnd(34)} hits@1%=${m.hits_at_1_percent.toFixed(3)}  recall@1%=${m.recall_at_1_percent.toFixed(4)}  coverage=${m.coverage.toFixed(4)}`;
}

/** The notebook's cleaning on already parsed events: drop duplicate (user, item, time), keep users with > 3. */
export function cleanEvents(events: Interactions): Interactions {
  const n = events.user.length;
  const seen = new Set<string>();
  const keep = new Uint8Array(n);
  const perUser = new Int32Array(events.userIds.length);
  for (let r = 0; r < n; r++) {
    const key = `${events.user[r]},${events.item[r]},${events.time[r]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    keep[r] = 1;
    perUser[events.user[r]!]!++;
  }
  const rows = [...keep.keys()].filter((r) => keep[r] && perUser[events.user[r]!]! > 3);
  return {
    userIds: events.userIds,
    itemIds: events.itemIds,
    user: Int32Array.from(rows, (r) => events.user[r]!),
    item: Int32Array.from(rows, (r) => events.item[r]!),
    time: Float64Array.from(rows, (r) => events.time[r]!),
  };
}
