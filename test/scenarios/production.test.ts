import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListDatasetGroupsCommand, ListSolutionsCommand } from '@aws-sdk/client-personalize';
import type { RunInfo } from '../../src/data/artifacts.js';
import type { PipelineState } from '../../src/state/types.js';
import type { StandaloneEmulator } from '../reliability/support.js';
import { assertChanges, jobsOf, pipeline, useStrictEmulator } from './support.js';
import { show } from '../support/run-cli.js';

/**
 * Production runs (no split): segments for the items a marketer chooses, trained on all the data, delivered to S3 at
 * a stable key, refreshed without ever paying twice. Through the built CLI against the strict standalone emulator.
 */

/** A catalog of `items` products, each bought by two users, and `users` customers with a few more purchases each. */
function catalogLog(items: number, users: number): string {
  const rows = ['user,item,ts'];
  const at = (k: number) => new Date(Date.UTC(2021, 0, 1) + (k % 180) * 86_400_000 + (k % 997) * 1000).toISOString();
  for (let j = 0; j < items; j++) {
    rows.push(`u${j % users},i${j},${at(j)}`, `u${(j * 7 + 3) % users},i${j},${at(j + 500)}`);
  }
  for (let u = 0; u < users; u++) rows.push(`u${u},i${(u * 13) % items},${at(u + 1000)}`, `u${u},i${(u * 29 + 1) % items},${at(u + 2000)}`);
  return rows.join('\n') + '\n';
}

async function s3Text(emu: StandaloneEmulator, bucket: string, key: string): Promise<string> {
  const r = await emu.aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await r.Body!.transformToString()).toString();
}

/** Every key under a prefix (the strict emulator answers two per page). */
async function s3Keys(emu: StandaloneEmulator, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const r = await emu.aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
    keys.push(...(r.Contents ?? []).map((o) => o.Key!));
    ContinuationToken = r.NextContinuationToken;
  } while (ContinuationToken);
  return keys.sort();
}

/** query -> users, from a segments.csv (query,rank,user). */
function segmentsOf(csv: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of csv.trim().split('\n').slice(1)) {
    const [q, , u] = line.split(',') as [string, string, string];
    out.set(q, [...(out.get(q) ?? []), u]);
  }
  return out;
}

/** Users who meet minInteractionsPerUser over the whole log: who a production run trains on (and is billed for). */
function usersWithAtLeast(csv: string, min: number): number {
  const counts = new Map<string, number>();
  for (const line of csv.trim().split('\n').slice(1)) counts.set(line.split(',')[0]!, (counts.get(line.split(',')[0]!) ?? 0) + 1);
  return [...counts.values()].filter((n) => n >= min).length;
}

describe('production runs', () => {
  let emu: StandaloneEmulator;
  useStrictEmulator((e) => (emu = e));

  test('no split, chosen ids: the plan prices every user of the whole period; one delivered segment per known id; unknown ids named and left out', async () => {
    const p = await pipeline(emu, { name: 'prod-ids', production: true, queries: '{ items: { ids: [i3, i10, i17, nope] } }' });
    const data = await readFile(join(p.dir, 'data.csv'), 'utf8');
    const plan = await p.plan();
    const users = usersWithAtLeast(data, 2);
    assert.equal(plan.cost.segments?.users, users, 'billed users: everyone who meets the minimum over the whole period');
    assert.equal(plan.cost.segments?.queries, 3, 'the unknown id is not queried');
    assert.ok(
      plan.notes?.some((n) => /1 chosen item never occurs in the training interactions \(e\.g\. nope\)/.test(n)),
      JSON.stringify(plan.notes),
    );
    assert.ok(
      plan.notes?.some((n) => /keeping the 1 unknown item .* would add \$/.test(n)),
      JSON.stringify(plan.notes),
    );
    const text = await p.cli(['plan', p.spec]);
    assert.match(text.stdout, /never occurs in the training interactions/);
    await p.apply();
    const latest = await s3Text(emu, 'segflow-prod-ids', 'prod-ids/segments/prod-ids/latest/segments.csv');
    const segments = segmentsOf(latest);
    assert.deepEqual([...segments.keys()], ['i3', 'i10', 'i17']);
    for (const [q, us] of segments) assert.equal(us.length, 10, `segment ${q} has numResults users`);
    const state = await p.state();
    const runId = state.steps['download']!.outputs!['runId'] as string;
    assert.equal(await s3Text(emu, 'segflow-prod-ids', `prod-ids/segments/prod-ids/runs/${runId}/segments.csv`), latest);
    assert.deepEqual(changesOf(await p.plan()), [], 'a second plan changes nothing');
  });

  test('two segmentations (both recipes) share one dataset group and one interactions import, and train two solutions', async () => {
    const p = await pipeline(emu, {
      name: 'shop',
      production: true,
      segmentations: [
        '  - name: products',
        '    recipe: aws-item-affinity',
        '    queries: { items: { ids: [i1, i2, i3] } }',
        '    segments: { numResults: { count: 5 } }',
        '  - name: categories',
        '    recipe: aws-item-attribute-affinity',
        '    queries: { attributes: { top: 3, attribute: CATEGORY } }',
        '    segments: { numResults: { count: 8 } }',
      ],
    });
    await p.apply();
    const groups = (await emu.aws.personalize.send(new ListDatasetGroupsCommand({}))).datasetGroups!.filter((g) => g.name!.startsWith('shop-'));
    assert.equal(groups.length, 1);
    const solutions = (await emu.aws.personalize.send(new ListSolutionsCommand({ datasetGroupArn: groups[0]!.datasetGroupArn })))
      .solutions!.map((s) => s.name)
      .sort();
    assert.deepEqual(solutions, ['shop-sol-attr', 'shop-sol-item']);
    const jobs = await jobsOf(emu.aws, 'shop');
    assert.equal(jobs.imports.filter((j) => j.name.startsWith('shop-imp-int-')).length, 1, 'the interactions are imported once');
    const products = segmentsOf(await s3Text(emu, 'segflow-shop', 'shop/segments/products/latest/segments.csv'));
    const byCategory = segmentsOf(await s3Text(emu, 'segflow-shop', 'shop/segments/categories/latest/segments.csv'));
    assert.deepEqual([...products.keys()], ['i1', 'i2', 'i3']);
    assert.equal(byCategory.size, 3);
    for (const us of byCategory.values()) assert.equal(us.length, 8);
  });

  test('refresh: changed data makes a new run beside the old one, latest/ follows it, and changes count who entered, stayed and left', async () => {
    const p = await pipeline(emu, { name: 'refresh', production: true, count: 10, queries: '{ items: { ids: [i3, i10, i17] } }' });
    await p.apply();
    const first = (await p.state()).steps['download']!.outputs!['runId'] as string;
    await appendFile(
      join(p.dir, 'data.csv'),
      Array.from({ length: 60 }, (_, k) => `u${900 + (k % 20)},i${[3, 10, 17][k % 3]},2021-07-25T00:00:00Z`).join('\n') + '\n',
    );
    await p.apply();
    const state = await p.state();
    const second = state.steps['download']!.outputs!['runId'] as string;
    assert.notEqual(second, first);
    const base = 'refresh/segments/refresh/';
    assert.deepEqual(
      await s3Keys(emu, 'segflow-refresh', base),
      [
        `${base}latest/changes.csv`,
        `${base}latest/segments.csv`,
        ...[`${base}runs/${first}/segments.csv`, `${base}runs/${second}/changes.csv`, `${base}runs/${second}/segments.csv`].sort(),
      ].sort(),
    );
    const before = segmentsOf(await s3Text(emu, 'segflow-refresh', `${base}runs/${first}/segments.csv`));
    const now = segmentsOf(await s3Text(emu, 'segflow-refresh', `${base}latest/segments.csv`));
    let entered = 0;
    let stayed = 0;
    let left = 0;
    for (const q of new Set([...before.keys(), ...now.keys()])) {
      const a = new Set(before.get(q) ?? []);
      const b = new Set(now.get(q) ?? []);
      stayed += [...b].filter((u) => a.has(u)).length;
      entered += [...b].filter((u) => !a.has(u)).length;
      left += [...a].filter((u) => !b.has(u)).length;
    }
    assert.ok(entered > 0, 'the new buyers enter some segments');
    const info = JSON.parse(await readFile(join(p.dir, '.segflow', 'work', 'refresh', 'run-info.json'), 'utf8')) as RunInfo;
    assert.deepEqual(info.changes, { previousRunId: first, entered, stayed, left, queriesAdded: 0, queriesRemoved: 0 });
    const changesCsv = (await s3Text(emu, 'segflow-refresh', `${base}latest/changes.csv`)).trim().split('\n');
    assert.equal(changesCsv[0], 'query,entered,stayed,left');
    assert.equal(changesCsv.length, 4);
  });

  test('from the experiment to production in one edit: plan says what re-runs and prices every user of the whole period', async () => {
    const p = await pipeline(emu, { name: 'switch', queries: '{ items: { sample: 20, seed: 1 } }' });
    await p.apply();
    const experiment = await p.plan();
    assert.equal(experiment.changes, 0);
    await p.set({ production: true, queries: '{ items: { ids: [i3, i10, i17] } }' });
    const plan = await p.plan();
    assertChanges(plan, {
      prepare: ['run', 'split'],
      upload: ['run', 'interactions.csv'],
      'import-interactions': ['run', 'sha256'],
      training: ['run', 'interactions'],
      metrics: ['run', 'training'],
      segments: ['run', 'training'],
      download: ['run', 'segments'],
      evaluate: ['run', 'download'],
    });
    const data = await readFile(join(p.dir, 'data.csv'), 'utf8');
    assert.equal(plan.cost.segments?.users, usersWithAtLeast(data, 2), 'every user of the whole period is billed');
    assert.ok(plan.cost.trainingHours, 'the training is priced');
    await p.apply();
    assert.deepEqual([...segmentsOf(await s3Text(emu, 'segflow-switch', 'switch/segments/switch/latest/segments.csv')).keys()], ['i3', 'i10', 'i17']);
  });

  test('queries.items.source on S3 (a glob of campaign files) is read like every other source, and a new file re-runs only the jobs', async () => {
    await emu.aws.s3.send(new CreateBucketCommand({ Bucket: 'marketing-lake' }));
    const put = (key: string, body: string) => emu.aws.s3.send(new PutObjectCommand({ Bucket: 'marketing-lake', Key: key, Body: body }));
    await put('campaigns/week-1.csv', 'ITEM_ID\ni3\ni10\n');
    const p = await pipeline(emu, { name: 'lake', production: true, queries: '{ items: { source: "s3://marketing-lake/campaigns/*.csv" } }' });
    await p.apply();
    assert.deepEqual([...segmentsOf(await s3Text(emu, 'segflow-lake', 'lake/segments/lake/latest/segments.csv')).keys()], ['i3', 'i10']);
    await put('campaigns/week-2.csv', 'ITEM_ID\ni17\n');
    const plan = await p.plan();
    assertChanges(plan, {
      prepare: ['run', 'sources.s3://marketing-lake/campaigns/week-2.csv: (none) -> etag'],
      upload: ['run', 'batch'],
      segments: ['run', 'queries'],
      download: ['run', 'segments'],
      evaluate: ['run', 'download'],
    });
    await p.apply();
    assert.deepEqual([...segmentsOf(await s3Text(emu, 'segflow-lake', 'lake/segments/lake/latest/segments.csv')).keys()], ['i3', 'i10', 'i17']);
  });
});

// A second emulator: Personalize allows 5 active dataset groups per region (one per pipeline), as the strict emulator does.
describe('production runs: exports and retention', () => {
  let emu: StandaloneEmulator;
  useStrictEmulator((e) => (emu = e));

  test('segments --with-users joins columns of the users source that never go to Personalize; --query and jsonl', async () => {
    const p = await pipeline(emu, { name: 'mail', production: true, usersData: true, queries: '{ items: { ids: [i3, i10] } }' });
    await p.apply();
    const uploaded = await s3Text(emu, 'segflow-mail', 'mail/input/users.csv');
    assert.doesNotMatch(uploaded, /@example\.com/, 'the e-mail column is not imported');
    const r = await p.cli(['segments', p.spec, '--with-users', 'email,country']);
    assert.equal(r.code, 0, show(r));
    const [header, ...rows] = r.stdout.trim().split('\n');
    assert.equal(header, 'query,rank,user,email,country');
    assert.equal(rows.length, 20);
    for (const row of rows) {
      const [, , user, email, country] = row.split(',');
      assert.equal(email, `${user}@example.com`);
      assert.equal(country, ['GB', 'FR', 'DE'][Number(user!.slice(1)) % 3]);
    }
    const one = await p.cli(['segments', p.spec, '--query', 'i10', '--format', 'jsonl']);
    assert.equal(one.code, 0, show(one));
    const lines = one.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { query: string; rank: number; user: string });
    assert.deepEqual(
      lines.map((l) => [l.query, l.rank]),
      Array.from({ length: 10 }, (_, i) => ['i10', i + 1]),
    );
    const typo = await p.cli(['segments', p.spec, '--with-users', 'emial']);
    assert.equal(typo.code, 2, show(typo));
    assert.match(typo.stderr, /emial.*did you mean 'email'/);
  });

  test('storage.keepRuns: older runs are deleted after a delivery, latest/ stays, and destroy removes every delivered object', async () => {
    const p = await pipeline(emu, { name: 'keep', production: true, keepRuns: 1, queries: '{ items: { ids: [i3, i10] } }' });
    await p.apply();
    const first = (await p.state()).steps['download']!.outputs!['runId'] as string;
    await appendFile(join(p.dir, 'data.csv'), 'u950,i3,2021-07-25T00:00:00Z\nu950,i10,2021-07-26T00:00:00Z\n');
    await p.apply();
    const second = (await p.state()).steps['download']!.outputs!['runId'] as string;
    const keys = await s3Keys(emu, 'segflow-keep', 'keep/segments/');
    assert.ok(!keys.some((k) => k.includes(first)), `run ${first} is pruned: ${keys.join(', ')}`);
    assert.ok(keys.includes(`keep/segments/keep/runs/${second}/segments.csv`));
    assert.ok(keys.includes('keep/segments/keep/latest/segments.csv'));
    await p.destroy();
  });
});

describe('production runs: many queries, on the realistic lifecycle (jobs take seconds)', () => {
  let slow: StandaloneEmulator;
  useStrictEmulator((e) => (slow = e), ['--lifecycle', 'realistic']);

  test(
    '1,200 items from a file run as 3 jobs of <= 500; a kill -9 after the first job resumes without re-running it; 10 more items re-run one job',
    { timeout: 900_000 },
    async () => {
      const p = await pipeline(slow, { name: 'prod-many', production: true, count: 5, queries: '{ items: { source: queries.csv } }' });
      await writeFile(join(p.dir, 'data.csv'), catalogLog(1300, 400));
      const ids = Array.from({ length: 1200 }, (_, j) => `i${j}`);
      await writeFile(join(p.dir, 'queries.csv'), ['ITEM_ID', ...ids].join('\n') + '\n');
      const plan = await p.plan();
      const jobs = plan.steps.filter((s) => s.kind === 'segments');
      assert.deepEqual(
        jobs.map((s) => s.id),
        ['segments', 'segments/2', 'segments/3'],
      );
      assert.equal(plan.cost.segments?.queries, 1200);
      assert.equal(plan.cost.segments?.jobs, 3);
      assert.match(plan.cost.lines.find((l) => l.item === 'batch segments')!.quantity, /x 1,200 queries \(3 jobs\)/);

      // Once the first job is recorded done, every request is held for a minute (the runner is then certainly alive
      // and in the middle of the next job: on the realistic lifecycle a job takes seconds) and the runner is killed.
      const run = p.start(['apply', p.spec, '--auto-approve']);
      let killedWith: PipelineState | undefined;
      for (const deadline = Date.now() + 600_000; Date.now() < deadline && run.child.exitCode === null; await sleep(10)) {
        const s = await p.state().catch(() => undefined);
        if (s?.steps['segments']?.phase === 'done') {
          await slow.setFaults({ latencyMs: 60_000 });
          run.child.kill('SIGKILL');
          killedWith = s;
          break;
        }
      }
      const killed = await run.done;
      await slow.setFaults({});
      assert.equal(killed.signal, 'SIGKILL', `apply was to be killed after the first job:\n${show(killed)}`);
      assert.notEqual(killedWith!.steps['segments/3']?.phase, 'done', 'the kill came before the last job finished');
      const resumed = await p.applyJson();
      const byId = Object.fromEntries(resumed.summary.steps.map((s) => [s.id, s]));
      assert.equal(byId['segments']!.outcome, 'noop', 'the finished first job is not run again');
      const after = await jobsOf(slow.aws, 'prod-many');
      assert.equal(after.segments.length, 3, `one job per chunk, none twice: ${after.segments.map((j) => j.name).join(', ')}`);
      const delivered = segmentsOf(await s3Text(slow, 'segflow-prod-many', 'prod-many/segments/prod-many/latest/segments.csv'));
      assert.equal(delivered.size, 1200);

      await appendFile(join(p.dir, 'queries.csv'), Array.from({ length: 10 }, (_, j) => `i${1200 + j}`).join('\n') + '\n');
      assertChanges(await p.plan(), {
        prepare: ['run', 'queries.csv'],
        upload: ['run', 'batch'],
        'segments/3': ['run', 'queries'],
        download: ['run', 'segments/3'],
        evaluate: ['run', 'download'],
      });
      await p.apply();
      assert.equal((await jobsOf(slow.aws, 'prod-many')).segments.length, 4, 'only the last chunk ran again');
    },
  );
});

describe("production runs: the region's batch segment job slots are taken (quota 1, realistic lifecycle)", () => {
  let busy: StandaloneEmulator;
  useStrictEmulator((e) => (busy = e), ['--lifecycle', 'realistic', '--quotas', 'batchSegmentJobsInFlight=1']);

  test('two segmentations ready at once: the second job waits for a free slot instead of failing the run', { timeout: 900_000 }, async () => {
    const p = await pipeline(busy, {
      name: 'slots',
      production: true,
      segmentations: [
        '  - name: first',
        '    recipe: aws-item-affinity',
        '    queries: { items: { ids: [i1, i2] } }',
        '    segments: { numResults: { count: 5 } }',
        '  - name: second',
        '    recipe: aws-item-affinity',
        '    queries: { items: { ids: [i3, i4] } }',
        '    segments: { numResults: { count: 5 } }',
      ],
    });
    const r = await p.apply();
    // Both jobs depend on the one training and start together; a job takes seconds here, so one of them met the quota.
    assert.match(r.stdout, /\[segments:(first|second)\] waiting for a batch segment job slot \(Personalize runs 5 per region at once\)/);
    const jobs = await jobsOf(busy.aws, 'slots');
    assert.deepEqual(
      jobs.segments.map((j) => j.status),
      ['ACTIVE', 'ACTIVE'],
    );
  });
});

function changesOf(plan: { steps: Array<{ id: string; action: string }> }): string[] {
  return plan.steps.filter((s) => s.action !== 'noop').map((s) => s.id);
}
