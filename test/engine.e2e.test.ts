import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, writeFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname } from 'node:os';
import {
  DeleteSolutionCommand,
  DescribeSolutionCommand,
  ListBatchSegmentJobsCommand,
  ListDatasetGroupsCommand,
  ListDatasetImportJobsCommand,
  ListDatasetsCommand,
  ListSchemasCommand,
  ListSolutionVersionsCommand,
  ListSolutionsCommand,
} from '@aws-sdk/client-personalize';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { REPO, inspect, removeWorkspaces, workspace } from './e2e-support.js';
import { assertOk, runCli } from './support/run-cli.js';
import type { RunInfo } from '../src/data/artifacts.js';

after(removeWorkspaces);

const ACCOUNT = '000000000000';
const solutionArn = (name: string) => `arn:aws:personalize:us-east-1:${ACCOUNT}:solution/${name}-solution`;

interface ApplyJson {
  ok: boolean;
  changes: number;
  createCalls: number;
  bytesUploaded: number;
  calls: Record<string, number>;
  steps: Array<{ id: string; action: string; outcome: string; note?: string }>;
  report: string[];
}

async function applyJson(dir: string, spec: string): Promise<ApplyJson> {
  const r = await runCli(dir, ['apply', spec, '--auto-approve', '--json']);
  assertOk(r, 'apply --json');
  return JSON.parse(r.stdout) as ApplyJson;
}

const applied = (s: ApplyJson) => s.steps.filter((x) => x.outcome === 'done').map((x) => x.id);

/** Costly resources of a pipeline, read with list calls: never more than one live one per input. */
async function costly(dir: string, name: string) {
  const { aws, close } = await inspect(dir);
  try {
    const p = aws.personalize;
    const imports = ((await p.send(new ListDatasetImportJobsCommand({ maxResults: 100 }))).datasetImportJobs ?? []).filter((j) =>
      j.jobName?.startsWith(`${name}-`),
    );
    let versions: Array<{ status?: string }> = [];
    try {
      versions = (await p.send(new ListSolutionVersionsCommand({ solutionArn: solutionArn(name), maxResults: 100 }))).solutionVersions ?? [];
    } catch {
      versions = [];
    }
    const segments = ((await p.send(new ListBatchSegmentJobsCommand({ maxResults: 100 }))).batchSegmentJobs ?? []).filter((j) =>
      j.jobName?.startsWith(`${name}-`),
    );
    const live = (xs: Array<{ status?: string }>) => xs.filter((x) => !/FAILED|STOPPED/.test(x.status ?? '')).length;
    return { imports: live(imports), versions: live(versions), segments: live(segments), all: { imports, versions, segments } };
  } finally {
    await close();
  }
}

describe('engine end to end: the built CLI against the emulator', () => {
  test('a full run, then a second apply that changes nothing', async () => {
    const w = await workspace();
    const first = await applyJson(w.dir, w.spec);
    assert.equal(first.ok, true);
    assert.ok(first.bytesUploaded > 0);
    for (const op of ['CreateDatasetImportJob', 'CreateSolutionVersion', 'CreateBatchSegmentJob']) assert.equal(first.calls[`personalize:${op}`], 1, op);
    assert.ok(first.report.length > 0, 'the evaluation summary is printed');
    const runInfo = JSON.parse(await readFile(join(w.dir, '.segflow/work/e2e/run-info.json'), 'utf8')) as RunInfo;
    assert.ok(runInfo.segmentFiles.length >= 1);
    await readFile(join(w.dir, '.segflow/work/e2e', runInfo.segmentFiles[0]!));

    const second = await applyJson(w.dir, w.spec);
    assert.equal(second.changes, 0);
    assert.equal(second.createCalls, 0);
    assert.equal(second.bytesUploaded, 0);
    assert.deepEqual(applied(second), []);

    const plan = await runCli(w.dir, ['plan', w.spec, '--detailed-exitcode']);
    assertOk(plan, 'plan');
    assert.match(plan.stdout, /No changes/);
    assert.deepEqual(await costly(w.dir, 'e2e').then((c) => [c.imports, c.versions, c.segments]), [1, 1, 1]);
  });

  test('a changed minInteractionsPerUser re-runs prepare -> upload -> import -> training -> segments -> evaluation, with the reason', async () => {
    const w = await workspace();
    await applyJson(w.dir, w.spec);
    await w.setSpec({ minInteractionsPerUser: 6 });
    const prepared = join(w.dir, '.segflow/work/e2e/interactions.csv');
    const before = await readFile(prepared, 'utf8');
    const plan = await runCli(w.dir, ['plan', w.spec, '--detailed-exitcode']);
    assert.equal(plan.code, 4, plan.stderr);
    assert.match(plan.stdout, /data\.interactions\.minInteractionsPerUser: 2 -> 6/);
    assert.equal(await readFile(prepared, 'utf8'), before, 'plan leaves the prepared files of the last apply alone');
    const staged = join(w.dir, '.segflow/plan-staging/.segflow/work/e2e');
    const stagedInode = (await stat(join(staged, 'interactions.csv'))).ino;
    const s = await applyJson(w.dir, w.spec);
    assert.deepEqual(applied(s), ['prepare', 'upload', 'import-interactions', 'training', 'metrics', 'segments', 'download', 'evaluate']);
    // The apply moved the plan's prepared files in (the same inode) rather than preparing them a second time.
    assert.match(s.steps.find((x) => x.id === 'prepare')?.note ?? '', /training rows, prepared by `segflow plan` and reused$/);
    assert.equal((await stat(prepared)).ino, stagedInode);
    await assert.rejects(access(staged), { code: 'ENOENT' });
  });

  test('a changed numResults re-runs only segments and evaluation', async () => {
    const w = await workspace();
    await applyJson(w.dir, w.spec);
    await w.setSpec({ count: 15 });
    const s = await applyJson(w.dir, w.spec);
    const cloud = applied(s).filter((id) => !['prepare', 'download', 'evaluate'].includes(id));
    assert.deepEqual(cloud, ['segments']);
    assert.ok(applied(s).includes('evaluate'));
    assert.equal(s.calls['personalize:CreateSolutionVersion'] ?? 0, 0);
    assert.equal(s.calls['personalize:CreateDatasetImportJob'] ?? 0, 0);
  });

  // kill -9 at every step boundary (a step's "done" line), while jobs are in flight, and inside training; each is
  // followed by an apply that completes with no duplicate costly resource.
  const boundaries = [
    'prepare',
    'bucket',
    'role',
    'dataset-group',
    'schema-interactions',
    'dataset-interactions',
    'upload',
    'import-interactions',
    'solution',
    'training',
    'metrics',
    'segments',
    'download',
  ];
  const kills: Array<[string, RegExp]> = [
    ...boundaries.map((id): [string, RegExp] => [`at the boundary after ${id}`, new RegExp(`\\[${id}\\] done`)]),
    ['while the import job is in flight', /\[import-interactions\] run/],
    ['inside training', /\[training\] training /],
    ['while the segment job is in flight', /\[segments\] run/],
  ];
  describe('kill -9 and resume', { concurrency: 2 }, () => {
    for (const [when, pattern] of kills) {
      test(`kill -9 ${when}, then apply completes without a duplicate costly resource`, async () => {
        const w = await workspace();
        const killed = await runCli(w.dir, ['apply', w.spec, '--auto-approve'], { killWhen: (out) => pattern.test(out) });
        assert.equal(killed.signal, 'SIGKILL', `the run finished before the kill point:\n${killed.stdout}`);
        const resumed = await applyJson(w.dir, w.spec);
        assert.equal(resumed.ok, true);
        const c = await costly(w.dir, 'e2e');
        assert.deepEqual([c.imports, c.versions, c.segments], [1, 1, 1], JSON.stringify(c.all));
        const again = await applyJson(w.dir, w.spec);
        assert.equal(again.changes, 0, `still changing after the resume: ${JSON.stringify(again.steps.filter((x) => x.outcome !== 'noop'))}`);
      });
    }
  });

  test('drift: a solution deleted out of band is recreated, and what depends on it re-runs', async () => {
    const w = await workspace();
    await applyJson(w.dir, w.spec);
    const { aws, close } = await inspect(w.dir);
    try {
      await aws.personalize.send(new DeleteSolutionCommand({ solutionArn: solutionArn('e2e') }));
      for (let i = 0; i < 200; i++) {
        try {
          await aws.personalize.send(new DescribeSolutionCommand({ solutionArn: solutionArn('e2e') }));
          await new Promise((r) => setTimeout(r, 50));
        } catch {
          break;
        }
      }
    } finally {
      await close();
    }
    const plan = await runCli(w.dir, ['plan', w.spec]);
    assertOk(plan, 'plan');
    assert.match(plan.stdout, /drifted: e2e-solution was deleted out of band/);
    const s = await applyJson(w.dir, w.spec);
    assert.ok(applied(s).includes('solution') && applied(s).includes('training'));
  });

  test('item-attribute-affinity with an items dataset: run, status, destroy', async () => {
    const w = await workspace({ name: 'attr', attributes: true });
    const s = await applyJson(w.dir, w.spec);
    assert.ok(applied(s).includes('import-items') && applied(s).includes('dataset-items'));
    const status = await runCli(w.dir, ['status', w.spec, '--json']);
    assertOk(status, 'status');
    const rows = (JSON.parse(status.stdout) as { rows: Array<{ id: string; live?: string }> }).rows;
    assert.equal(rows.find((r) => r.id === 'training')?.live, 'ACTIVE');
    assert.equal(rows.find((r) => r.id === 'dataset-items')?.live, 'ACTIVE');
    const d = await runCli(w.dir, ['destroy', w.spec, '--auto-approve', '--json']);
    assertOk(d, 'destroy');
    const gone = JSON.parse(d.stdout) as { deleted: string[]; undeletable: string[] };
    assert.ok(gone.deleted.includes('dataset attr-items') && gone.deleted.includes('dataset group attr-dsg'));
    assert.equal(gone.undeletable.filter((u) => u.startsWith('dataset import job')).length, 2);
  });

  test('throttling and server errors are retried; a failed training is reported and retried by the next apply', async () => {
    const w = await workspace();
    const flaky = await runCli(w.dir, ['apply', w.spec, '--auto-approve', '--json'], {
      env: { SEGFLOW_EMULATOR_FAULTS: JSON.stringify({ throttleRate: 0.15, errorRate: 0.05, seed: 7, failOperations: ['CreateSolutionVersion'] }) },
    });
    assert.equal(flaky.code, 1, flaky.stderr);
    assert.match(flaky.stderr, /RUN_RESOURCE_FAILED/);
    const s = await applyJson(w.dir, w.spec);
    assert.deepEqual(
      applied(s).filter((id) => id !== 'prepare'),
      ['training', 'metrics', 'segments', 'download', 'evaluate'],
    );
    const c = await costly(w.dir, 'e2e');
    assert.deepEqual([c.imports, c.versions, c.segments], [1, 1, 1]);
    assert.equal(c.all.versions.length, 2, 'the failed attempt stays, as on AWS');
  });

  test('the quick start: the Online Retail pipeline end to end, then nothing to do, then destroy', async () => {
    const w = await workspace();
    const pipeline = join(REPO, 'pipelines', 'online-retail.yaml');
    const first = await runCli(w.dir, ['apply', pipeline, '--auto-approve', '--json']);
    assertOk(first, 'quick start apply');
    const s = JSON.parse(first.stdout) as ApplyJson;
    assert.equal(s.ok, true);
    assert.ok(
      s.report.some((l) => /popularity/.test(l)),
      s.report.join('\n'),
    );
    const again = await applyJson(w.dir, pipeline);
    assert.equal(again.changes, 0);
    assertOk(await runCli(w.dir, ['destroy', pipeline, '--auto-approve']), 'destroy');
  });

  test('refusals (exit 3): no terminal without --auto-approve, budget, lock held', async () => {
    const w = await workspace({ maxUsd: 0.0001 });
    const budget = await runCli(w.dir, ['apply', w.spec, '--auto-approve']);
    assert.equal(budget.code, 3, budget.stderr);
    assert.match(budget.stderr, /PLAN_OVER_BUDGET/);
    await w.setSpec({ maxUsd: 25 });
    const noTty = await runCli(w.dir, ['apply', w.spec]);
    assert.equal(noTty.code, 3, noTty.stderr);
    assert.match(noTty.stderr, /APPLY_NOT_CONFIRMED/);
    await mkdir(join(w.dir, '.segflow/state'), { recursive: true });
    await writeFile(join(w.dir, '.segflow/state/e2e.json.lock'), JSON.stringify({ pid: process.pid, host: hostname(), command: 'apply', since: 'now' }));
    const locked = await runCli(w.dir, ['apply', w.spec, '--auto-approve']);
    assert.equal(locked.code, 3, locked.stderr);
    assert.match(locked.stderr, new RegExp(`pid ${process.pid}`));
  });

  test('a saved plan is applied as planned, and refused once the spec moved', async () => {
    const w = await workspace();
    const saved = await runCli(w.dir, ['plan', w.spec, '--out', 'e2e.plan.json']);
    assertOk(saved, 'plan --out');
    await w.setSpec({ count: 12 });
    const stale = await runCli(w.dir, ['apply', 'e2e.plan.json']);
    assert.equal(stale.code, 3, stale.stderr);
    assert.match(stale.stderr, /PLAN_STALE/);
    const fresh = await runCli(w.dir, ['plan', w.spec, '--out', 'e2e.plan.json']);
    assertOk(fresh, 'plan --out');
    assertOk(await runCli(w.dir, ['apply', 'e2e.plan.json']), 'apply PLAN');
  });

  test('destroy leaves nothing behind (checked with list calls) and is idempotent', async () => {
    const w = await workspace();
    await applyJson(w.dir, w.spec);
    const d = await runCli(w.dir, ['destroy', w.spec, '--auto-approve']);
    assertOk(d, 'destroy');
    assert.match(d.stdout, /AWS offers no delete for these/);
    assertOk(await runCli(w.dir, ['destroy', w.spec, '--auto-approve']), 'second destroy');
    const { aws, close } = await inspect(w.dir);
    try {
      const p = aws.personalize;
      const groups = (await p.send(new ListDatasetGroupsCommand({}))).datasetGroups ?? [];
      assert.deepEqual(
        groups.map((g) => g.name),
        [],
      );
      assert.deepEqual((await p.send(new ListSolutionsCommand({}))).solutions ?? [], []);
      assert.deepEqual((await p.send(new ListDatasetsCommand({}))).datasets ?? [], []);
      assert.deepEqual(
        ((await p.send(new ListSchemasCommand({}))).schemas ?? []).map((s) => s.name),
        [],
      );
      await assert.rejects(aws.s3.send(new HeadBucketCommand({ Bucket: 'segflow-e2e' })));
      await assert.rejects(aws.iam.send(new GetRoleCommand({ RoleName: 'e2e-personalize' })));
    } finally {
      await close();
    }
  });
});
