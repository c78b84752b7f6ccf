import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateDatasetGroupCommand, DescribeSolutionVersionCommand, StopSolutionVersionCreationCommand } from '@aws-sdk/client-personalize';
import type { ApplySummary } from '../../src/engine/apply.js';
import type { StandaloneEmulator } from '../reliability/support.js';
import { emulatorCalls, pipeline, removePipelines, resetCalls, strictEmulator, trainingInProgress, useRestartableEmulator, versionsOf } from './support.js';
import { show } from '../support/run-cli.js';

describe('scenarios: a quota reached (strict emulator, one dataset group allowed)', () => {
  let emu: StandaloneEmulator | undefined;
  after(async () => {
    await emu?.stop();
    await removePipelines();
  });

  test('a dataset-group quota already used up: AWS_QUOTA naming the quota as AWS words it, after exactly one request', async () => {
    emu = await strictEmulator(['--quotas', 'datasetGroups=1']);
    await emu.aws.personalize.send(new CreateDatasetGroupCommand({ name: 'another-teams-group' }));
    const p = await pipeline(emu, { name: 'overquota' });
    await resetCalls(emu);
    const r = await p.cli(['apply', p.spec, '--auto-approve']);
    assert.equal(r.code, 1, show(r));
    assert.match(
      r.stderr,
      /error AWS_QUOTA: dataset-group: creating overquota-dsg failed: a personalize quota was reached: LimitExceededException: Cannot create a dataset group\. More than 1 resources in ACTIVE state/,
    );
    assert.match(r.stderr, /Service Quotas console/);
    // The SDK would retry a LimitExceededException as throttling; segflow asks once.
    assert.equal(await emulatorCalls(emu, 'personalize', 'CreateDatasetGroup'), 1);
    assert.equal(await emulatorCalls(emu, 'personalize', 'CreateSolutionVersion'), 0);
  });
});

describe('scenarios: a training stopped out of band (strict emulator, restarted with realistic timing)', () => {
  const server = useRestartableEmulator();

  test('the next apply waits for CREATE STOPPING to end, then trains anew: a stopping training is neither failed nor adopted', async () => {
    let emu = await server.start();
    const p = await pipeline(emu, { name: 'halt' });
    await p.apply();
    // From now on a training waits before it learns (fault train-delay): it is surely caught in progress.
    await emu.setFaults({ trainingDelayMs: 600_000 });
    const trained = (await p.state()).steps['training']!.arn!;

    // New inputs: apply starts a new training, and is stopped (with the emulator) while it trains; the training
    // stays CREATE IN_PROGRESS, as it would on AWS while nobody watches.
    await p.set({ minInteractionsPerUser: 3 });
    const run = p.start(['apply', p.spec, '--auto-approve']);
    const inProgress = await trainingInProgress(emu, 'halt');
    await server.stop();
    run.child.kill('SIGKILL');
    await run.done;

    // The emulator comes back (same endpoint) with realistic timing (a status step every 2 s, so stopping takes 20 s),
    // and the resumed training held at its start (fault train-delay) so it is surely still in progress: no race with
    // the machine's speed. Someone stops it in the console; then the next apply starts, while it is stopping.
    emu = await server.start(['--lifecycle', 'realistic', '--faults', 'train-delay=600000']);
    const describeVersion = async (arn: string) =>
      (await emu.aws.personalize.send(new DescribeSolutionVersionCommand({ solutionVersionArn: arn }))).solutionVersion!.status;
    for (const deadline = Date.now() + 120_000; (await describeVersion(inProgress)) !== 'CREATE IN_PROGRESS' && Date.now() < deadline; await sleep(20));
    assert.equal(await describeVersion(inProgress), 'CREATE IN_PROGRESS', 'the training did not resume');
    await emu.aws.personalize.send(new StopSolutionVersionCreationCommand({ solutionVersionArn: inProgress }));
    assert.equal(await describeVersion(inProgress), 'CREATE STOPPING');
    await emu.setFaults({}); // the next training trains at once
    const next = p.start(['apply', p.spec, '--auto-approve', '--json']);

    const done = await next.done;
    assert.equal(done.code, 0, show(done));
    const summary = JSON.parse(done.stdout) as ApplySummary;
    assert.match(done.stderr, /\[training\] run \(the previous attempt is being stopped \(CREATE STOPPING\)/);
    assert.match(done.stderr, /\[training\] previous training CREATE STOPPING: waiting until it has stopped/);
    assert.equal(summary.calls['personalize:CreateSolutionVersion'], 1, 'one new training');
    const versions = await versionsOf(emu.aws, 'halt');
    assert.deepEqual(versions.map((v) => [v.arn === trained ? 'first' : v.arn === inProgress ? 'stopped' : 'new', v.status]).sort(), [
      ['first', 'ACTIVE'],
      ['new', 'ACTIVE'],
      ['stopped', 'CREATE STOPPED'],
    ]);
    const state = await p.state();
    assert.ok(state.steps['training']!.arn !== inProgress && state.steps['training']!.arn !== trained);
    assert.equal(state.steps['training']!.phase, 'done');
  });
});
