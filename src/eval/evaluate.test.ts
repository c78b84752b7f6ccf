import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluateRun } from './evaluate.js';
import { hitRecallAtK } from './metrics.js';
import { summarizeReport } from './summary.js';
import { outputLine, writeFixtureWorkDir } from '../../test/support/eval-fixtures.js';
import { evalSpec } from '../../test/support/eval-spec.js';

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);

/*
 * The worked example, K = 3, ten train users. Activity (interactions in train):
 *   a 5, b 5, z 4, c 3, x 2, y 2, d 1, e 1, f 1, g 1
 * Queries, the model's ranked segment and the notebook's get_hit_recall_k by hand
 * (hit = |top-3 ∩ truth|, recall = hit / min(|truth|, 3)):
 *   i1 truth {a,b}       (|T| 2 < K)  model [a,x,y,b]: top-3 {a,x,y}   hit 1  recall 1/2   (b at rank 4 does not count)
 *   i2 truth {a,b,c,d,e} (|T| 5 > K)  model [c,y,a]:   {c,y,a}         hit 2  recall 2/3
 *   i3 truth {f}         (|T| 1)      model [x,y,z]:   {x,y,z}         hit 0  recall 0
 *   i4 truth {x,y,z}     (|T| 3 = K)  model [z,f,x]:   {z,f,x}         hit 2  recall 2/3
 * Means: hits (1+2+0+2)/4 = 5/4, recall (1/2 + 2/3 + 0 + 2/3)/4 = 11/24.
 * At k' = 1 (0.5% of 10 users, floored, at least 1): tops a, c, x, z -> hits 1,1,0,1; recall 1/min(|T|,1) -> 1,1,0,1:
 *   hits 3/4, recall 3/4.
 * Popularity top-3 (count desc, id asc): a, b, z. Hits: i1 {a,b} 2 (recall 1), i2 {a,b} 2 (2/3), i3 0, i4 {z} 1 (1/3):
 *   hits 5/4, recall (1 + 2/3 + 0 + 1/3)/4 = 1/2.
 * Random, expected: |T| * 3/10 hits: 0.6, 1.5, 0.3, 0.9 -> mean 0.825; recall 0.3, 0.5, 0.3, 0.3 -> mean 0.35.
 * Coverage: model segments cover {a,x,y,c,z,f} = 6 of 10 -> 0.6; popularity 3 of 10 -> 0.3.
 */
const activity = { a: 5, b: 5, z: 4, c: 3, x: 2, y: 2, d: 1, e: 1, f: 1, g: 1 };
const queries = [
  { itemId: 'i1', truth: ['a', 'b'] },
  { itemId: 'i2', truth: ['a', 'b', 'c', 'd', 'e'] },
  { itemId: 'i3', truth: ['f'] },
  { itemId: 'i4', truth: ['x', 'y', 'z'] },
];
const segments = [
  outputLine({ itemId: 'i1' }, ['a', 'x', 'y', 'b']),
  outputLine({ itemId: 'i2' }, ['c', 'y', 'a']),
  outputLine({ itemId: 'i3' }, ['x', 'y', 'z']),
  outputLine({ itemId: 'i4' }, ['z', 'f', 'x']),
].join('\n');

test("the notebook's get_hit_recall_k on the worked example, one query at a time", () => {
  const cases: Array<[string[], string[], number, number]> = [
    [['a', 'x', 'y', 'b'], ['a', 'b'], 1, 1 / 2],
    [['c', 'y', 'a'], ['a', 'b', 'c', 'd', 'e'], 2, 2 / 3],
    [['x', 'y', 'z'], ['f'], 0, 0],
    [['z', 'f', 'x'], ['x', 'y', 'z'], 2, 2 / 3],
  ];
  for (const [ranked, truth, hit, recall] of cases) {
    const r = hitRecallAtK(ranked, new Set(truth), 3);
    assert.equal(r.hit, hit);
    close(r.recall, recall, `recall of ${ranked.join(',')}`);
  }
});

test('evaluateRun gives the exact figures of the worked example: model, cutoffs, baselines, lift, coverage', async () => {
  const dir = await writeFixtureWorkDir({ activity, queries, k: 3, segmentFiles: { 'batch-input.jsonl.out': segments + '\n' } });
  try {
    const r = await evaluateRun(dir, evalSpec({ file: join(dir, 'pipeline.yaml') }));
    const h = r.holdout!;
    assert.equal(h.k, 3);
    assert.equal(h.trainUsers, 10);
    assert.equal(h.queryCount, 4);
    close(h.model.hitsAtK, 5 / 4, 'model hits@K');
    close(h.model.recallAtK, 11 / 24, 'model recall@K');
    close(h.model.coverage, 6 / 10, 'model coverage');
    assert.deepEqual(
      h.model.atCutoffs.map((c) => [c.k, c.label]),
      [
        [1, '0.5%'],
        [3, 'K'],
      ],
    );
    close(h.model.atCutoffs[0]!.hits, 3 / 4, 'model hits@1');
    close(h.model.atCutoffs[0]!.recall, 3 / 4, 'model recall@1');
    close(h.model.atCutoffs[1]!.recall, 11 / 24, 'model recall at the K cutoff');

    const pop = h.baselines.popularity;
    close(pop.hitsAtK, 5 / 4, 'popularity hits@K');
    close(pop.recallAtK, 1 / 2, 'popularity recall@K');
    close(pop.coverage, 3 / 10, 'popularity coverage');
    close(pop.lift.recall!, 11 / 24 / (1 / 2), 'lift over popularity (recall)');
    close(pop.lift.hits!, 1, 'lift over popularity (hits)');

    const rnd = h.baselines.random;
    close(rnd.hitsAtK, 0.825, 'random hits@K');
    close(rnd.recallAtK, 0.35, 'random recall@K');
    close(rnd.lift.recall!, 11 / 24 / 0.35, 'lift over random (recall)');

    assert.deepEqual(
      r.queries.map((q) => [q.hits, q.popularityHits]),
      [
        [1, 2],
        [2, 2],
        [0, 0],
        [2, 1],
      ],
    );
    // hitsHistogram[h] = queries with h hits at K: model 0 hits once, 1 once, 2 twice
    assert.deepEqual(h.hitsHistogram.model, [1, 1, 2]);
    assert.deepEqual(h.hitsHistogram.popularity, [1, 1, 2]);
    const atK = h.curve.find((p) => p.k === 3)!;
    close(atK.model, 11 / 24, 'curve at K');
    close(h.curve.find((p) => p.k === 1)!.popularity, (1 + 1 + 0 + 0) / 4, 'popularity recall@1 (top-1 is a: in i1 and i2 only)');
    assert.equal(r.badOutputLines.count, 0);
    assert.deepEqual(r.solutionMetrics?.values, { coverage: 0.4, hits_at_1_percent: 1.2, recall_at_1_percent: 0.31 });
    assert.equal(r.cost.trainingHours, 0.25);
    assert.equal(r.cost.actualUsd, 1.25);
    assert.equal(r.data?.trainUsers, 10);
    // 95% intervals bracket the point estimates of means
    for (const [ci, v] of [
      [h.model.ci.recallAtK, h.model.recallAtK],
      [h.model.ci.hitsAtK, h.model.hitsAtK],
    ] as const) {
      assert.ok(ci && ci[0] <= v && v <= ci[1], `${JSON.stringify(ci)} brackets ${v}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('cold, missing and failed queries score as empty segments; baselines give cold queries nothing', async () => {
  const lines = [
    outputLine({ itemId: 'i1' }, ['a', 'b', 'c']),
    JSON.stringify({ input: { itemId: 'i2' }, output: { usersList: [] }, error: 'User error: item not found' }),
    // i3 has no line at all; i4 is cold yet the model answered it
    outputLine({ itemId: 'i4' }, ['g', 'a', 'b']),
  ].join('\n');
  const dir = await writeFixtureWorkDir({
    activity,
    queries: [
      { itemId: 'i1', truth: ['a'] },
      { itemId: 'i2', truth: ['b'] },
      { itemId: 'i3', truth: ['c'] },
      { itemId: 'i4', truth: ['g'], cold: true },
      { itemId: 'i5', truth: [] },
    ],
    k: 3,
    segmentFiles: { 'in.jsonl.out': lines },
  });
  try {
    const r = await evaluateRun(dir, evalSpec({ file: join(dir, 'p.yaml') }));
    const h = r.holdout!;
    assert.equal(h.queryCount, 4, 'the empty-truth query is excluded');
    assert.equal(h.excludedQueries, 1);
    assert.equal(h.coldQueries, 1);
    assert.equal(h.queriesWithoutOutput, 2);
    // model: i1 1/1, i2 0 (job error), i3 0 (missing), i4 1/1
    close(h.model.hitsAtK, 2 / 4, 'model hits');
    close(h.model.recallAtK, 2 / 4, 'model recall');
    // popularity top-3 a,b,z: i1 1, i2 1, i3 0, i4 cold -> 0
    close(h.baselines.popularity.hitsAtK, 2 / 4, 'popularity hits');
    // random: 0.3 each for the three warm queries, 0 for the cold one
    close(h.baselines.random.hitsAtK, 0.9 / 4, 'random hits');
    assert.match(r.queries[1]!.problem!, /item not found/);
    assert.match(r.queries[2]!.problem!, /no usable output/);
    assert.equal(r.badOutputLines.byKind['job-error'], 1);
    assert.ok(r.warnings.some((w) => /no test users/.test(w)));
    assert.ok(summarizeReport(r).includes('  2 queries had no usable output (scored as empty)'), summarizeReport(r).join('\n'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a report without run-info.json says to run apply first (RUN_NO_RUN, exit 1)', async () => {
  const dir = await writeFixtureWorkDir({ activity, queries, k: 3, segmentFiles: {} });
  await rm(join(dir, 'run-info.json'));
  try {
    await assert.rejects(evaluateRun(dir, evalSpec({ file: join(dir, 'p.yaml') })), (e: unknown) => {
      const err = e as { code: string; exitCode: number; message: string };
      return err.code === 'RUN_NO_RUN' && err.exitCode === 1 && /segflow apply/.test(err.message);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the summary says when the queries without output are the cold ones', async () => {
  const lines = [
    outputLine({ itemId: 'i1' }, ['a', 'b', 'c']),
    JSON.stringify({ input: { itemId: 'i2' }, output: { usersList: [] }, error: 'item "i2" is not in the training data' }),
  ].join('\n');
  const dir = await writeFixtureWorkDir({
    activity,
    queries: [
      { itemId: 'i1', truth: ['a'] },
      { itemId: 'i2', truth: ['b'], cold: true },
    ],
    k: 3,
    segmentFiles: { 'in.jsonl.out': lines },
  });
  try {
    const r = await evaluateRun(dir, evalSpec({ file: join(dir, 'p.yaml') }));
    assert.ok(
      summarizeReport(r).includes('  1 queries had no usable output (scored as empty, all cold: items absent from train)'),
      summarizeReport(r).join('\n'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
