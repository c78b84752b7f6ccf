/**
 * Hyperparameter search for the local model on a validation split carved from the Online Retail training period
 * (the last 30 days before testStart); the test period is never looked at here except for the final line,
 * which reports the chosen parameters once. Run: node dist/test/bench/model-tune.js
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { Scorer, type ScorerParams } from '../../src/model/scorer.js';
import { boughtItRanker, popularityRanker } from './baselines.js';
import { fmt, notebookSplit, score } from './protocol.js';
import { loadRetailEvents } from './retail-data.js';

const TEST_START = Date.parse('2011-11-02T00:00:00Z') / 1000;
const VALIDATION_DAYS = 30;

async function main() {
  const scratch = '/tmp/segflow-model-bench';
  mkdirSync(scratch, { recursive: true });
  const events = await loadRetailEvents(join(packageRoot, 'examples/data/online-retail.csv.gz'), scratch);
  const trainOnly = notebookSplit(events, TEST_START).train;
  const val = notebookSplit(trainOnly, TEST_START - VALIDATION_DAYS * 86400);
  console.log(`validation: train users=${val.train.userIds.length} items=${val.train.itemIds.length} k=${val.k} queries=${val.queries.length}`);
  console.log(fmt('popularity', score(val, popularityRanker(val.matrix))));
  console.log(fmt('bought-it', score(val, boughtItRanker(val.matrix))));
  const grid: Array<{ params: ScorerParams; recall: number; hits: number }> = [];
  const run = (params: ScorerParams) => {
    const scorer = new Scorer(val.matrix, params);
    const m = score(val, (i, k) => scorer.rank(Int32Array.of(i), k));
    grid.push({ params, recall: m.recall_at_1_percent, hits: m.hits_at_1_percent });
    console.log(fmt(JSON.stringify(params), m));
  };
  for (const params of candidates()) run(params);
  grid.sort((a, b) => b.recall - a.recall || b.hits - a.hits);
  const best = grid[0]!;
  console.log(`best on validation: ${JSON.stringify(best.params)} recall=${best.recall} hits=${best.hits}`);
  const test = notebookSplit(events, TEST_START);
  const scorer = new Scorer(test.matrix, best.params);
  console.log(
    fmt(
      'test, chosen params',
      score(test, (i, k) => scorer.rank(Int32Array.of(i), k)),
    ),
  );
}

/** The grid: every combination of the listed values (SEGFLOW_TUNE_GRID=json overrides, e.g. {"bonus":[0.25]}). */
function candidates(): ScorerParams[] {
  const axes: Record<keyof ScorerParams, unknown[]> = {
    alpha: [0.35, 0.5],
    bonus: [0.25, 0.5, 1],
    attributeBonus: [100],
    neighbours: [149, 0],
    countExponent: [0, 0.5, 1],
    halfLifeDays: [0, 30, 90, 180],
    decayKnn: [false, true],
    userNorm: [0, 0.3, 0.6],
    ...(JSON.parse(process.env.SEGFLOW_TUNE_GRID ?? '{}') as object),
  };
  let out: Array<Record<string, unknown>> = [{}];
  for (const [key, values] of Object.entries(axes)) out = out.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  return out as unknown as ScorerParams[];
}

void main();
