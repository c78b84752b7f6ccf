/**
 * npm run bench:model — the local model's quality and speed (see docs/model.md for the figures):
 *  1. Online Retail, the seed notebook's protocol: hits@1% / recall@1% of the served model (trainModel +
 *     segmentUsers) next to the popularity and "users who bought it" baselines.
 *  2. Synthetic item attributes (segflow sample-data --items-out): attribute-affinity recall@1% against popularity.
 *  3. Seed scale (sample-data 5,074,160 reviews, prepared like the seed): training + a 500-query segment job,
 *     wall time and peak RSS, measured in a child process that does nothing else.
 * Heavy: run under `flock /tmp/segflow-heavy.lock`. SEGFLOW_BENCH_ONLY=retail|attributes|seed runs one part.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { segmentUsers, trainModel } from '../../src/model/index.js';
import { parseInteractions } from '../../src/model/dataset.js';
import { evaluate, type EvalQuery } from '../../src/model/metrics.js';
import { packageRoot } from '../../src/util/paths.js';
import { boughtItRanker, popularityRanker } from './baselines.js';
import { fmt, notebookSplit, score } from './protocol.js';
import { loadRetailEvents } from './retail-data.js';
import { prepareReviews, runSeedChild, sampleItemQueries } from './seed-scale.js';
import { buildMatrix } from '../../src/model/matrix.js';
import { readCsv } from '../../src/model/csv.js';
import { quoteAttributeValue } from '../../src/spec/attribute-expression.js';
import type { SegmentResult } from '../../src/model/api.js';

const SCRATCH = '/tmp/segflow-model-bench';

function asRanking(result: SegmentResult | undefined, userIndex: Map<string, number>): Int32Array {
  if (!result || 'error' in result) return new Int32Array(0);
  return Int32Array.from(result.users, (u) => userIndex.get(u) ?? -1);
}

async function retail() {
  console.log('== Online Retail (notebook protocol: split 2011-11-02, warm users, 500 sampled test items)');
  const events = await loadRetailEvents(join(packageRoot, 'examples/data/online-retail.csv.gz'), SCRATCH);
  const split = notebookSplit(events, Date.parse('2011-11-02T00:00:00Z') / 1000);
  console.log(
    `  events=${events.user.length} train=${split.train.user.length} test=${split.testRows} users=${split.train.userIds.length} ` +
      `items=${split.train.itemIds.length} queries=${split.queries.length} k=${split.k}`,
  );
  console.log(fmt('popularity (most active users)', score(split, popularityRanker(split.matrix))));
  console.log(fmt('users who bought it, then activity', score(split, boughtItRanker(split.matrix))));
  const csv = join(SCRATCH, 'retail-train.csv');
  writeFileSync(csv, split.trainCsv);
  const modelDir = join(SCRATCH, 'retail-model');
  const trained = await trainModel({ recipe: 'aws-item-affinity', interactionsCsv: csv, modelDir });
  const results = await segmentUsers(modelDir, split.queries.map((q) => ({ itemId: q.itemId })), split.k);
  const userIndex = new Map(split.train.userIds.map((u, k) => [u, k]));
  const byItem = new Map(split.queries.map((q, n) => [q.itemId, results[n]]));
  console.log(fmt('segflow model', score(split, (i) => asRanking(byItem.get(split.train.itemIds[i]!), userIndex))));
  console.log(`  solution metrics (Personalize protocol, on the train file): ${JSON.stringify(trained.metrics)}`);
  console.log(`  choice: ${JSON.stringify(trained.choice)}`);
}

/**
 * The sample-data items file (asin,title,brand,category; category '|' separated from the top level down) as a
 * Personalize items CSV (ITEM_ID,CATEGORY) without the top level, which every item shares.
 */
function personalizeItems(sampleItems: string, out: string): Map<string, string[]> {
  const categories = new Map<string, string[]>();
  const lines = ['ITEM_ID,CATEGORY'];
  let idCol = -1;
  let catCol = -1;
  readCsv(readFileSync(sampleItems, 'utf8'), (f) => {
    const values = f[catCol]!.split('|').slice(1);
    categories.set(f[idCol]!, values);
    lines.push(`${f[idCol]},"${values.join('|').replace(/"/g, '""')}"`);
  }, (h) => {
    idCol = h.indexOf('asin');
    catCol = h.indexOf('category');
  });
  writeFileSync(out, lines.join('\n') + '\n');
  return categories;
}

async function attributes() {
  console.log('== Synthetic item attributes (segflow sample-data --reviews 1000000 --seed 7 --items-out; split 2018-02-01)');
  const prep = await prepareReviews(SCRATCH, 'attr', 1_000_000, 7, true);
  const itemsCsv = join(SCRATCH, 'attr-items-personalize.csv');
  const categoryOf = personalizeItems(prep.itemsCsv!, itemsCsv);
  const train = parseInteractions(readFileSync(prep.trainCsv, 'utf8'));
  const userIndex = new Map(train.userIds.map((u, k) => [u, k]));
  // ground truth: warm test users who interacted with any item carrying the category
  const truth = new Map<string, Set<number>>();
  for (const [item, users] of prep.truth) {
    for (const c of categoryOf.get(item) ?? []) {
      let set = truth.get(c);
      if (!set) truth.set(c, (set = new Set()));
      for (const u of users) set.add(userIndex.get(u)!);
    }
  }
  const cats = [...truth.keys()].sort();
  const queries: EvalQuery[] = cats.map((c) => ({ items: new Int32Array(0), truth: Int32Array.from(truth.get(c)!).sort() }));
  const numUsers = train.userIds.length;
  const k = prep.k;
  console.log(`  train=${prep.trainRows} users=${numUsers} items=${prep.items} category queries=${cats.length} k=${k}`);
  const matrix = buildMatrix(numUsers, train.itemIds.length, train.user, train.item, train.time);
  const pop = popularityRanker(matrix);
  const popM = evaluate(numUsers, queries, () => pop(0, k));
  console.log(fmt('popularity (most active users)', popM));
  const modelDir = join(SCRATCH, 'attr-model');
  const trained = await trainModel({ recipe: 'aws-item-attribute-affinity', interactionsCsv: prep.trainCsv, itemsCsv, modelDir });
  const results = await segmentUsers(modelDir, cats.map((c) => ({ itemAttributes: `ITEMS.CATEGORY = ${quoteAttributeValue(c)}` })), k);
  let n = 0;
  const m = evaluate(numUsers, queries, () => asRanking(results[n++], userIndex));
  console.log(fmt('segflow model', m));
  console.log(`  recall ratio model / popularity: ${(m.recall_at_1_percent / popM.recall_at_1_percent).toFixed(2)}`);
  console.log(`  solution metrics (Personalize protocol): ${JSON.stringify(trained.metrics)}`);
}

async function seed() {
  console.log('== Seed scale (segflow sample-data --reviews 5074160, seed preparation, split 2018-02-01)');
  const prep = await prepareReviews(SCRATCH, 'seed', 5_074_160, 7, false);
  const picked = sampleItemQueries(prep);
  const queriesJson = join(SCRATCH, 'seed-queries.json');
  const resultsJson = join(SCRATCH, 'seed-results.json');
  writeFileSync(queriesJson, JSON.stringify(picked.map((q) => ({ itemId: q.itemId }))));
  console.log(`  train rows=${prep.trainRows} users=${prep.users} items=${prep.items} queries=${picked.length} numResults=${prep.k}`);
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, [self, '--seed-child', prep.trainCsv, queriesJson, String(prep.k), resultsJson], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const child = JSON.parse(out) as { trainSeconds: number; segmentSeconds: number; peakRssMiB: number; metrics: unknown };
  console.log(`  training ${child.trainSeconds.toFixed(1)} s, 500-query segmentation ${child.segmentSeconds.toFixed(1)} s, ` +
    `total ${(child.trainSeconds + child.segmentSeconds).toFixed(1)} s, peak RSS ${child.peakRssMiB.toFixed(0)} MiB`);
  console.log(`  solution metrics: ${JSON.stringify(child.metrics)}`);
  // quality on the synthetic holdout, next to the baselines
  const train = parseInteractions(readFileSync(prep.trainCsv, 'utf8'));
  const userIndex = new Map(train.userIds.map((u, k) => [u, k]));
  const queries: EvalQuery[] = picked.map((q) => ({ items: new Int32Array(0), truth: Int32Array.from(q.truth, (u) => userIndex.get(u)!).sort() }));
  const results = JSON.parse(readFileSync(resultsJson, 'utf8')) as SegmentResult[];
  let n = 0;
  console.log(fmt('segflow model', evaluate(train.userIds.length, queries, () => asRanking(results[n++], userIndex))));
  const matrix = buildMatrix(train.userIds.length, train.itemIds.length, train.user, train.item, train.time);
  const pop = popularityRanker(matrix);
  console.log(fmt('popularity (most active users)', evaluate(train.userIds.length, queries, () => pop(0, prep.k))));
  const bought = boughtItRanker(matrix);
  const itemIndex = new Map(train.itemIds.map((id, k) => [id, k]));
  let q = 0;
  console.log(
    fmt('users who bought it, then activity', evaluate(train.userIds.length, queries, () => {
      const i = itemIndex.get(picked[q++]!.itemId);
      return i === undefined ? new Int32Array(0) : bought(i, prep.k);
    })),
  );
}

async function main() {
  if (process.env.NODE_TEST_CONTEXT) return; // never as part of `node --test`
  const argv = process.argv.slice(2);
  if (argv[0] === '--seed-child') {
    await runSeedChild(argv[1]!, argv[2]!, Number(argv[3]), argv[4]!);
    return;
  }
  mkdirSync(SCRATCH, { recursive: true });
  const only = process.env.SEGFLOW_BENCH_ONLY;
  if (!only || only === 'retail') await retail();
  if (!only || only === 'attributes') await attributes();
  if (!only || only === 'seed') await seed();
}

void main();
