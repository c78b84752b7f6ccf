import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateRun } from './evaluate.js';
import { outputLine, writeFixtureWorkDir } from '../../test/support/eval-fixtures.js';
import { evalSpec } from '../../test/support/eval-spec.js';
import { loadHistory, renderHistory } from './history.js';
import { reportRun } from './index.js';
import type { Report } from './report-types.js';
import { summarizeReport } from './summary.js';
import { csvField, writeReport } from './write-report.js';

const activity = { a: 5, b: 5, z: 4, c: 3, x: 2, y: 2, d: 1, e: 1, f: 1, g: 1 };
const attr = 'ITEMS.CATEGORY = "Candy, \\"Sweets\\""';
const queries = [
  { itemAttributes: attr, truth: ['a', 'b'] },
  { itemAttributes: 'ITEMS.CATEGORY = "Tea"', truth: ['x', 'y', 'z'] },
];
const output = [
  // the documented shape: top-level itemAttributes, recommendedUsers
  JSON.stringify({ itemAttributes: attr, output: { recommendedUsers: ['a', 'x', 'y'] } }),
  outputLine({ itemAttributes: 'ITEMS.CATEGORY = "Tea"' }, ['z', 'f', 'x']),
  '{broken',
].join('\n');

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'segflow-report-'));
}

test('writeReport writes report.json (the contract), report.md, a self-contained report.html and segments.csv', async () => {
  const root = await scratch();
  const work = await writeFixtureWorkDir({ dir: join(root, 'work'), activity, queries, k: 3, segmentFiles: { 'q.jsonl.out': output } });
  try {
    const spec = evalSpec({ file: join(root, 'pipeline.yaml'), recipe: 'aws-item-attribute-affinity' });
    const { report, dir, files } = await reportRun(work, spec, join(root, 'reports'));
    assert.equal(dir, join(root, 'reports', report.runId));
    assert.deepEqual((await readdir(dir)).sort(), ['report.html', 'report.json', 'report.md', 'segments.csv']);
    assert.equal(files.length, 4);

    const json = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Report;
    assert.deepEqual(json, JSON.parse(JSON.stringify(report)));
    // the documented minimum of the contract (docs/report.md)
    for (const path of [
      'holdout.k',
      'holdout.model.hitsAtK',
      'holdout.model.recallAtK',
      'holdout.model.coverage',
      'holdout.model.ci',
      'holdout.baselines.popularity.hitsAtK',
      'holdout.baselines.popularity.recallAtK',
      'holdout.baselines.random.hitsAtK',
      'holdout.baselines.random.recallAtK',
      'solutionMetrics',
      'queries',
      'badOutputLines',
      'spec.hash',
      'cost.estimatedUsd',
      'cost.trainingHours',
      'data.trainRows',
    ]) {
      const v = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], json);
      assert.notEqual(v, undefined, `report.json has ${path}`);
    }
    assert.equal(json.badOutputLines.count, 1);
    assert.deepEqual(json.badOutputLines.lines[0], { file: 'segments/q.jsonl.out', line: 3, kind: 'invalid', message: json.badOutputLines.lines[0]!.message });
    assert.equal(json.spec.gitCommit, undefined, 'outside git: no commit recorded');

    assert.equal(
      await readFile(join(dir, 'segments.csv'), 'utf8'),
      [
        'query,rank,user',
        '"ITEMS.CATEGORY = ""Candy, \\""Sweets\\""""",1,a',
        '"ITEMS.CATEGORY = ""Candy, \\""Sweets\\""""",2,x',
        '"ITEMS.CATEGORY = ""Candy, \\""Sweets\\""""",3,y',
        '"ITEMS.CATEGORY = ""Tea""",1,z',
        '"ITEMS.CATEGORY = ""Tea""",2,f',
        '"ITEMS.CATEGORY = ""Tea""",3,x',
        '',
      ].join('\n'),
    );

    const md = await readFile(join(dir, 'report.md'), 'utf8');
    assert.match(md, /## Holdout evaluation/);
    assert.match(md, /segments\/q\.jsonl\.out:3: invalid/);
    assert.match(md, /different protocol/);

    const html = await readFile(join(dir, 'report.html'), 'utf8');
    assert.match(html, /<svg[^>]+id="recall-curve"/);
    assert.match(html, /<svg[^>]+id="hits-histogram"/);
    assert.doesNotMatch(html, /<script|<link|\bsrc=|@import|url\(/i, 'nothing to fetch, nothing to run');
    assert.match(html, /Content-Security-Policy/);
    assert.ok(html.includes('Candy, &quot;Sweets&quot;') || html.includes('Candy, \\&quot;Sweets\\&quot;'), 'query text is escaped');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('segments.csv refuses output files that changed after evaluation', async () => {
  const root = await scratch();
  const work = await writeFixtureWorkDir({ dir: join(root, 'work'), activity, queries, k: 3, segmentFiles: { 'q.jsonl.out': output } });
  try {
    const report = await evaluateRun(work, evalSpec({ file: join(root, 'p.yaml') }));
    await writeFile(join(work, 'segments', 'q.jsonl.out'), output + '\n' + outputLine({ itemId: 'n' }, ['a']));
    await assert.rejects(writeReport(report, join(root, 'out')), /changed after it was evaluated/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the spec repository commit is recorded, and a modified spec file is flagged', async () => {
  const root = await scratch();
  const work = await writeFixtureWorkDir({ dir: join(root, 'work'), activity, queries, k: 3, segmentFiles: { 'q.jsonl.out': output } });
  const repo = join(root, 'repo');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  try {
    execFileSync('git', ['init', '-q', repo]);
    await writeFile(join(repo, 'pipeline.yaml'), 'version: 1\n');
    git('add', 'pipeline.yaml');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'spec');
    const head = git('rev-parse', 'HEAD');
    const clean = await evaluateRun(work, evalSpec({ file: join(repo, 'pipeline.yaml') }));
    assert.equal(clean.spec.gitCommit, head);
    assert.equal(clean.spec.gitDirty, false);
    await writeFile(join(repo, 'pipeline.yaml'), 'version: 1\nname: changed\n');
    const dirty = await evaluateRun(work, evalSpec({ file: join(repo, 'pipeline.yaml') }));
    assert.equal(dirty.spec.gitDirty, true);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('history compares the runs of a pipeline in one table, oldest first; summary shows lift over both baselines', async () => {
  const root = await scratch();
  const reports = join(root, 'reports');
  try {
    const spec = evalSpec({ file: join(root, 'p.yaml') });
    for (const [runId, finishedAt, seg] of [
      ['run-b', '2026-11-28T11:00:00.000Z', ['a', 'b', 'z']],
      ['run-a', '2026-11-28T10:00:00.000Z', ['c', 'd', 'e']],
    ] as const) {
      const work = await writeFixtureWorkDir({
        dir: join(root, runId),
        activity,
        queries: [{ itemId: 'i1', truth: ['a', 'b'] }],
        k: 3,
        segmentFiles: { 'i.out': outputLine({ itemId: 'i1' }, [...seg]) },
        runInfo: { runId, finishedAt },
      });
      await reportRun(work, spec, reports);
    }
    await writeFile(join(root, 'reports', 'not-a-report'), 'x'); // a stray file is not a run directory
    const { entries, skipped } = await loadHistory(reports);
    assert.deepEqual(
      entries.map((e) => e.runId),
      ['run-a', 'run-b'],
    );
    assert.deepEqual(
      entries.map((e) => e.model!.hitsAtK),
      [0, 2],
    );
    assert.deepEqual(skipped, []);
    const table = renderHistory(entries);
    assert.equal(table.length, 3);
    assert.match(table[0]!, /^run\s+finished\s+mode\s+spec/);
    assert.match(table[2]!, /^run-b\s/);

    const latest = JSON.parse(await readFile(join(reports, 'run-b', 'report.json'), 'utf8')) as Report;
    const summary = summarizeReport(latest).join('\n');
    assert.match(summary, /K = 3 of 10 train users, 1 queries/);
    assert.match(summary, /model\s+hits@K 2\.00\s+recall@K 1\.000/);
    assert.match(summary, /popularity\s+hits@K 2\.00\s+recall@K 1\.000\s+lift 1\.00x/);
    assert.match(summary, /random\s+hits@K 0\.60\s+recall@K 0\.300\s+lift 3\.33x/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('csv fields are quoted only when needed', () => {
  assert.equal(csvField('abc'), 'abc');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField(' padded'), '" padded"');
});

test('reportRun without a reports root writes beside the work dir, as src/util/paths.ts lays them out', async () => {
  const cwd = await scratch();
  try {
    const { workDir, reportsDir } = await import('../util/paths.js');
    const spec = evalSpec({ file: join(cwd, 'p.yaml'), name: 'shop' });
    const work = await writeFixtureWorkDir({ dir: workDir('shop', cwd), activity, queries, k: 3, segmentFiles: { 'q.jsonl.out': output } });
    const { dir } = await reportRun(work, spec);
    assert.equal(dir, join(reportsDir('shop', cwd), '2026-11-28T10-00-00Z-abc123'));
    assert.deepEqual((await readdir(dir)).sort(), ['report.html', 'report.json', 'report.md', 'segments.csv']);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('the report shows the estimate and the actual cost side by side, line by line', async () => {
  const root = await scratch();
  const line = (item: string, quantity: string, lowUsd: number, usd: number) => ({ item, quantity, lowUsd, usd });
  const work = await writeFixtureWorkDir({
    dir: join(root, 'work'),
    activity,
    queries,
    k: 3,
    segmentFiles: { 'q.jsonl.out': output },
    runInfo: {
      target: 'aws',
      estimatedCostUsd: 31.21,
      actualCostUsd: 30.93,
      cost: {
        estimate: {
          lowUsd: 30.93,
          highUsd: 31.21,
          lines: [line('training', '1.06-2.25 h', 0.25, 0.54), line('batch segments', '3,834 users x 500 queries', 30.67, 30.67)],
        },
        actual: { totalUsd: 30.93, lines: [line('training', '1.1 h', 0.26, 0.26), line('batch segments', '3,834 users x 500 queries', 30.67, 30.67)] },
      },
    },
  });
  try {
    const { report, dir } = await reportRun(
      work,
      evalSpec({ file: join(root, 'pipeline.yaml'), recipe: 'aws-item-attribute-affinity' }),
      join(root, 'reports'),
    );
    assert.deepEqual(report.cost.lines?.[0], {
      item: 'training',
      estimateQuantity: '1.06-2.25 h',
      estimateLowUsd: 0.25,
      estimateUsd: 0.54,
      actualQuantity: '1.1 h',
      actualUsd: 0.26,
    });
    assert.equal(report.cost.estimatedLowUsd, 30.93);
    const md = await readFile(join(dir, 'report.md'), 'utf8');
    assert.match(md, /\| training \| 1\.06-2\.25 h \| \$0\.25-\$0\.54 \| 1\.1 h \| \$0\.26 \|/);
    assert.match(md, /\| batch segments \| 3,834 users x 500 queries \| \$30\.67 \| 3,834 users x 500 queries \| \$30\.67 \|/);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    assert.match(html, /<table id="cost">/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
