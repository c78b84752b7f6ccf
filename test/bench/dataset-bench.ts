import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelChoice, SegmentResult } from '../../src/model/api.js';
import { blendsFor, candidateGrid, EASE_MAX_PAIRS, LARGE_PAIRS, PRIOR_WEIGHTS } from '../../src/model/candidate-grid.js';
import { modelName, Ranker, type ModelConfig } from '../../src/model/candidates.js';
import type { Interactions } from '../../src/model/dataset.js';
import { segmentUsers, trainModel } from '../../src/model/index.js';
import { scorerParams, DEFAULT_HIDDEN_DIMENSION } from '../../src/model/train.js';
import { UserRanking } from '../../src/model/user-ranking.js';
import { bootstrapMeans, percentileInterval } from '../../src/eval/bootstrap.js';
import { notebookSplit, type Split } from './protocol.js';
import { references, REFERENCE_GRID } from './references.js';

/**
 * One data set under the seed notebook's protocol, side by side: every simple reference at its best setting on
 * the test split, segflow as served (trainModel, which chooses on its own validation split, then segmentUsers),
 * the validation figures of every candidate next to its figures on the test split, and 95% bootstrap intervals.
 */
export interface PerQuery {
  hits: Float64Array;
  recall: Float64Array;
}

export function perQuery(split: Split, rank: (item: number, k: number) => Int32Array): PerQuery {
  const n = split.queries.length;
  const out = { hits: new Float64Array(n), recall: new Float64Array(n) };
  split.queries.forEach((q, x) => {
    if (q.item < 0) return; // cold: a miss, as in the notebook
    const truth = new Set(q.truth);
    let h = 0;
    for (const u of rank(q.item, split.k)) if (truth.has(u)) h++;
    out.hits[x] = h;
    out.recall[x] = h / Math.min(q.truth.length, split.k);
  });
  return out;
}

const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

export function interval(v: Float64Array): string {
  const [s] = bootstrapMeans([v], 1000, 20111102);
  const ci = percentileInterval(s!);
  return ci ? `[${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}]` : '[]';
}

function line(name: string, p: PerQuery): string {
  return `  ${name.padEnd(44)} hits@1%=${mean(p.hits).toFixed(3)} ${interval(p.hits)}  recall@1%=${mean(p.recall).toFixed(4)} ${interval(p.recall)}`;
}

export async function benchDataset(name: string, events: Interactions, splitEpoch: number, scratch: string): Promise<void> {
  const split = notebookSplit(events, splitEpoch);
  console.log(
    `  events=${events.user.length} train=${split.train.user.length} users=${split.train.userIds.length} items=${split.train.itemIds.length} ` +
      `queries=${split.queries.length} (cold ${split.queries.filter((q) => q.item < 0).length}) k=${split.k}`,
  );
  const refs = references(split, REFERENCE_GRID);
  for (const r of refs) {
    const config: ModelConfig = { base: baseOf(r.best), priorWeight: 0, priorHalfLifeDays: 0 };
    const ranker = new Ranker(split.matrix, config);
    console.log(
      line(
        `${r.family} [best: ${r.best}]`,
        perQuery(split, (i, k) => ranker.rank(Int32Array.of(i), k, 'item')),
      ),
    );
    console.log(
      `      settings: ${r.all.map((a) => `${a.name} ${a.metrics.recall_at_1_percent.toFixed(4)}/${a.metrics.hits_at_1_percent.toFixed(3)}`).join(', ')}`,
    );
  }
  const csv = join(scratch, `${name}-train.csv`);
  writeFileSync(csv, split.trainCsv);
  const started = performance.now();
  const trained = await trainModel({ recipe: 'aws-item-affinity', interactionsCsv: csv, modelDir: join(scratch, `${name}-model`) });
  const trainSeconds = (performance.now() - started) / 1000;
  const results = await segmentUsers(
    join(scratch, `${name}-model`),
    split.queries.filter((q) => q.item >= 0).map((q) => ({ itemId: q.itemId })),
    split.k,
  );
  const byItem = new Map<string, SegmentResult>();
  split.queries.filter((q) => q.item >= 0).forEach((q, n) => byItem.set(q.itemId, results[n]!));
  const userIndex = new Map(split.train.userIds.map((u, k) => [u, k]));
  const served = perQuery(split, (i) => {
    const r = byItem.get(split.train.itemIds[i]!);
    return r && 'users' in r ? Int32Array.from(r.users, (u) => userIndex.get(u)!) : new Int32Array(0);
  });
  console.log(line(`segflow (chose ${trained.choice.chosen})`, served));
  console.log(`  training ${trainSeconds.toFixed(1)} s; ${trained.choice.description}`);
  printChoice(split, trained.choice);
}

/** Every candidate: its validation figures (inside training) beside its test figures. */
function printChoice(split: Split, choice: ModelChoice): void {
  const v = choice.validation;
  console.log(
    `  validation split inside training: from ${new Date(v.start * 1000).toISOString().slice(0, 10)}, ${v.trainRows} + ${v.validationRows} rows, ` +
      `${v.queries} queries, k=${v.k}${choice.note ? ` (${choice.note})` : ''}`,
  );
  for (const s of choice.skipped) console.log(`  skipped ${s.name}: ${s.reason}`);
  const rankings = new Map<number, UserRanking>();
  const configs = new Map<string, ModelConfig>();
  for (const pairs of [0, EASE_MAX_PAIRS + 1, LARGE_PAIRS + 1]) {
    const grid = candidateGrid('item', pairs, scorerParams(DEFAULT_HIDDEN_DIMENSION));
    for (const base of grid.bases) for (const b of blendsFor(base, PRIOR_WEIGHTS)) configs.set(modelName({ base, ...b }), { base, ...b });
  }
  console.log(`  ${'candidate'.padEnd(40)} validation recall/hits   test recall/hits`);
  for (const c of choice.candidates) {
    const config = configs.get(c.name);
    let test = '(unknown)';
    if (config) {
      const h = config.priorHalfLifeDays;
      if (!rankings.has(h)) rankings.set(h, new UserRanking(split.matrix, h));
      const ranker = new Ranker(split.matrix, config, rankings.get(h));
      const p = perQuery(split, (i, k) => ranker.rank(Int32Array.of(i), k, 'item'));
      test = `${mean(p.recall).toFixed(4)} / ${mean(p.hits).toFixed(3)}`;
    }
    const mark = c.name === choice.chosen ? '*' : ' ';
    console.log(`  ${mark}${c.name.padEnd(40)} ${c.recall.toFixed(4)} / ${c.hits.toFixed(3)}       ${test}`);
  }
}

function baseOf(name: string): ModelConfig['base'] {
  for (const { bases } of REFERENCE_GRID) for (const b of bases) if (modelName({ base: b, priorWeight: 0, priorHalfLifeDays: 0 }) === name) return b;
  throw new Error(`unknown reference ${name}`);
}
