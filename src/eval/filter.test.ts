import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluateRun } from './evaluate.js';
import { summarizeReport } from './summary.js';
import { renderMarkdown } from './render-md.js';
import { outputLine, writeFixtureWorkDir } from '../../test/support/eval-fixtures.js';
import { evalSpec } from '../../test/support/eval-spec.js';

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);

const UK = 'INCLUDE UserID WHERE Users.COUNTRY IN ("UK")';

/*
 * The worked example with a filter, K = 3. Ten train users with activity a 5, b 5, z 4, c 3, x 2, y 2, d 1, e 1,
 * f 1, g 1; users.csv puts a, z, c, y, d, f in the UK: the filter lets those 6 through.
 * Truth before -> after the filter (test users it excludes are left out: b, e, x; 3 of the 9 distinct test users,
 * counted once each although b is in the truth of two queries):
 *   i1 {a,b} -> {a}; i2 {a,b,c,d,e} -> {a,c,d}; i3 {f} -> {f}; i4 {x,y,z} -> {y,z}
 * The filtered job's segments and hits: i1 [a,y,z] 1 (recall 1); i2 [c,y,a] 2 (2/3); i3 [y,z,a] 0; i4 [z,f,y] 2 (1).
 *   Means: hits 5/4, recall (1 + 2/3 + 0 + 1)/4 = 2/3.
 * Popularity among the eligible only: a, z, c (unfiltered it would be a, b, z). Hits: i1 1 (1), i2 {a,c} 2 (2/3),
 *   i3 0, i4 {z} 1 (1/2): hits 1, recall (1 + 2/3 + 0 + 1/2)/4 = 13/24.
 * Random over the 6 eligible: |truth| * 3/6 = 0.5, 1.5, 0.5, 1 -> hits 0.875; recall 0.5 each -> 0.5.
 * Coverage: {a,y,z,c,f} = 5 of the 6 eligible.
 */
const activity = { a: 5, b: 5, z: 4, c: 3, x: 2, y: 2, d: 1, e: 1, f: 1, g: 1 };
const countries: Record<string, string> = { a: 'UK', b: 'France', z: 'UK', c: 'UK', x: 'France', y: 'UK', d: 'UK', e: 'France', f: 'UK', g: 'France' };
const usersCsv = ['USER_ID,COUNTRY', ...Object.entries(countries).map(([u, c]) => `${u},${c}`)].join('\n') + '\n';
const queries = [
  { itemId: 'i1', truth: ['a', 'b'] },
  { itemId: 'i2', truth: ['a', 'b', 'c', 'd', 'e'] },
  { itemId: 'i3', truth: ['f'] },
  { itemId: 'i4', truth: ['x', 'y', 'z'] },
];
const filtered = (segments: string[][]) => segments.map((users, i) => outputLine({ itemId: `i${i + 1}` }, users)).join('\n') + '\n';

async function evaluate(o: { segments: string[][]; expression?: string; files?: Record<string, string>; spec?: object }) {
  const dir = await writeFixtureWorkDir({
    activity,
    queries,
    k: 3,
    segmentFiles: { 'batch-input.jsonl.out': filtered(o.segments) },
    files: o.files ?? { 'users.csv': usersCsv },
    runInfo: { filter: { expression: o.expression ?? UK, arn: 'arn:aws:personalize:us-east-1:000000000000:filter/fixture-flt-1234abcd' } },
  });
  try {
    return await evaluateRun(dir, evalSpec({ file: join(dir, 'pipeline.yaml'), ...o.spec }), { resamples: 50, now: () => new Date(0) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('with a filter: truth users it excludes are left out, both baselines draw from the eligible users only', async () => {
  const r = await evaluate({
    segments: [
      ['a', 'y', 'z'],
      ['c', 'y', 'a'],
      ['y', 'z', 'a'],
      ['z', 'f', 'y'],
    ],
  });
  const h = r.holdout!;
  assert.deepEqual(h.filter, {
    expression: UK,
    arn: 'arn:aws:personalize:us-east-1:000000000000:filter/fixture-flt-1234abcd',
    trainUsers: 10,
    eligibleUsers: 6,
    truthUsers: 9,
    truthUsersRemoved: 3,
    segmentUsersOutside: 0,
  });
  assert.equal(h.trainUsers, 6);
  assert.deepEqual(
    r.queries.map((q) => q.truth),
    [1, 3, 1, 2],
  );
  close(h.model.hitsAtK, 5 / 4, 'model hits');
  close(h.model.recallAtK, 2 / 3, 'model recall');
  close(h.baselines.popularity.hitsAtK, 1, 'popularity hits');
  close(h.baselines.popularity.recallAtK, 13 / 24, 'popularity recall');
  close(h.baselines.random.hitsAtK, 0.875, 'random hits');
  close(h.baselines.random.recallAtK, 0.5, 'random recall');
  close(h.model.coverage, 5 / 6, 'coverage');
  assert.match(h.protocol, /baselines draw only from the train users that pass the same filter/);
  assert.deepEqual(r.warnings, []);

  const summary = summarizeReport(r).join('\n');
  assert.match(summary, /K = 3 of 6 train users passing the filter/);
  assert.ok(summary.includes(`Segment filter ${UK}: 6 of 10 train users pass it`), summary);
  assert.ok(renderMarkdown(r).includes(`3 of 9 test users it excludes were left out of the truth`));
});

test('segment users the filter excludes are counted and warned about: the job did not apply it as evaluated', async () => {
  const r = await evaluate({
    segments: [
      ['a', 'b', 'z'],
      ['c', 'y', 'a'],
      ['y', 'z', 'x'],
      ['z', 'f', 'y'],
    ],
  });
  assert.equal(r.holdout!.filter?.segmentUsersOutside, 2);
  assert.ok(
    r.warnings.some((w) => /2 user\(s\) in the segments do not pass the filter/.test(w)),
    r.warnings.join('|'),
  );
});

test('an EVENT_TYPE exclusion reads interactions.csv: a user with any purchase is not eligible', async () => {
  // Everyone viewed; a and c also bought once: EXCLUDE ... ("purchase") leaves 8 users, and popularity skips a.
  const rows = ['USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE'];
  for (const [u, n] of Object.entries(activity))
    for (let i = 0; i < n; i++) rows.push(`${u},item-${i},${1000 + i},${(u === 'a' || u === 'c') && i === 0 ? 'purchase' : 'view'}`);
  const r = await evaluate({
    expression: 'EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("purchase")',
    files: { 'interactions.csv': rows.join('\n') + '\n' },
    segments: [
      ['b', 'z', 'x'],
      ['b', 'd', 'e'],
      ['f', 'z', 'y'],
      ['z', 'y', 'x'],
    ],
  });
  const f = r.holdout!.filter!;
  assert.equal(f.eligibleUsers, 8);
  // Truth users a (in two queries, one user) and c are left out.
  assert.equal(f.truthUsersRemoved, 2);
  assert.equal(f.segmentUsersOutside, 0);
  // Popularity among the eligible: b 5, z 4, x 2 (then y): i1 {b} -> 1 hit; i4 {x,y,z} -> 2.
  assert.deepEqual(
    r.queries.map((q) => q.popularityHits),
    [1, 1, 0, 2],
  );
});

test('a run without a filter is scored as before, and a Users filter without users.csv is an input error', async () => {
  const dir = await writeFixtureWorkDir({ activity, queries, k: 3, segmentFiles: { 'x.out': filtered([['a'], ['a'], ['a'], ['a']]) } });
  try {
    const r = await evaluateRun(dir, evalSpec({ file: join(dir, 'pipeline.yaml') }), { resamples: 10 });
    assert.equal(r.holdout!.filter, undefined);
    assert.equal(r.holdout!.trainUsers, 10);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await assert.rejects(evaluate({ segments: [['a'], ['a'], ['a'], ['a']], files: {} }), /users\.csv does not exist, but the run's filter reads it/);
});
