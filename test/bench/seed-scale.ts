import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
    const reader = await con.runAndReadAll(
      `SELECT count(*)::INTEGER, count(DISTINCT USER_ID)::INTEGER, count(DISTINCT ITEM_ID)::INTEGER FROM tr`,
    );
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
export async function runSeedChild(trainCsv: string, queriesJson: string, k: number, resultsJson: string): Promise<void> {
  const modelDir = join(trainCsv, '..', 'seed-model');
  const queries = JSON.parse(readFileSync(queriesJson, 'utf8')) as Array<{ itemId: string }>;
  const t0 = performance.now();
  const trained = await trainModel({ recipe: 'aws-item-affinity', interactionsCsv: trainCsv, modelDir });
  const t1 = performance.now();
  const results = await segmentUsers(modelDir, queries, k);
  const t2 = performance.now();
  writeFileSync(resultsJson, JSON.stringify(results));
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    JSON.stringify({ trainSeconds: (t1 - t0) / 1000, segmentSeconds: (t2 - t1) / 1000, peakRssMiB, metrics: trained.metrics }) + '\n',
  );
}
