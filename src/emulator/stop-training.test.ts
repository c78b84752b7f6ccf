import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateDatasetImportJobCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  DeleteSolutionCommand,
  DescribeDatasetImportJobCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
  StopSolutionVersionCreationCommand,
} from '@aws-sdk/client-personalize';
import { ACCOUNT, grantPersonalize, REGION, waitFor, withEmulator } from '../../test/support/emulator.js';
import { activeDataset, bucketWithData } from '../../test/support/emulator-flow.js';

test('StopSolutionVersionCreation: a training version stays CREATE STOPPING for a while (several describes, fast lifecycle), then CREATE STOPPED', async () => {
  await withEmulator(async (_e, c) => {
    const p = c.personalize;
    await bucketWithData(c, { account: ACCOUNT, region: REGION, partition: 'aws' }, 'stop-data');
    const roleArn = await grantPersonalize(c, 'stop-data');
    const { datasetGroupArn, datasetArn } = await activeDataset(c, 'stop');
    const { datasetImportJobArn } = await p.send(new CreateDatasetImportJobCommand({ jobName: 'i', datasetArn, roleArn, dataSource: { dataLocation: 's3://stop-data/data/interactions.csv' } }));
    await waitFor(() => p.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn })), (r) => r.datasetImportJob?.status === 'ACTIVE', 'import');
    const { solutionArn } = await p.send(new CreateSolutionCommand({ name: 's', datasetGroupArn, recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity', performAutoTraining: false }));
    await waitFor(() => p.send(new DescribeSolutionCommand({ solutionArn })), (r) => r.solution?.status === 'ACTIVE', 'solution');
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
