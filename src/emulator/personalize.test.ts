import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBatchSegmentJobCommand,
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateDatasetImportJobCommand,
  CreateSchemaCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  DeleteDatasetCommand,
  DeleteDatasetGroupCommand,
  DeleteSchemaCommand,
  DeleteSolutionCommand,
  DescribeBatchSegmentJobCommand,
  DescribeDatasetCommand,
  DescribeDatasetGroupCommand,
  DescribeDatasetImportJobCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
  DescribeSchemaCommand,
  ListDatasetsCommand,
  ListSolutionsCommand,
  UpdateDatasetCommand,
  GetSolutionMetricsCommand,
  ListBatchSegmentJobsCommand,
  ListDatasetImportJobsCommand,
  ListSolutionVersionsCommand,
  type PersonalizeClient,
} from '@aws-sdk/client-personalize';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { grantPersonalize, INTERACTIONS_SCHEMA, interactionsCsv, waitFor, withEmulator, type Clients } from '../../test/support/emulator.js';
import { activeDataset } from '../../test/support/emulator-flow.js';

const BUCKET = 'segflow-test';

async function setupData(c: Clients, csv = interactionsCsv()): Promise<{ roleArn: string }> {
  await c.s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  await c.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data/interactions.csv', Body: csv }));
  return { roleArn: await grantPersonalize(c, BUCKET) };
}

async function activeDatasetGroup(p: PersonalizeClient, name = 'dsg'): Promise<string> {
  const { datasetGroupArn } = await p.send(new CreateDatasetGroupCommand({ name }));
  await waitFor(
    () => p.send(new DescribeDatasetGroupCommand({ datasetGroupArn })),
    (r) => r.datasetGroup?.status === 'ACTIVE',
    'dataset group',
  );
  return datasetGroupArn!;
}

/** Dataset group -> schema -> interactions dataset -> import job, all ACTIVE. */
async function importedGroup(c: Clients, roleArn: string): Promise<{ dsg: string; dataset: string; schema: string }> {
  const p = c.personalize;
  const { datasetGroupArn: dsg, schemaArn, datasetArn } = await activeDataset(c, 'dsg');
  const { datasetImportJobArn } = await p.send(
    new CreateDatasetImportJobCommand({ jobName: 'import-1', datasetArn, roleArn, dataSource: { dataLocation: `s3://${BUCKET}/data/interactions.csv` } }),
  );
  const job = await waitFor(
    () => p.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn })),
    (r) => ['ACTIVE', 'CREATE FAILED'].includes(r.datasetImportJob?.status ?? ''),
    'import job',
  );
  assert.equal(job.datasetImportJob?.status, 'ACTIVE', job.datasetImportJob?.failureReason);
  return { dsg, dataset: datasetArn, schema: schemaArn };
}

test('the whole pipeline: import, train, metrics, batch segment job output, then delete everything in order', async () => {
  await withEmulator(async (_emu, c) => {
    const p = c.personalize;
    const { roleArn } = await setupData(c);
    const { dsg, dataset, schema } = await importedGroup(c, roleArn);
    assert.match(dataset, /^arn:aws:personalize:eu-west-1:000000000000:dataset\/dsg\/INTERACTIONS$/);
    assert.equal((await p.send(new DescribeSchemaCommand({ schemaArn: schema }))).schema?.schema, INTERACTIONS_SCHEMA);
    assert.deepEqual(
      (await p.send(new ListDatasetsCommand({ datasetGroupArn: dsg }))).datasets?.map((d) => [d.datasetArn, d.datasetType, d.status]),
      [[dataset, 'INTERACTIONS', 'ACTIVE']],
    );
    const { schemaArn: schema2 } = await p.send(new CreateSchemaCommand({ name: 'interactions-schema-2', schema: INTERACTIONS_SCHEMA }));
    await p.send(new UpdateDatasetCommand({ datasetArn: dataset, schemaArn: schema2 }));
    const updated = await p.send(new DescribeDatasetCommand({ datasetArn: dataset }));
    assert.equal(updated.dataset?.schemaArn, schema2);
    assert.equal(updated.dataset?.latestDatasetUpdate?.status, 'ACTIVE');
    await p.send(new UpdateDatasetCommand({ datasetArn: dataset, schemaArn: schema }));
    await p.send(new DeleteSchemaCommand({ schemaArn: schema2 }));

    const { solutionArn } = await p.send(
      new CreateSolutionCommand({ name: 'sol', datasetGroupArn: dsg, recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity', performAutoTraining: false }),
    );
    await waitFor(
      () => p.send(new DescribeSolutionCommand({ solutionArn })),
      (r) => r.solution?.status === 'ACTIVE',
      'solution',
    );
    assert.deepEqual(
      (await p.send(new ListSolutionsCommand({ datasetGroupArn: dsg }))).solutions?.map((x) => x.solutionArn),
      [solutionArn],
    );
    const { solutionVersionArn } = await p.send(new CreateSolutionVersionCommand({ solutionArn }));
    assert.match(solutionVersionArn!, /^arn:aws:personalize:eu-west-1:000000000000:solution\/sol\/[0-9a-f]{8}$/);
    const version = await waitFor(
      () => p.send(new DescribeSolutionVersionCommand({ solutionVersionArn })),
      (r) => ['ACTIVE', 'CREATE FAILED'].includes(r.solutionVersion?.status ?? ''),
      'solution version',
    );
    assert.equal(version.solutionVersion?.status, 'ACTIVE', version.solutionVersion?.failureReason);
    assert.equal(version.solutionVersion?.trainingType, 'MANUAL');
    assert.ok(version.solutionVersion?.creationDateTime instanceof Date);
    const metrics = await p.send(new GetSolutionMetricsCommand({ solutionVersionArn }));
    // Personalize's keys, plus the local model's choice under segflow.* (an emulator extension)
    const keys = Object.keys(metrics.metrics ?? {});
    assert.deepEqual(keys.filter((k) => !k.startsWith('segflow.')).sort(), ['coverage', 'hits_at_1_percent', 'recall_at_1_percent']);
    assert.equal(keys.filter((k) => k.startsWith('segflow.model.')).length, 1);
    const described = await p.send(new DescribeSolutionCommand({ solutionArn }));
    assert.equal(described.solution?.latestSolutionVersion?.solutionVersionArn, solutionVersionArn);
    assert.equal(described.solution?.performAutoTraining, false);

    const queries = ['{"itemId": "i1"}', '{"itemId": "no-such-item"}', 'not json', '{"itemId": "i2"}'].join('\n');
    await c.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'batch/in/queries.json', Body: queries }));
    const { batchSegmentJobArn } = await p.send(
      new CreateBatchSegmentJobCommand({
        jobName: 'segments-1',
        solutionVersionArn,
        numResults: 5,
        roleArn,
        jobInput: { s3DataSource: { path: `s3://${BUCKET}/batch/in/queries.json` } },
        jobOutput: { s3DataDestination: { path: `s3://${BUCKET}/batch/out/` } },
      }),
    );
    const job = await waitFor(
      () => p.send(new DescribeBatchSegmentJobCommand({ batchSegmentJobArn })),
      (r) => ['ACTIVE', 'CREATE FAILED'].includes(r.batchSegmentJob?.status ?? ''),
      'batch segment job',
    );
    assert.equal(job.batchSegmentJob?.status, 'ACTIVE', job.batchSegmentJob?.failureReason);
    assert.equal(job.batchSegmentJob?.numResults, 5);
    const out = await c.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'batch/out/queries.json.out' }));
    const lines = (await out.Body!.transformToString())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { input: unknown; output: { usersList: string[] }; error: string | null });
    assert.equal(lines.length, 4);
    assert.deepEqual(lines[0]!.input, { itemId: 'i1' });
    assert.equal(lines[0]!.error, null);
    assert.ok(lines[0]!.output.usersList.length > 0 && lines[0]!.output.usersList.length <= 5);
    assert.ok(lines[0]!.output.usersList.every((u) => /^u\d+$/.test(u)));
    assert.equal(typeof lines[1]!.error, 'string');
    assert.deepEqual(lines[1]!.output.usersList, []);
    assert.equal(lines[2]!.input, 'not json');
    assert.match(lines[2]!.error!, /not valid JSON/);
    assert.equal(lines[3]!.error, null);
    const listed = await p.send(new ListBatchSegmentJobsCommand({ solutionVersionArn }));
    assert.deepEqual(
      listed.batchSegmentJobs?.map((j) => j.batchSegmentJobArn),
      [batchSegmentJobArn],
    );

    // Deletion rules: the dataset group refuses while it has a dataset or a solution; the schema while a dataset uses it.
    await assert.rejects(p.send(new DeleteDatasetGroupCommand({ datasetGroupArn: dsg })), { name: 'ResourceInUseException' });
    await assert.rejects(p.send(new DeleteSchemaCommand({ schemaArn: schema })), { name: 'ResourceInUseException' });
    await p.send(new DeleteSolutionCommand({ solutionArn }));
    const deleting = await p.send(new DescribeSolutionCommand({ solutionArn })).then(
      (r) => r.solution?.status,
      (e: Error) => e.name,
    );
    assert.ok(['DELETE PENDING', 'DELETE IN_PROGRESS', 'ResourceNotFoundException'].includes(deleting ?? ''), deleting);
    await waitFor(
      () =>
        p.send(new DescribeSolutionCommand({ solutionArn })).then(
          () => 'present',
          (e: Error) => e.name,
        ),
      (s) => s === 'ResourceNotFoundException',
      'solution gone',
    );
    await assert.rejects(p.send(new DescribeSolutionVersionCommand({ solutionVersionArn })), { name: 'ResourceNotFoundException' });
    await p.send(new DeleteDatasetCommand({ datasetArn: dataset }));
    await waitFor(
      () =>
        p.send(new DescribeDatasetCommand({ datasetArn: dataset })).then(
          () => 'present',
          (e: Error) => e.name,
        ),
      (s) => s === 'ResourceNotFoundException',
      'dataset gone',
    );
    await p.send(new DeleteSchemaCommand({ schemaArn: schema }));
    await p.send(new DeleteDatasetGroupCommand({ datasetGroupArn: dsg }));
    await waitFor(
      () =>
        p.send(new DescribeDatasetGroupCommand({ datasetGroupArn: dsg })).then(
          () => 'present',
          (e: Error) => e.name,
        ),
      (s) => s === 'ResourceNotFoundException',
      'group gone',
    );
    // Import jobs and batch segment jobs cannot be deleted: they stay listed.
    assert.equal((await p.send(new ListDatasetImportJobsCommand({}))).datasetImportJobs?.length, 1);
    assert.equal((await p.send(new ListBatchSegmentJobsCommand({}))).batchSegmentJobs?.length, 1);
    const objects = await c.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'batch/out/' }));
    assert.deepEqual(
      objects.Contents?.map((o) => o.Key),
      ['batch/out/queries.json.out'],
    );
  });
});

test('import jobs check the CSV against the schema and the service minimums', async () => {
  await withEmulator(async (_emu, c) => {
    const p = c.personalize;
    const { roleArn } = await setupData(c);
    const dsg = await activeDatasetGroup(p);
    const { schemaArn } = await p.send(new CreateSchemaCommand({ name: 's', schema: INTERACTIONS_SCHEMA }));
    const { datasetArn } = await p.send(new CreateDatasetCommand({ name: 'i', schemaArn, datasetGroupArn: dsg, datasetType: 'INTERACTIONS' }));
    await waitFor(
      () => p.send(new DescribeDatasetCommand({ datasetArn })),
      (r) => r.dataset?.status === 'ACTIVE',
      'dataset',
    );
    const cases: Array<[string, string, RegExp]> = [
      ['wrong-header', 'ITEM_ID,USER_ID,TIMESTAMP\ni1,u1,1\n', /header .* does not match the schema/],
      ['bad-type', interactionsCsv().replace('u0,i0,1600000000', 'u0,i0,yesterday'), /line 2, column TIMESTAMP: 'yesterday' is not a long/],
      ['too-few', interactionsCsv(10, 20), /not enough interactions: found 200/],
      ['few-users', interactionsCsv(20, 60), /not enough users with at least 2 interactions: found 20/],
    ];
    for (const [name, csv, reason] of cases) {
      await c.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `bad/${name}.csv`, Body: csv }));
      const { datasetImportJobArn } = await p.send(
        new CreateDatasetImportJobCommand({ jobName: name, datasetArn, roleArn, dataSource: { dataLocation: `s3://${BUCKET}/bad/${name}.csv` } }),
      );
      const job = await waitFor(
        () => p.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn })),
        (r) => ['ACTIVE', 'CREATE FAILED'].includes(r.datasetImportJob?.status ?? ''),
        name,
      );
      assert.equal(job.datasetImportJob?.status, 'CREATE FAILED', name);
      assert.match(job.datasetImportJob?.failureReason ?? '', reason);
    }
    const missing = await p.send(
      new CreateDatasetImportJobCommand({ jobName: 'missing', datasetArn, roleArn, dataSource: { dataLocation: `s3://${BUCKET}/nothing-here.csv` } }),
    );
    const failed = await waitFor(
      () => p.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn: missing.datasetImportJobArn })),
      (r) => r.datasetImportJob?.status === 'CREATE FAILED',
      'missing object',
    );
    assert.match(failed.datasetImportJob?.failureReason ?? '', /No data was found/);
    // Personalize checks at once that it can use the role: the call itself fails.
    await assert.rejects(
      p.send(
        new CreateDatasetImportJobCommand({
          jobName: 'no-role',
          datasetArn,
          roleArn: 'arn:aws:iam::000000000000:role/nobody',
          dataSource: { dataLocation: `s3://${BUCKET}/data/interactions.csv` },
        }),
      ),
      {
        name: 'InvalidInputException',
        message: /^Insufficient privileges for accessing data in S3\..*role arn:aws:iam::000000000000:role\/nobody does not exist/,
      },
    );
    // Job names can never be reused.
    await assert.rejects(
      p.send(new CreateDatasetImportJobCommand({ jobName: 'missing', datasetArn, roleArn, dataSource: { dataLocation: `s3://${BUCKET}/x.csv` } })),
      { name: 'ResourceAlreadyExistsException' },
    );
  });
});

test('training without data fails with a reason', async () => {
  await withEmulator(async (_emu, c) => {
    const p = c.personalize;
    const dsg = await activeDatasetGroup(p);
    const { solutionArn } = await p.send(
      new CreateSolutionCommand({ name: 'sol', datasetGroupArn: dsg, recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity' }),
    );
    const solution = await waitFor(
      () => p.send(new DescribeSolutionCommand({ solutionArn })),
      (r) => r.solution?.status === 'ACTIVE',
      'solution',
    );
    assert.equal(solution.solution?.performAutoTraining, true, 'performAutoTraining defaults to true, as on AWS');
    const { solutionVersionArn } = await p.send(new CreateSolutionVersionCommand({ solutionArn }));
    const v = await waitFor(
      () => p.send(new DescribeSolutionVersionCommand({ solutionVersionArn })),
      (r) => ['ACTIVE', 'CREATE FAILED'].includes(r.solutionVersion?.status ?? ''),
      'version',
    );
    assert.equal(v.solutionVersion?.status, 'CREATE FAILED');
    assert.match(v.solutionVersion?.failureReason ?? '', /no imported interactions data/);
    await p.send(new CreateSolutionVersionCommand({ solutionArn }));
    const list = await p.send(new ListSolutionVersionsCommand({ solutionArn }));
    assert.equal(list.solutionVersions?.length, 2);
  });
});
