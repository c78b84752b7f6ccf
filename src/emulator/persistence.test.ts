import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateDatasetImportJobCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  DescribeDatasetImportJobCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
} from '@aws-sdk/client-personalize';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startEmulator } from './index.js';
import { clientsFor, type Clients, grantPersonalize, interactionsCsv, tempDataDir, waitFor, withEmulator } from '../../test/support/emulator.js';
import { activeDataset } from '../../test/support/emulator-flow.js';
import { startStandalone } from '../../test/reliability/support.js';

test('a restart in the middle of an import job and a training continues them to ACTIVE', async () => {
  const dataDir = await tempDataDir();
  // Jobs are created under the realistic lifecycle (2 s steps), so they are surely still in flight when the
  // emulator stops; everything else runs fast.
  const phase = <T>(lifecycle: 'fast' | 'realistic', fn: (c: Clients) => Promise<T>) => withEmulator((_e, c) => fn(c), { dataDir, lifecycle });
  try {
    const { datasetArn, roleArn } = await phase('fast', async (c) => {
      await c.s3.send(new CreateBucketCommand({ Bucket: 'restart-bucket' }));
      await c.s3.send(new PutObjectCommand({ Bucket: 'restart-bucket', Key: 'i.csv', Body: interactionsCsv() }));
      const roleArn = await grantPersonalize(c, 'restart-bucket', 'r');
      const { datasetArn } = await activeDataset(c, 'g');
      return { datasetArn, roleArn };
    });
    const importArn = await phase('realistic', async (c) => {
      const job = await c.personalize.send(
        new CreateDatasetImportJobCommand({ jobName: 'j', datasetArn, roleArn, dataSource: { dataLocation: 's3://restart-bucket/i.csv' } }),
      );
      return job.datasetImportJobArn!;
    });
    const solutionArn = await phase('fast', async (c) => {
      const p = c.personalize;
      const job = await waitFor(
        () => p.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn: importArn })),
        (r) => ['ACTIVE', 'CREATE FAILED'].includes(r.datasetImportJob?.status ?? ''),
        'import after restart',
      );
      assert.equal(job.datasetImportJob?.status, 'ACTIVE', job.datasetImportJob?.failureReason);
      const { solutionArn } = await p.send(
        new CreateSolutionCommand({
          name: 'sol',
          datasetGroupArn: 'arn:aws:personalize:eu-west-1:000000000000:dataset-group/g',
          recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity',
        }),
      );
      await waitFor(
        () => p.send(new DescribeSolutionCommand({ solutionArn })),
        (r) => r.solution?.status === 'ACTIVE',
        'solution',
      );
      return solutionArn!;
    });
    const versionArn = await phase('realistic', async (c) => {
      const { solutionVersionArn } = await c.personalize.send(new CreateSolutionVersionCommand({ solutionArn }));
      const v = await c.personalize.send(new DescribeSolutionVersionCommand({ solutionVersionArn }));
      assert.equal(v.solutionVersion?.status, 'CREATE PENDING');
      return solutionVersionArn!;
    });
    await phase('fast', async (c) => {
      const v = await waitFor(
        () => c.personalize.send(new DescribeSolutionVersionCommand({ solutionVersionArn: versionArn })),
        (r) => ['ACTIVE', 'CREATE FAILED'].includes(r.solutionVersion?.status ?? ''),
        'training after restart',
      );
      assert.equal(v.solutionVersion?.status, 'ACTIVE', v.solutionVersion?.failureReason);
    });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a job the emulator was stopped during three times fails with a reason instead of looping', async () => {
  const dataDir = await tempDataDir();
  try {
    const importArn = await withEmulator(
      async (_e, c) => {
        await c.s3.send(new CreateBucketCommand({ Bucket: 'gave-up' }));
        await grantPersonalize(c, 'gave-up', 'r');
        return (await activeDataset(c, 'g')).datasetArn;
      },
      { dataDir },
    ).then((datasetArn) =>
      withEmulator(
        async (_e, c) =>
          (
            await c.personalize.send(
              new CreateDatasetImportJobCommand({
                jobName: 'j',
                datasetArn,
                roleArn: 'arn:aws:iam::000000000000:role/r',
                dataSource: { dataLocation: 's3://none/x.csv' },
              }),
            )
          ).datasetImportJobArn!,
        { dataDir, lifecycle: 'realistic' },
      ),
    );
    // As if three earlier emulators had been killed while running it.
    const statePath = join(dataDir, 'state.json');
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { personalize: { resources: Record<string, { _attempts?: number }> } };
    state.personalize.resources[importArn]!._attempts = 3;
    await writeFile(statePath, JSON.stringify(state));
    await withEmulator(
      async (_e, c) => {
        const job = await waitFor(
          () => c.personalize.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn: importArn })),
          (r) => r.datasetImportJob?.status === 'CREATE FAILED',
          'gave up',
        );
        assert.match(job.datasetImportJob?.failureReason ?? '', /stopped 3 times while this job was running/);
      },
      { dataDir },
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('one emulator per data directory', async () => {
  const dataDir = await tempDataDir();
  const first = await startEmulator({ dataDir });
  try {
    await assert.rejects(startEmulator({ dataDir }), { code: 'EMU_DATA_DIR_LOCKED' });
  } finally {
    await first.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('kill -9 in the middle of writes leaves a readable store with every acknowledged object', async () => {
  const dataDir = await tempDataDir();
  try {
    const emu = await startStandalone({ dataDir });
    const c = clientsFor(emu.endpoint);
    await c.s3.send(new CreateBucketCommand({ Bucket: 'kill-bucket' }));
    const acknowledged: string[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          await c.s3.send(new PutObjectCommand({ Bucket: 'kill-bucket', Key: `k${i}`, Body: `value ${i}`.repeat(100) }));
          acknowledged.push(`k${i}`);
        } catch {
          return;
        }
      }
    })();
    await waitFor(
      async () => acknowledged.length,
      (n) => n >= 20,
      'some writes',
    );
    await emu.kill();
    stop = true;
    await writer;
    c.s3.destroy();
    JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8'));
    await withEmulator(
      async (_e, c2) => {
        for (const key of acknowledged) {
          const got = await c2.s3.send(new GetObjectCommand({ Bucket: 'kill-bucket', Key: key }));
          assert.equal(await got.Body!.transformToString(), `value ${key.slice(1)}`.repeat(100));
        }
      },
      { dataDir },
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
