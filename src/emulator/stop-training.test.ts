import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSolutionVersionCommand, DeleteSolutionCommand, DescribeSolutionVersionCommand, StopSolutionVersionCreationCommand } from '@aws-sdk/client-personalize';
import { ACCOUNT, REGION, waitFor, withEmulator } from '../../test/support/emulator.js';
import { bucketWithData, importedSolution } from '../../test/support/emulator-flow.js';

test('StopSolutionVersionCreation: a training version stays CREATE STOPPING for a while (several describes, fast lifecycle), then CREATE STOPPED', async () => {
  await withEmulator(async (_e, c) => {
    const p = c.personalize;
    const scope = { account: ACCOUNT, region: REGION, partition: 'aws' };
    await bucketWithData(c, scope, 'stop-data');
    const { solutionArn } = await importedSolution(c, scope, 'stop-data', 'stop');
    const { solutionVersionArn } = await p.send(new CreateSolutionVersionCommand({ solutionArn }));
    const describe = async () => (await p.send(new DescribeSolutionVersionCommand({ solutionVersionArn }))).solutionVersion?.status;
    await waitFor(describe, (s) => s !== 'CREATE PENDING', 'training to start');
    assert.equal(await describe(), 'CREATE IN_PROGRESS');

    await p.send(new StopSolutionVersionCreationCommand({ solutionVersionArn }));
    const seen: string[] = [];
    const stopped = Date.now();
    for (;;) {
      const s = (await describe()) ?? '';
      seen.push(s);
      if (s !== 'CREATE STOPPING' || Date.now() - stopped > 5_000) break;
      // In flight: the solution cannot be deleted and cannot train again yet.
      if (seen.length === 2) {
        await assert.rejects(p.send(new DeleteSolutionCommand({ solutionArn })), { name: 'ResourceInUseException' });
        await assert.rejects(p.send(new CreateSolutionVersionCommand({ solutionArn })), { name: 'ResourceInUseException' });
      }
      await new Promise((r) => setTimeout(r, 30));
    }
    const stopping = seen.filter((s) => s === 'CREATE STOPPING').length;
    assert.ok(stopping >= 3, `CREATE STOPPING seen ${stopping} times: ${seen.join(', ')}`);
    assert.equal(seen[seen.length - 1], 'CREATE STOPPED', seen.join(', '));
    assert.ok(Date.now() - stopped >= 150, 'stopping took the lifecycle steps it should');
  });
});
