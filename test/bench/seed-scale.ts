import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SegmentResult } from '../../src/model/api.js';
import { parseInteractions } from '../../src/model/dataset.js';
import { buildMatrix } from '../../src/model/matrix.js';
import { evaluate, type EvalQuery } from '../../src/model/metrics.js';
import { boughtItRanker, popularityRanker } from './baselines.js';
import { fmt } from './protocol.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateSampleData } from '../../src/data/sample-data.js';
import { segmentUsers, trainModel } from '../../src/model/index.js';
import { sample } from '../../src/model/metrics.js';

/**
 * Review-shaped workloads from `segflow sample-data` (src/data/sample-data.ts), prepared as the seed article does:
 * dedupe (user, item, time), users with > 3 interactions, train < 2018-02-01 <= test, warm test users.
 * 5,074,160 reviews is the seed scale. Everything is cached under the scratch directory by name.
 */
const SPLIT = Date.parse('2018-02-01T00:00:00Z') / 1000;

export interface ReviewsPrep {
  trainCsv: string;
  itemsCsv?: string;
  /** Warm test users per item id. */
  truth: Map<string, string[]>;
  k: number;
  trainRows: number;
  users: number;
  items: number;
}

export async function prepareReviews(scratch: string, name: string, reviews: number, seed: number, withItems: boolean): Promise<ReviewsPrep> {
  const source = join(scratch, `${name}-reviews.json.gz`);
  const itemsCsv = withItems ? join(scratch, `${name}-items.csv`) : undefined;
  if (!existsSync(source) || (itemsCsv && !existsSync(itemsCsv))) {
    await generateSampleData({ out: source, reviews, seed, ...(itemsCsv ? { itemsOut: itemsCsv } : {}) });
  }
  const trainCsv = join(scratch, `${name}-train.csv`);
  const truthCsv = join(scratch, `${name}-truth.csv`);
  const statsJson = join(scratch, `${name}-stats.json`);
  if (!existsSync(statsJson)) {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    await con.run(`
      CREATE TABLE ev AS
        SELECT DISTINCT reviewerID AS USER_ID, asin AS ITEM_ID, unixReviewTime AS TIMESTAMP
        FROM read_json('${source}', format = 'newline_delimited',
                       columns = {reviewerID: 'VARCHAR', asin: 'VARCHAR', unixReviewTime: 'BIGINT'});
      CREATE TABLE ev4 AS SELECT * FROM ev WHERE USER_ID IN (SELECT USER_ID FROM ev GROUP BY USER_ID HAVING count(*) > 3);
      CREATE TABLE tr AS SELECT * FROM ev4 WHERE TIMESTAMP < ${SPLIT};
      COPY (SELECT * FROM tr ORDER BY USER_ID, TIMESTAMP, ITEM_ID) TO '${trainCsv}' (HEADER, DELIMITER ',');
      COPY (SELECT DISTINCT ITEM_ID, USER_ID FROM ev4 WHERE TIMESTAMP >= ${SPLIT}
              AND USER_ID IN (SELECT USER_ID FROM tr) ORDER BY ITEM_ID, USER_ID) TO '${truthCsv}' (HEADER, DELIMITER ',');`);
    const reader = await con.runAndReadAll(`SELECT count(*)::INTEGER, count(DISTINCT USER_ID)::INTEGER, count(DISTINCT ITEM_ID)::INTEGER FROM tr`);
    const [rows, users, items] = reader.getRows()[0] as number[];
    con.closeSync();
    writeFileSync(statsJson, JSON.stringify({ trainRows: rows, users, items }));
  }
  const stats = JSON.parse(readFileSync(statsJson, 'utf8')) as { trainRows: number; users: number; items: number };
  const truth = new Map<string, string[]>();
  for (const line of readFileSync(truthCsv, 'utf8').trim().split('\n').slice(1)) {
    const [item, user] = line.split(',') as [string, string];
    let list = truth.get(item);
    if (!list) truth.set(item, (list = []));
    list.push(user);
  }
  return { trainCsv, ...(itemsCsv ? { itemsCsv } : {}), truth, k: Math.max(1, Math.floor(stats.users / 100)), ...stats };
}

/** The 500 test items of the seed workload (sampled with the fixed seed). */
export function sampleItemQueries(prep: ReviewsPrep): Array<{ itemId: string; truth: string[] }> {
  return sample([...prep.truth.keys()].sort(), 500).map((itemId) => ({ itemId, truth: prep.truth.get(itemId)! }));
}

/** In a fresh process: train, segment the queries, report wall times and the process's peak RSS as JSON. */
export async function runSeedChild(trainCsv: string, queriesJson: string, k: number, resultsJson: string, selectModel: boolean): Promise<void> {
  const modelDir = join(trainCsv, '..', `seed-model-${selectModel ? 'chosen' : 'today'}`);
  const queries = JSON.parse(readFileSync(queriesJson, 'utf8')) as Array<{ itemId: string }>;
  const t0 = performance.now();
  const trained = await trainModel({ recipe: 'aws-item-affinity', interactionsCsv: trainCsv, modelDir, selectModel });
  const t1 = performance.now();
  const results = await segmentUsers(modelDir, queries, k);
  const t2 = performance.now();
  writeFileSync(resultsJson, JSON.stringify(results));
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    JSON.stringify({ trainSeconds: (t1 - t0) / 1000, segmentSeconds: (t2 - t1) / 1000, peakRssMiB, metrics: trained.metrics, choice: trained.choice }) + '\n',
  );
}

interface ChildOutput {
  trainSeconds: number;
  segmentSeconds: number;
  peakRssMiB: number;
  metrics: unknown;
  choice: { chosen: string; validation: { queries: number }; candidates: unknown[] };
}

/**
 * Today's model (no validation contest) and the chosen model, each trained and segmented in a fresh child process,
 * alternately over SEGFLOW_SEED_ROUNDS rounds (default 2) so the shared machine's noise hits both alike; then
 * their quality on the synthetic holdout next to popularity and "users who bought it".
 */
export async function seedSideBySide(scratch: string, self: URL): Promise<void> {
  const prep = await prepareReviews(scratch, 'seed', 5_074_160, 7, false);
  const picked = sampleItemQueries(prep);
  const queriesJson = join(scratch, 'seed-queries.json');
  writeFileSync(queriesJson, JSON.stringify(picked.map((q) => ({ itemId: q.itemId }))));
  console.log(`  train rows=${prep.trainRows} users=${prep.users} items=${prep.items} queries=${picked.length} numResults=${prep.k}`);
  const rounds = Number(process.env.SEGFLOW_SEED_ROUNDS ?? 2);
  const runs: Record<'today' | 'chosen', ChildOutput[]> = { today: [], chosen: [] };
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['today', 'chosen'] as const) {
      const resultsJson = join(scratch, `seed-results-${mode}.json`);
      const out = execFileSync(
        process.execPath,
        [fileURLToPath(self), '--seed-child', prep.trainCsv, queriesJson, String(prep.k), resultsJson, String(mode === 'chosen')],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const child = JSON.parse(out) as ChildOutput;
      runs[mode].push(child);
      console.log(
        `  round ${r + 1} ${mode.padEnd(6)} train ${child.trainSeconds.toFixed(1)} s + segment ${child.segmentSeconds.toFixed(1)} s = ` +
          `${(child.trainSeconds + child.segmentSeconds).toFixed(1)} s, peak RSS ${child.peakRssMiB.toFixed(0)} MiB` +
          (mode === 'chosen' ? `, chose ${child.choice.chosen} on ${child.choice.validation.queries} validation queries` : ''),
      );
    }
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const total = (c: ChildOutput) => c.trainSeconds + c.segmentSeconds;
  const [t, c] = [median(runs.today.map(total)), median(runs.chosen.map(total))];
  const [rt, rc] = [Math.max(...runs.today.map((x) => x.peakRssMiB)), Math.max(...runs.chosen.map((x) => x.peakRssMiB))];
  console.log(
    `  median total: today ${t.toFixed(1)} s, chosen ${c.toFixed(1)} s, ratio ${(c / t).toFixed(2)} (limit 2.00); peak RSS ${rt.toFixed(0)} / ${rc.toFixed(0)} MiB (limit 3072)`,
  );
  const train = parseInteractions(readFileSync(prep.trainCsv, 'utf8'));
  const userIndex = new Map(train.userIds.map((u, k) => [u, k]));
  const queries: EvalQuery[] = picked.map((q) => ({ items: new Int32Array(0), truth: Int32Array.from(q.truth, (u) => userIndex.get(u)!).sort() }));
  for (const mode of ['today', 'chosen'] as const) {
    const results = JSON.parse(readFileSync(join(scratch, `seed-results-${mode}.json`), 'utf8')) as SegmentResult[];
    let n = 0;
    const ranking = (r: SegmentResult | undefined) => (r && 'users' in r ? Int32Array.from(r.users, (u) => userIndex.get(u) ?? -1) : new Int32Array(0));
    console.log(
      fmt(
        `segflow ${mode}`,
        evaluate(train.userIds.length, queries, () => ranking(results[n++])),
      ),
    );
  }
  const matrix = buildMatrix(train.userIds.length, train.itemIds.length, train.user, train.item, train.time);
  const pop = popularityRanker(matrix);
  console.log(
    fmt(
      'popularity (most active users)',
      evaluate(train.userIds.length, queries, () => pop(0, prep.k)),
    ),
  );
  const bought = boughtItRanker(matrix);
  const itemIndex = new Map(train.itemIds.map((id, k) => [id, k]));
  let q = 0;
  console.log(
    fmt(
      'users who bought it, then activity',
      evaluate(train.userIds.length, queries, () => {
        const i = itemIndex.get(picked[q++]!.itemId);
        return i === undefined ? new Int32Array(0) : bought(i, prep.k);
      }),
    ),
  );
}
