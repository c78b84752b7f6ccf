import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { segmentUsers, trainModel } from '../../src/model/index.js';
import { sample } from '../../src/model/metrics.js';

/**
 * The seed-scale workload: gen_reviews.py's 5,074,160 synthetic reviews prepared as the seed article does
 * (dedupe, users with > 3 interactions, train < 2018-02-01 <= test, warm test users, 500 sampled test items).
 */
const REVIEWS = 5_074_160;
const GENERATOR = '/work/shared/bench/gen_reviews.py';
const SPLIT = Date.parse('2018-02-01T00:00:00Z') / 1000;

export interface SeedPrep {
  trainCsv: string;
  queriesJson: string;
  resultsJson: string;
  queries: Array<{ itemId: string; truth: string[] }>;
  k: number;
  trainRows: number;
  users: number;
  items: number;
}

export async function prepareSeedScale(scratch: string): Promise<SeedPrep> {
  const reviews = join(scratch, 'reviews.json.gz');
  if (!existsSync(reviews)) {
    execFileSync('/usr/bin/python3', [GENERATOR, reviews, '--reviews', String(REVIEWS)], { stdio: 'inherit' });
  }
  const trainCsv = join(scratch, 'seed-train.csv');
  const truthCsv = join(scratch, 'seed-truth.csv');
  const statsJson = join(scratch, 'seed-stats.json');
  if (!existsSync(statsJson)) {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    await con.run(`
      CREATE TABLE ev AS
        SELECT DISTINCT reviewerID AS USER_ID, asin AS ITEM_ID, unixReviewTime AS TIMESTAMP
        FROM read_json('${reviews}', format = 'newline_delimited',
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
  const picked = sample([...truth.keys()].sort(), 500);
  const queries = picked.map((itemId) => ({ itemId, truth: truth.get(itemId)! }));
  const queriesJson = join(scratch, 'seed-queries.json');
  writeFileSync(queriesJson, JSON.stringify(queries.map((q) => ({ itemId: q.itemId }))));
  return {
    trainCsv,
    queriesJson,
    resultsJson: join(scratch, 'seed-results.json'),
    queries,
    k: Math.max(1, Math.floor(stats.users / 100)),
    ...stats,
  };
}

/** In a fresh process: train, segment 500 queries, report wall times and the process's peak RSS as JSON. */
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
