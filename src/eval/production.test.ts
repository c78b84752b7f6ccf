import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { outputLine, writeFixtureWorkDir } from '../../test/support/eval-fixtures.js';
import { evalSpec } from '../../test/support/eval-spec.js';
import { writeProductionWorkDir } from '../../test/support/production-fixtures.js';
import { evaluateRun } from './evaluate.js';
import { reportRun } from './index.js';
import { summarizeReport } from './summary.js';

/** i1..i4 asked, K = 3, 10 users: i1 {a,b,c}, i2 {b,c,d}, i3 the job's error, i4 no line, i5 not asked {a}. */
async function productionRun(dir?: string) {
  return writeProductionWorkDir({
    ...(dir ? { dir } : {}),
    asked: [{ itemId: 'i1' }, { itemId: 'i2' }, { itemId: 'i3' }, { itemId: 'i4' }],
    k: 3,
    users: 10,
    segmentFiles: {
      'batch-input.jsonl.out':
        [
          outputLine({ itemId: 'i1' }, ['a', 'b', 'c']),
          outputLine({ itemId: 'i2' }, ['b', 'c', 'd']),
          JSON.stringify({ input: { itemId: 'i3' }, error: 'cold item' }),
          outputLine({ itemId: 'i5' }, ['a']),
        ].join('\n') + '\n',
    },
    changes: { previousRunId: 'run-0', entered: 2, stayed: 5, left: 1, queriesAdded: 1, queriesRemoved: 0 },
    changesCsv: 'query,entered,stayed,left\ni1,1,2,1\ni2,0,3,0\ni5,1,0,0\n',
  });
}

test('a production run (no ground truth): segment sizes, reach, membership, pairwise overlap, top pairs, changes', async () => {
  const work = await productionRun();
  try {
    const r = await evaluateRun(work, evalSpec({ file: join(work, 'p.yaml'), production: true }), { now: () => new Date(0) });
    assert.equal(r.version, 2);
    assert.equal(r.mode, 'production');
    assert.equal(r.segmentation, 'demo');
    assert.equal(r.holdout, null);
    assert.deepEqual(r.queries, []);
    const s = r.segments;
    assert.deepEqual(
      {
        asked: s.queriesAsked,
        answered: s.answered,
        jobErrors: s.jobErrors,
        without: s.withoutOutput,
        short: s.short,
        memberships: s.memberships,
        distinct: s.distinctUsers,
      },
      { asked: 4, answered: 3, jobErrors: 1, without: 1, short: 1, memberships: 7, distinct: 4 },
    );
    assert.deepEqual(s.size, { min: 1, median: 3, max: 3, mean: 7 / 3 });
    assert.equal(s.population, 10);
    assert.equal(s.reach, 0.4);
    assert.deepEqual(s.membershipHistogram, [
      { segments: 1, users: 1 },
      { segments: 2, users: 3 },
    ]);
    // |i1∩i2| = 2, |i1∩i5| = 1, |i2∩i5| = 0: 3 shared over 3 pairs, over K = 3
    assert.equal(s.overlap.pairs, 3);
    assert.equal(s.overlap.meanPairwise, 1 / 3);
    assert.deepEqual(s.overlap.topPairs, [
      { a: { itemId: 'i1' }, b: { itemId: 'i2' }, shared: 2, jaccard: 0.5 },
      { a: { itemId: 'i1' }, b: { itemId: 'i5' }, shared: 1, jaccard: 1 / 3 },
    ]);
    assert.deepEqual(s.perQuery, [
      { query: { itemId: 'i1' }, returned: 3 },
      { query: { itemId: 'i2' }, returned: 3 },
      { query: { itemId: 'i3' }, returned: 0, problem: 'the job reported an error: cold item' },
      { query: { itemId: 'i4' }, returned: 0, problem: 'no usable output line for this query' },
      { query: { itemId: 'i5' }, returned: 1, notAsked: true },
    ]);
    assert.deepEqual(r.badOutputLines.byKind, { 'job-error': 1, 'unknown-query': 1 });
    assert.deepEqual(r.changes, {
      previousRunId: 'run-0',
      entered: 2,
      stayed: 5,
      left: 1,
      queriesAdded: 1,
      queriesRemoved: 0,
      queriesChanged: 2,
      mostChanged: [
        { query: 'i1', entered: 1, stayed: 2, left: 1 },
        { query: 'i5', entered: 1, stayed: 0, left: 0 },
      ],
    });
    assert.deepEqual(r.solutionMetrics?.values, { coverage: 0.4, hits_at_1_percent: 1.2, recall_at_1_percent: 0.31 });
    assert.equal(r.inputs.groundTruthSha256, null);
    assert.equal(r.run.delivery?.latestUri, 's3://demo-bucket/demo/segments/demo/latest/segments.csv');
    assert.deepEqual(summarizeReport(r), [
      'production run: 3 segments of 1-3 users, 4 distinct users (40.0% of 10)',
      '  a user is in 1.75 segments on average; two segments share 0.333 of K on average',
      "  2 queries have no segment (1 with the job's own error)",
      '  1 segments have fewer than 3 users',
      '  2 problem(s) in the segment output (see the report)',
      'since run run-0: +2 entered, 5 stayed, -1 left (1 queries added, 0 removed)',
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('a production report directory: report.md and report.html show segments and changes instead of a holdout', async () => {
  const work = await productionRun();
  try {
    const { report, dir } = await reportRun(work, evalSpec({ file: join(work, 'p.yaml'), production: true }), join(work, 'reports'));
    assert.deepEqual((await readdir(dir)).sort(), ['report.html', 'report.json', 'report.md', 'segments.csv']);
    assert.equal(await readFile(join(dir, 'segments.csv'), 'utf8'), 'query,rank,user\ni1,1,a\ni1,2,b\ni1,3,c\ni2,1,b\ni2,2,c\ni2,3,d\ni5,1,a\n');
    const md = await readFile(join(dir, 'report.md'), 'utf8');
    assert.match(md, /## Production run/);
    assert.doesNotMatch(md, /## Holdout evaluation/);
    assert.match(md, /\| i1 \| i2 \| 2 \| 0\.500 \|/);
    assert.match(md, /Since run run-0: 2 users entered a segment, 5 stayed and 1 left/);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    assert.match(html, /<table id="segments">/);
    assert.match(html, /<table id="overlap-pairs">/);
    assert.match(html, /<table id="changes">/);
    assert.doesNotMatch(html, /id="recall-curve"/);
    assert.doesNotMatch(html, /<script|<link|\bsrc=|@import|url\(/i);
    assert.equal((JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as { holdout: unknown }).holdout, null);
    assert.equal(report.segments.answered, 3);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('a production run whose data were prepared again: the queries asked and the population are unknown, said so', async () => {
  const work = await productionRun();
  try {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(work, 'manifest.json'), JSON.stringify({ version: 1, fingerprint: 'd'.repeat(64), outputs: {} }));
    const r = await evaluateRun(work, evalSpec({ file: join(work, 'p.yaml'), production: true }));
    assert.equal(r.segments.queriesAsked, null);
    assert.equal(r.segments.population, null);
    assert.equal(r.segments.withoutOutput, 0);
    assert.equal(r.segments.perQuery.length, 4, 'the answers only: i1, i2, i3 (error), i5');
    assert.ok(r.warnings.some((w) => /prepared again/.test(w)));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('an experiment keeps its holdout and gains the segments section; a missing ground truth with split is an input error', async () => {
  const work = await writeFixtureWorkDir({
    activity: { a: 3, b: 2, c: 1, d: 1 },
    queries: [
      { itemId: 'i1', truth: ['a', 'c'] },
      { itemId: 'i2', truth: ['d'] },
    ],
    k: 2,
    segmentFiles: { 'batch.jsonl.out': [outputLine({ itemId: 'i1' }, ['a', 'b']), outputLine({ itemId: 'i2' }, ['d', 'a'])].join('\n') },
  });
  try {
    const spec = evalSpec({ file: join(work, 'p.yaml') });
    const r = await evaluateRun(work, spec, { resamples: 20 });
    assert.equal(r.mode, 'experiment');
    assert.equal(r.holdout?.model.recallAtK, 0.75);
    assert.deepEqual([r.segments.answered, r.segments.distinctUsers, r.segments.population, r.segments.overlap.meanPairwise], [2, 3, 4, 0.5]);
    assert.equal(r.changes, null);
    await rm(join(work, 'ground-truth.json'));
    await assert.rejects(evaluateRun(work, spec), /ground truth is missing/);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
