import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateDatasetGroupCommand, DescribeDatasetGroupCommand, ListRecipesCommand, PersonalizeClient } from '@aws-sdk/client-personalize';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { parseFaultSpec } from './options.js';
import { CREDENTIALS, REGION, waitFor, withEmulator } from '../../test/support/emulator.js';

test('--faults syntax', () => {
  assert.deepEqual(parseFaultSpec('throttle=0.1,error=0.05,latency=20,fail=CreateSolutionVersion+CreateBatchSegmentJob,seed=7'), {
    throttleRate: 0.1,
    errorRate: 0.05,
    latencyMs: 20,
    failOperations: ['CreateSolutionVersion', 'CreateBatchSegmentJob'],
    seed: 7,
  });
  assert.throws(() => parseFaultSpec('throttle=2'), { code: 'EMU_FAULTS' });
  assert.throws(() => parseFaultSpec('explode=1'), { code: 'EMU_FAULTS' });
});

test("throttling and 500s are injected in each protocol's shape, and the SDK retries them", async () => {
  await withEmulator(
    async (emu, c) => {
      await assert.rejects(c.personalize.send(new ListRecipesCommand({})), { name: 'ThrottlingException' });
      await assert.rejects(c.s3.send(new ListBucketsCommand({})), { name: 'SlowDown' });
      await assert.rejects(c.sts.send(new GetCallerIdentityCommand({})), { name: 'Throttling' });
      emu.setFaults({ errorRate: 1 });
      await assert.rejects(
        c.personalize.send(new ListRecipesCommand({})),
        (e: Error & { $metadata: { httpStatusCode?: number } }) => e.$metadata.httpStatusCode === 500,
      );
      // A third of the requests are throttled: a client with the SDK's standard retries still gets through.
      emu.setFaults({ throttleRate: 0.3, seed: 3 });
      const before = emu.calls().services.personalize?.ListRecipes ?? 0;
      const retrying = new PersonalizeClient({ endpoint: emu.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 10, retryMode: 'standard' });
      try {
        for (let i = 0; i < 3; i++) assert.equal((await retrying.send(new ListRecipesCommand({}))).recipes?.length, 2);
      } finally {
        retrying.destroy();
      }
      const after = emu.calls().services.personalize?.ListRecipes ?? 0;
      assert.ok(after - before > 3, `retries reached the emulator (${after - before} calls for 3 answers)`);
      // Faults can also be changed over HTTP.
      const res = await fetch(`${emu.endpoint}/_emulator/faults`, { method: 'PUT', body: JSON.stringify({}) });
      assert.equal(res.status, 200);
      assert.equal((await c.personalize.send(new ListRecipesCommand({}))).recipes?.length, 2);
    },
    { faults: { throttleRate: 1 } },
  );
});

test('fail=CreateDatasetGroup makes new dataset groups end in CREATE FAILED with a reason', async () => {
  await withEmulator(
    async (_e, c) => {
      const { datasetGroupArn } = await c.personalize.send(new CreateDatasetGroupCommand({ name: 'doomed' }));
      const r = await waitFor(
        () => c.personalize.send(new DescribeDatasetGroupCommand({ datasetGroupArn })),
        (x) => x.datasetGroup?.status === 'CREATE FAILED',
        'failure',
      );
      assert.match(r.datasetGroup?.failureReason ?? '', /--faults fail=CreateDatasetGroup/);
    },
    { faults: { failOperations: ['CreateDatasetGroup'] } },
  );
});
