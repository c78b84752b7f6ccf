import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outputLine, writeFixtureWorkDir } from '../../../test/support/eval-fixtures.js';
import type { Report } from '../../eval/index.js';
import { runInProcess } from '../../../test/support/run-cli.js';
import { productionPipelineYaml, writeProductionWorkDir } from '../../../test/support/production-fixtures.js';

const SPEC = `version: 1
name: shop
target: { kind: local }
data:
  interactions:
    source: ./data.csv
    columns: { USER_ID: u, ITEM_ID: i, TIMESTAMP: t }
split: { testStart: 2011-11-02T00:00:00Z }
queries:
  items: { sample: 10, seed: 1 }
storage: { bucket: segflow-shop-test, prefix: shop/ }
recipe: aws-item-affinity
segments:
  numResults: { count: 2 }
budget: { maxUsd: 5 }
`;

async function project(): Promise<string> {
  const cwd = await mkdtemp(join(tmpdir(), 'segflow-report-cli-'));
  await writeFile(join(cwd, 'pipeline.yaml'), SPEC);
  return cwd;
}

async function fixtureRun(cwd: string, runId: string, finishedAt: string, segment: string[]): Promise<void> {
  await writeFixtureWorkDir({
    dir: join(cwd, '.segflow', 'work', 'shop'),
    activity: { a: 3, b: 2, c: 1, d: 1 },
    queries: [
      { itemId: 'i1', truth: ['a', 'c'] },
      { itemId: 'i2', truth: ['d'] },
    ],
    k: 2,
    segmentFiles: { 'batch.jsonl.out': [outputLine({ itemId: 'i1' }, segment), outputLine({ itemId: 'i2' }, ['d', 'a'])].join('\n') },
    runInfo: { runId, finishedAt },
  });
}

test('segflow report without a finished run exits 1 with RUN_NO_RUN and says to run apply first', async () => {
  const cwd = await project();
  try {
    const r = await runInProcess(cwd, ['report', 'pipeline.yaml']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error RUN_NO_RUN: .*segflow apply/);
    const h = await runInProcess(cwd, ['report', 'pipeline.yaml', '--history']);
    assert.equal(h.code, 1);
    assert.match(h.stderr, /RUN_NO_RUN/);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('segflow report writes the report files, prints the summary, --json the report, --history every run', async () => {
  const cwd = await project();
  try {
    await fixtureRun(cwd, 'run-1', '2026-11-28T10:00:00.000Z', ['a', 'b']);
    const r = await runInProcess(cwd, ['report', 'pipeline.yaml']);
    assert.equal(r.code, 0, r.stderr);
    // i1: top-2 {a,b} ∩ {a,c} = 1 hit, recall 1/2; i2: {d,a} ∩ {d} = 1, recall 1 -> hits 1, recall 0.75
    assert.match(r.stdout, /model\s+hits@K 1\.00\s+recall@K 0\.750/);
    assert.match(r.stdout, /report: \.segflow\/reports\/shop\/run-1\/report\.html/);
    assert.match(r.stdout, /different protocol/);
    assert.deepEqual((await readdir(join(cwd, '.segflow', 'reports', 'shop', 'run-1'))).sort(), ['report.html', 'report.json', 'report.md', 'segments.csv']);

    const j = await runInProcess(cwd, ['report', 'pipeline.yaml', '--json']);
    assert.equal(j.code, 0);
    const report = JSON.parse(j.stdout) as Report;
    assert.equal(report.holdout!.k, 2);
    assert.equal(report.holdout!.model.recallAtK, 0.75);

    await fixtureRun(cwd, 'run-2', '2026-11-28T11:00:00.000Z', ['c', 'a']);
    const h = await runInProcess(cwd, ['report', 'pipeline.yaml', '--history']);
    assert.equal(h.code, 0, h.stderr);
    const rows = h.stdout.trim().split('\n');
    assert.equal(rows.length, 3, h.stdout);
    assert.match(rows[1]!, /^run-1\s/);
    assert.match(rows[2]!, /^run-2\s.*\s1\.50\s+1\.000\s/, 'the new run was evaluated for the table: hits (2 + 1)/2, recall 1');
    const saved = JSON.parse(await readFile(join(cwd, '.segflow', 'reports', 'shop', 'run-2', 'report.json'), 'utf8')) as Report;
    assert.equal(saved.holdout!.model.hitsAtK, 1.5);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('segflow report rejects a missing file argument and unknown flags with exit 2', async () => {
  const cwd = await project();
  try {
    assert.equal((await runInProcess(cwd, ['report'])).code, 2);
    assert.equal((await runInProcess(cwd, ['report', 'pipeline.yaml', '--nope'])).code, 2);
    assert.equal((await runInProcess(cwd, ['report', 'missing.yaml'])).code, 2);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('segflow report on a production pipeline: every segmentation in spec order, each in its own reports root', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'segflow-report-prod-'));
  try {
    await writeFile(join(cwd, 'pipeline.yaml'), productionPipelineYaml());
    const work = join(cwd, '.segflow', 'work', 'shop');
    await writeProductionWorkDir({
      dir: work,
      segmentationDir: 'segmentations/products/',
      segmentation: 'products',
      asked: [{ itemId: 'i1' }, { itemId: 'i2' }],
      k: 2,
      users: 4,
      segmentFiles: { 'o.out': [outputLine({ itemId: 'i1' }, ['a', 'b']), outputLine({ itemId: 'i2' }, ['b', 'c'])].join('\n') },
      runInfo: { runId: 'run-p1' },
    });
    await writeProductionWorkDir({
      dir: work,
      segmentation: 'shop',
      asked: [{ itemId: 'i1' }],
      k: 2,
      users: 4,
      segmentFiles: { 'o.out': outputLine({ itemId: 'i1' }, ['a', 'd']) },
      runInfo: { runId: 'run-s1' },
    });
    const r = await runInProcess(cwd, ['report', 'pipeline.yaml']);
    assert.equal(r.code, 0, r.stderr);
    const heads = r.stdout.split('\n').filter((l) => l.startsWith('shop'));
    assert.deepEqual(heads, ['shop, segmentation products, run run-p1', 'shop, run run-s1']);
    assert.match(r.stdout, /production run of products: 2 segments of 2 users, 3 distinct users \(75\.0% of 4\)/);
    assert.match(r.stdout, /production run: 1 segments of 2 users, 2 distinct users/);
    assert.match(r.stdout, /report: \.segflow\/reports\/shop\/segmentations\/products\/run-p1\/report\.html/);
    assert.match(r.stdout, /report: \.segflow\/reports\/shop\/run-s1\/report\.html/);

    const all = JSON.parse((await runInProcess(cwd, ['report', 'pipeline.yaml', '--json'])).stdout) as Report[];
    assert.deepEqual(
      all.map((x) => [x.segmentation, x.mode, x.holdout]),
      [
        ['products', 'production', null],
        ['shop', 'production', null],
      ],
    );
    const one = JSON.parse((await runInProcess(cwd, ['report', 'pipeline.yaml', '--segmentation', 'products', '--json'])).stdout) as Report;
    assert.equal(one.segments.distinctUsers, 3);

    const h = await runInProcess(cwd, ['report', 'pipeline.yaml', '--history']);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /^segmentation products:\nrun\s+finished\s+mode.*\nrun-p1\s+\S+\s+prod\s/m);
    assert.match(h.stdout, /^segmentation shop:\nrun\s+finished\s+mode.*\nrun-s1\s+\S+\s+prod\s/m);
    const entries = JSON.parse((await runInProcess(cwd, ['report', 'pipeline.yaml', '--history', '--json'])).stdout) as Array<{
      segmentation: string;
      runId: string;
    }>;
    assert.deepEqual(
      entries.map((e) => [e.segmentation, e.runId]),
      [
        ['products', 'run-p1'],
        ['shop', 'run-s1'],
      ],
    );
    assert.equal((await runInProcess(cwd, ['report', 'pipeline.yaml', '--segmentation', 'nope'])).code, 2);

    // Without a run of its own, the primary segmentation is skipped (the others' reports below its root are not its runs).
    await rm(join(work, 'run-info.json'));
    await rm(join(cwd, '.segflow', 'reports', 'shop', 'run-s1'), { recursive: true });
    const left = await runInProcess(cwd, ['report', 'pipeline.yaml']);
    assert.equal(left.code, 0, left.stderr);
    assert.match(left.stderr, /note: segmentation shop has no finished run yet/);
    const leftHistory = await runInProcess(cwd, ['report', 'pipeline.yaml', '--history', '--json']);
    assert.deepEqual(
      (JSON.parse(leftHistory.stdout) as Array<{ segmentation: string }>).map((e) => e.segmentation),
      ['products'],
    );
    assert.equal((await runInProcess(cwd, ['report', 'pipeline.yaml', '--segmentation', 'shop'])).code, 1);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});
