import { test } from 'node:test';
import { rm } from 'node:fs/promises';
import assert from 'node:assert/strict';
import {
  CreateBatchSegmentJobCommand,
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateDatasetImportJobCommand,
  CreateFilterCommand,
  CreateSchemaCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  DescribeDatasetCommand,
  DescribeDatasetGroupCommand,
  DescribeDatasetImportJobCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
} from '@aws-sdk/client-personalize';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startEmulator } from './index.js';
import { grantPersonalize, INTERACTIONS_SCHEMA, interactionsCsv, tempDataDir, waitFor, withEmulator } from '../../test/support/emulator.js';

/** Quotas as AWS words them (LimitExceededException), lowered with the `quotas` option so tests can reach them. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
  return 'ok';
}

const IN_FLIGHT = (n: number) => `LimitExceededException: More than ${n} resources with PENDING or IN_PROGRESS status.`;
const ACTIVE = (what: string, n: number) =>
  `LimitExceededException: Cannot create a ${what}. More than ${n} resources in ACTIVE state. Please delete some and try again.`;

test('quotas: active resources and jobs in flight, with AWS wording', async () => {
  const quotas = {
    datasetGroups: 1,
    schemas: 1,
    filtersPerDatasetGroup: 0,
    solutionsPerDatasetGroup: 2,
    importJobsInFlight: 1,
    solutionVersionsInFlight: 1,
    batchSegmentJobsInFlight: 1,
  };
  await withEmulator(
    async (_emu, c) => {
      const p = c.personalize;
      const { datasetGroupArn } = await p.send(new CreateDatasetGroupCommand({ name: 'g1' }));
      assert.equal(await refusal(p.send(new CreateDatasetGroupCommand({ name: 'g2' }))), ACTIVE('dataset group', 1));
      const { schemaArn } = await p.send(new CreateSchemaCommand({ name: 's1', schema: INTERACTIONS_SCHEMA }));
      assert.equal(await refusal(p.send(new CreateSchemaCommand({ name: 's2', schema: INTERACTIONS_SCHEMA }))), ACTIVE('schema', 1));
      await waitFor(
        () => p.send(new DescribeDatasetGroupCommand({ datasetGroupArn })),
        (r) => r.datasetGroup?.status === 'ACTIVE',
        'group',
        60_000,
      );
      assert.equal(
        await refusal(
          p.send(new CreateFilterCommand({ name: 'f', datasetGroupArn, filterExpression: 'EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("x")' })),
        ),
        ACTIVE('filter', 0),
      );

      await c.s3.send(new CreateBucketCommand({ Bucket: 'quota-data', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      await c.s3.send(new PutObjectCommand({ Bucket: 'quota-data', Key: 'i.csv', Body: interactionsCsv() }));
      await c.s3.send(new PutObjectCommand({ Bucket: 'quota-data', Key: 'q.json', Body: '{"itemId": "i1"}\n' }));
      const roleArn = await grantPersonalize(c, 'quota-data');
      const { datasetArn } = await p.send(new CreateDatasetCommand({ name: 'd', schemaArn, datasetGroupArn, datasetType: 'Interactions' }));
      await waitFor(
        () => p.send(new DescribeDatasetCommand({ datasetArn })),
        (r) => r.dataset?.status === 'ACTIVE',
        'dataset',
        60_000,
      );
      const importJob = (name: string) =>
        p.send(new CreateDatasetImportJobCommand({ jobName: name, datasetArn, roleArn, dataSource: { dataLocation: 's3://quota-data/i.csv' } }));
      const { datasetImportJobArn } = await importJob('i1');
      assert.equal(await refusal(importJob('i2')), IN_FLIGHT(1));
      await waitFor(
        () => p.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn })),
        (r) => r.datasetImportJob?.status === 'ACTIVE',
        'import',
        60_000,
      );
      assert.equal(await refusal(importJob('i3')), 'ok');

      const solution = async (name: string) => {
        const { solutionArn } = await p.send(
          new CreateSolutionCommand({ name, datasetGroupArn, recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity', performAutoTraining: false }),
        );
        await waitFor(
          () => p.send(new DescribeSolutionCommand({ solutionArn })),
          (r) => r.solution?.status === 'ACTIVE',
          'solution',
          60_000,
        );
        return solutionArn!;
      };
      const [a, b] = [await solution('a'), await solution('b')];
      assert.equal(
        await refusal(p.send(new CreateSolutionCommand({ name: 'c', datasetGroupArn, recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity' }))),
        ACTIVE('solution', 2),
      );
      const { solutionVersionArn } = await p.send(new CreateSolutionVersionCommand({ solutionArn: a }));
      assert.equal(await refusal(p.send(new CreateSolutionVersionCommand({ solutionArn: b }))), IN_FLIGHT(1));
      await waitFor(
        () => p.send(new DescribeSolutionVersionCommand({ solutionVersionArn })),
        (r) => r.solutionVersion?.status === 'ACTIVE',
        'training',
        120_000,
      );
      const segment = (name: string) =>
        p.send(
          new CreateBatchSegmentJobCommand({
            jobName: name,
            solutionVersionArn,
            roleArn,
            jobInput: { s3DataSource: { path: 's3://quota-data/q.json' } },
            jobOutput: { s3DataDestination: { path: `s3://quota-data/out/${name}/` } },
          }),
        );
      assert.equal(await refusal(segment('s1')), 'ok');
      assert.equal(await refusal(segment('s2')), IN_FLIGHT(1));
    },
    { lifecycle: 'realistic', quotas },
  );
});

test('the quotas option only lowers AWS quotas', async () => {
  const dataDir = await tempDataDir();
  try {
    await assert.rejects(startEmulator({ dataDir, quotas: { datasetGroups: 6 } }), {
      code: 'EMU_OPTIONS',
      message: /datasetGroups must be an integer from 0 to AWS's default 5/,
    });
    await assert.rejects(startEmulator({ dataDir, quotas: { nope: 1 } as never }), { code: 'EMU_OPTIONS', message: /unknown quota 'nope'/ });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
