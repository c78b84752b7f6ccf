import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeSolutionCommand, UpdateSolutionCommand } from '@aws-sdk/client-personalize';
import { PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import type { StandaloneEmulator } from '../reliability/support.js';
import {
  assertChanges,
  bucketExists,
  changes,
  emulatorCalls,
  jobsOf,
  objectVersions,
  pipeline,
  strictEmulator,
  useStrictEmulator,
  versionsOf,
} from './support.js';

/** The users of every segment in the segments the last apply downloaded. */
async function downloadedSegments(dir: string, name: string): Promise<string[][]> {
  const text = await readFile(join(dir, '.segflow', 'work', name, 'segments', 'batch-input.jsonl.out'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { output: { usersList: string[] } }).output.usersList);
}

describe('scenarios: a pipeline through its life (strict emulator: page size 2, IAM propagation 1 s)', () => {
  let emu: StandaloneEmulator;
  useStrictEmulator((e) => (emu = e));

  test('a role created moments ago: the first apply waits for IAM to propagate, says so, and imports once', async () => {
    // An emulator of its own, whose IAM takes 12 s to propagate: the import surely comes before that, however busy
    // the machine (with 1 s, a slow prepare and upload could let the role settle first and the test see nothing).
    const slow = await strictEmulator(['--iam-propagation-delay', '12']);
    try {
      await freshRoleWaits(slow);
    } finally {
      await slow.stop();
    }
  });

  async function freshRoleWaits(emu: StandaloneEmulator): Promise<void> {
    const p = await pipeline(emu, { name: 'fresh' });
    const r = await p.apply();
    assert.match(r.stdout, /waiting for the IAM role and bucket policy to propagate/);
    // Refused while the new role propagated, then accepted: the same job, never a second one.
    assert.ok((await emulatorCalls(emu, 'personalize', 'CreateDatasetImportJob')) >= 2, 'the import was not refused first: is propagation on?');
    const { imports, segments } = await jobsOf(emu.aws, 'fresh');
    assert.deepEqual(
      imports.map((j) => j.status),
      ['ACTIVE'],
    );
    assert.deepEqual(
      segments.map((j) => j.status),
      ['ACTIVE'],
    );
  }

  test('apply, destroy, apply: fresh segments from a new job name, exactly one new training, no RUN_NO_SEGMENTS', async () => {
    const p = await pipeline(emu, { name: 'again' });
    await p.apply();
    const firstJob = (await p.state()).steps['segments']!.name!;
    await p.destroy();
    assert.deepEqual(await versionsOf(emu.aws, 'again'), [], 'the solution went with its versions');

    // The old job keeps its name forever (AWS cannot delete it) but its training and output are gone: a plain run
    // (nothing of this state's drifted), with a note naming the old job, and a new job runs under the next name.
    const plan = await p.plan();
    const segments = changes(plan)['segments'];
    assert.equal(segments?.action, 'run');
    assert.ok(!segments.reasons.some((r) => /drift/.test(r)), segments.reasons.join('; '));
    const step = plan.steps.find((s) => s.id === 'segments')!;
    assert.ok(
      (step.notes ?? []).some((n) => n.startsWith(`${firstJob} is an earlier run's job`)),
      JSON.stringify(step),
    );

    const { run, summary } = await p.applyJson();
    assert.doesNotMatch(run.stdout + run.stderr, /RUN_NO_SEGMENTS/);
    assert.equal(summary.calls['personalize:CreateSolutionVersion'], 1, 'one new training after the destroy');
    assert.equal(summary.calls['personalize:CreateBatchSegmentJob'], 1);
    const state = await p.state();
    assert.equal(state.steps['segments']!.name, `${firstJob}-2`);
    const versions = await versionsOf(emu.aws, 'again');
    assert.deepEqual(
      versions.map((v) => v.status),
      ['ACTIVE'],
    );
    const { segments: jobs } = await jobsOf(emu.aws, 'again');
    assert.deepEqual(jobs.map((j) => j.name).sort(), [firstJob, `${firstJob}-2`]);
    // The segments downloaded are the new job's: one line per query, each with users.
    const downloaded = await downloadedSegments(p.dir, 'again');
    assert.equal(downloaded.length, 20);
    assert.ok(downloaded.every((users) => users.length > 0));
    assert.equal((await p.plan()).changes, 0);
  });

  // Going back to earlier inputs adopts their import job, training and segment job (plan and apply agree: the
  // segment job is judged against the training the run adopts, not the one recorded) and pays for no import while
  // nothing reads the rows. A FULL import replaces the dataset's rows, so a new training of those inputs (say, a
  // changed hiddenDimension) must get them back first: one import, then the training.
  test('many trainings across list pages: going back to earlier inputs adopts their training, segments and import; a new training gets its rows back first', async () => {
    const p = await pipeline(emu, { name: 'backforth' });
    const trained: Record<number, string> = {};
    const imported: Record<number, string> = {};
    for (const min of [2, 3, 4]) {
      await p.set({ minInteractionsPerUser: min });
      await p.apply();
      trained[min] = (await p.state()).steps['training']!.arn!;
      imported[min] = (await p.state()).steps['import-interactions']!.name!;
    }
    const versions = await versionsOf(emu.aws, 'backforth');
    assert.equal(versions.length, 3, 'three trainings, listed over two pages');
    assert.ok(versions.every((v) => v.status === 'ACTIVE'));
    const firstImport = imported[2]!;
    assert.deepEqual((await jobsOf(emu.aws, 'backforth')).imports.map((j) => j.name).sort(), Object.values(imported).sort(), 'one import per input');

    await p.set({ minInteractionsPerUser: 2 });
    assertChanges(await p.plan(), {
      prepare: ['run', 'data.interactions.minInteractionsPerUser: 4 -> 2'],
      upload: ['run', 'interactions.csv'],
      'import-interactions': ['adopt', 'exists but is not in the state'],
      training: ['adopt', 'exists but is not in the state'],
      metrics: ['run', 'after training'],
      segments: ['adopt', 'exists but is not in the state'],
      download: ['run', 'after segments'],
      evaluate: ['run', 'after download'],
    });
    const { summary } = await p.applyJson();
    assert.equal(summary.calls['personalize:CreateSolutionVersion'], undefined, 'no new training');
    assert.equal(summary.calls['personalize:CreateBatchSegmentJob'], undefined, 'no new segment job');
    assert.equal(summary.calls['personalize:CreateDatasetImportJob'], undefined, 'no import paid for again: nothing reads its rows');
    assert.equal((await p.state()).steps['training']!.arn, trained[2]);
    assert.equal((await versionsOf(emu.aws, 'backforth')).length, 3);
    assert.equal((await p.state()).steps['import-interactions']!.name, firstImport);
    assert.equal((await p.plan()).changes, 0);

    // The next training learns from the rows the spec says: they are imported again first, once.
    await p.set({ hiddenDimension: 64 });
    const plan = changes(await p.plan());
    assert.equal(plan['import-interactions']?.action, 'run');
    assert.match(plan['import-interactions'].reasons.join('|'), /a later import .* replaced the rows .*training will learn from them/);
    const retrain = await p.applyJson();
    assert.equal(retrain.summary.calls['personalize:CreateDatasetImportJob'], 1);
    assert.equal(retrain.summary.calls['personalize:CreateSolutionVersion'], 1);
    assert.equal((await p.state()).steps['import-interactions']!.name, `${firstImport}-2`);
    assert.equal((await p.plan()).changes, 0);
  });

  test('auto-training switched on out of band: plan shows an update of the solution, apply turns it off without retraining', async () => {
    const p = await pipeline(emu, { name: 'autotrain' });
    await p.apply();
    const solutionArn = `arn:aws:personalize:us-east-1:000000000000:solution/autotrain-solution`;
    await emu.aws.personalize.send(
      new UpdateSolutionCommand({
        solutionArn,
        performAutoTraining: true,
        solutionUpdateConfig: { autoTrainingConfig: { schedulingExpression: 'rate(7 days)' } },
      }),
    );
    const before = await versionsOf(emu.aws, 'autotrain');
    assertChanges(await p.plan(), { solution: ['update', 'performAutoTraining: true -> false'] });
    const { summary } = await p.applyJson();
    assert.equal(summary.calls['personalize:UpdateSolution'], 1);
    assert.equal(summary.calls['personalize:CreateSolutionVersion'], undefined);
    assert.equal(summary.calls['personalize:DeleteSolution'], undefined);
    assert.deepEqual(await versionsOf(emu.aws, 'autotrain'), before);
    const solution = (await emu.aws.personalize.send(new DescribeSolutionCommand({ solutionArn }))).solution!;
    assert.equal(solution.performAutoTraining, false);
    assert.equal((await p.plan()).changes, 0);
  });

  test("a versioned bucket: destroy removes every version of segflow's objects, then the bucket segflow created", async () => {
    const p = await pipeline(emu, { name: 'versioned' });
    await p.apply();
    await emu.aws.s3.send(new PutBucketVersioningCommand({ Bucket: 'segflow-versioned', VersioningConfiguration: { Status: 'Enabled' } }));
    // New queries: the batch input is written again (a second version) and a new segment job writes its output.
    await p.set({ sample: 15 });
    await p.apply();
    const versions = await objectVersions(emu.aws, 'segflow-versioned');
    assert.ok(versions.filter((k) => k === 'versioned/batch/batch-input.jsonl').length >= 2, versions.join('\n'));
    assert.ok(versions.filter((k) => k.startsWith('versioned/output/versioned-seg-')).length >= 2, versions.join('\n'));
    const d = await p.destroy();
    assert.match(d.stdout, new RegExp(`${versions.length} object version\\(s\\) segflow wrote`));
    assert.equal(await bucketExists(emu.aws, 'segflow-versioned'), false);
  });
});
