import { join } from 'node:path';
import type { SegmentResult } from '../../src/model/api.js';
import { blendsFor, candidateGrid, PRIOR_WEIGHTS } from '../../src/model/candidate-grid.js';
import { modelName, Ranker, type ModelConfig } from '../../src/model/candidates.js';
import type { Interactions } from '../../src/model/dataset.js';
import { segmentUsers, trainModel } from '../../src/model/index.js';
import { buildMatrix } from '../../src/model/matrix.js';
import { evaluate, type EvalQuery } from '../../src/model/metrics.js';
import { DEFAULT_HIDDEN_DIMENSION, scorerParams } from '../../src/model/train.js';
import { UserRanking } from '../../src/model/user-ranking.js';
import { quoteAttributeValue } from '../../src/spec/attribute-expression.js';
import { interval } from './dataset-bench.js';

/**
 * Attribute affinity, side by side: queries `ITEMS.<column> = "<value>"`, truth = the test users who interacted
 * with any item carrying the value, k = 1% of train users. References: popularity and "users who interacted
 * with items having that value" (by count, and with a 90-day half-life); then segflow as served, and every
 * candidate's validation figures next to its test figures.
 */
export interface AttributeCase {
  name: string;
  train: Interactions;
  trainCsv: string;
  itemsCsv: string;
  column: string;
  /** Per value: the train item ids carrying it, and the test users (train user ids) who interacted with one. */
  values: Array<{ value: string; items: string[]; truth: string[] }>;
}

export async function benchAttributes(c: AttributeCase, scratch: string): Promise<void> {
  const { train } = c;
  const numUsers = train.userIds.length;
  const k = Math.max(1, Math.floor(numUsers / 100));
  const userIndex = new Map(train.userIds.map((u, x) => [u, x]));
  const itemIndex = new Map(train.itemIds.map((i, x) => [i, x]));
  const values = c.values.filter((v) => v.truth.length > 0);
  const queries: EvalQuery[] = values.map((v) => ({
    items: Int32Array.from(v.items.map((i) => itemIndex.get(i)).filter((i): i is number => i !== undefined)).sort(),
    truth: Int32Array.from(v.truth.map((u) => userIndex.get(u)!)).sort(),
  }));
  console.log(`  train=${train.user.length} users=${numUsers} values=${values.length} k=${k}`);
  const matrix = buildMatrix(numUsers, train.itemIds.length, train.user, train.item, train.time);
  const rankings = new Map<number, UserRanking>();
  const rankerFor = (config: ModelConfig) => {
    const h = config.priorHalfLifeDays;
    if (!rankings.has(h)) rankings.set(h, new UserRanking(matrix, h));
    return new Ranker(matrix, config, rankings.get(h));
  };
  const score = (config: ModelConfig) => {
    const ranker = rankerFor(config);
    return evaluate(numUsers, queries, (items, kk) => ranker.rank(items, kk, 'attribute'));
  };
  /** hits and recall with 95% bootstrap intervals over the value queries */
  const withIntervals = (name: string, rank: (q: EvalQuery, n: number) => Int32Array) => {
    const hits = new Float64Array(queries.length);
    const recall = new Float64Array(queries.length);
    queries.forEach((q, n) => {
      const truth = new Set(q.truth);
      for (const u of rank(q, n).subarray(0, k)) if (truth.has(u)) hits[n]!++;
      recall[n] = hits[n]! / Math.min(q.truth.length, k);
    });
    const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    console.log(`  ${name.padEnd(48)} hits@1%=${mean(hits).toFixed(2)} ${interval(hits)}  recall@1%=${mean(recall).toFixed(4)} ${interval(recall)}`);
  };
  const plain = (base: ModelConfig['base']): ModelConfig => ({ base, priorWeight: 0, priorHalfLifeDays: 0 });
  for (const [name, base] of [
    ['popularity (most active users)', { kind: 'activity' }],
    ['interacted with the value, by count', { kind: 'interacted', halfLifeDays: 0 }],
    ['interacted with the value, 90-day half-life', { kind: 'interacted', halfLifeDays: 90 }],
  ] as const) {
    const ranker = rankerFor(plain(base));
    withIntervals(name, (q) => ranker.rank(q.items, k, 'attribute'));
  }
  const modelDir = join(scratch, `${c.name}-model`);
  const started = performance.now();
  const trained = await trainModel({ recipe: 'aws-item-attribute-affinity', interactionsCsv: c.trainCsv, itemsCsv: c.itemsCsv, modelDir });
  const seconds = (performance.now() - started) / 1000;
  const results = await segmentUsers(
    modelDir,
    values.map((v) => ({ itemAttributes: `ITEMS.${c.column} = ${quoteAttributeValue(v.value)}` })),
    k,
  );
  const asRanking = (r: SegmentResult | undefined) => (r && 'users' in r ? Int32Array.from(r.users, (u) => userIndex.get(u)!) : new Int32Array(0));
  withIntervals(`segflow (chose ${trained.choice.chosen})`, (_q, x) => asRanking(results[x]));
  const v = trained.choice.validation;
  console.log(
    `  training ${seconds.toFixed(1)} s; validation inside training: ${v.queries} value queries, k=${v.k}${trained.choice.note ? ` (${trained.choice.note})` : ''}`,
  );
  const configs = new Map<string, ModelConfig>();
  const grid = candidateGrid('attribute', 0, scorerParams(DEFAULT_HIDDEN_DIMENSION));
  for (const base of grid.bases) for (const b of blendsFor(base, PRIOR_WEIGHTS)) configs.set(modelName({ base, ...b }), { base, ...b });
  console.log(`  ${'candidate'.padEnd(40)} validation recall/hits   test recall/hits`);
  for (const cand of trained.choice.candidates) {
    const config = configs.get(cand.name);
    const test = config ? score(config) : undefined;
    const t = test ? `${test.recall_at_1_percent.toFixed(4)} / ${test.hits_at_1_percent.toFixed(2)}` : '(unknown)';
    console.log(`  ${cand.name === trained.choice.chosen ? '*' : ' '}${cand.name.padEnd(40)} ${cand.recall.toFixed(4)} / ${cand.hits.toFixed(2)}       ${t}`);
  }
}
