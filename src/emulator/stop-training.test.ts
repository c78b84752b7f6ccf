import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSolutionVersionCommand,
  DeleteSolutionCommand,
  DescribeSolutionVersionCommand,
  StopSolutionVersionCreationCommand,
} from '@aws-sdk/client-personalize';
import { ACCOUNT, REGION, waitFor, withEmulator } from '../../test/support/emulator.js';
import { bucketWithData, importedSolution } from '../../test/support/emulator-flow.js';

/**
 * No race with the machine's speed: the training waits (fault trainingDelayMs) until it is stopped, so it is always
 * caught in progress; a status step is 300 ms, so CREATE STOPPING (10 steps) lasts 3 s, and what is checked while it
 * lasts is checked right after the first describe that saw it.
 */
test('StopSolutionVersionCreation: a training version stays CREATE STOPPING for 10 lifecycle steps, in flight, then CREATE STOPPED', async () => {
  await withEmulator(
    async (_emu, c) => {
      const p = c.personalize;
      const scope = { account: ACCOUNT, region: REGION, partition: 'aws' };
      await bucketWithData(c, scope, 'stop-data');
      const { solutionArn } = await importedSolution(c, scope, 'stop-data', 'stop');
      const { solutionVersionArn } = await p.send(new CreateSolutionVersionCommand({ solutionArn }));
      const describe = async () => (await p.send(new DescribeSolutionVersionCommand({ solutionVersionArn }))).solutionVersion?.status;
      await waitFor(describe, (s) => s === 'CREATE IN_PROGRESS', 'training to start', 60_000);

      const stopped = Date.now();
      await p.send(new StopSolutionVersionCreationCommand({ solutionVersionArn }));
      assert.equal(await describe(), 'CREATE STOPPING');
      // In flight: the solution cannot be deleted and cannot train again yet.
      await assert.rejects(p.send(new DeleteSolutionCommand({ solutionArn })), { name: 'ResourceInUseException' });
      await assert.rejects(p.send(new CreateSolutionVersionCommand({ solutionArn })), { name: 'ResourceInUseException' });
      const seen = [await describe()];
      while (seen[seen.length - 1] === 'CREATE STOPPING') seen.push(await waitFor(describe, (s) => s !== seen[seen.length - 1], 'the stop to settle', 60_000));
      assert.deepEqual(seen.slice(-1), ['CREATE STOPPED'], seen.join(', '));
      // It took the 10 steps it should (a slow machine only makes this longer).
      assert.ok(Date.now() - stopped >= 9 * 300, `stopping took ${Date.now() - stopped} ms`);
    },
    { faults: { trainingDelayMs: 600_000 }, lifecycleStepMs: 300 },
  );
});
