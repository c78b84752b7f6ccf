import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { CallCounter } from './call-counter.js';
import { isAwsError } from './errors.js';
import { sdkPersonalizePort } from './personalize-port.js';
import { stubConfig, stubHttp } from '../../test/support/stub-http.js';
import { TEST_REGION, grantPersonalizeVia, withEmulatorPorts } from '../../test/support/emulator-ports.js';
import { INTERACTIONS_SCHEMA, interactionsCsv, waitFor } from '../../test/support/emulator.js';

const arn = (type: string, name: string) => `arn:aws:personalize:${TEST_REGION}:000000000000:${type}/${name}`;
const BUCKET = 'segflow-ports-test';

test('personalize port on the emulator: absence is a value, deletes of absent things resolve', async () => {
  await withEmulatorPorts(async ({ personalize: p }) => {
    assert.equal(await p.describeDatasetGroup(arn('dataset-group', 'nope')), undefined);
    assert.equal(await p.describeSchema(arn('schema', 'nope')), undefined);
    assert.equal(await p.describeDataset(arn('dataset', 'nope/INTERACTIONS')), undefined);
    assert.equal(await p.describeDatasetImportJob(arn('dataset-import-job', 'nope')), undefined);
    assert.equal(await p.describeSolution(arn('solution', 'nope')), undefined);
    assert.equal(await p.describeSolutionVersion(arn('solution', 'nope/0123abcd')), undefined);
    assert.equal(await p.describeBatchSegmentJob(arn('batch-segment-job', 'nope')), undefined);
    assert.equal(await p.describeFilter(arn('filter', 'nope')), undefined);
    await p.deleteDatasetGroup(arn('dataset-group', 'nope'));
    await p.deleteSchema(arn('schema', 'nope'));
    await p.deleteDataset(arn('dataset', 'nope/INTERACTIONS'));
    await p.deleteSolution(arn('solution', 'nope'));
    await p.deleteFilter(arn('filter', 'nope'));
    // A list under a parent that is not there is empty.
    assert.deepEqual(await p.listSolutionVersions(arn('solution', 'nope')), []);
    assert.deepEqual(await p.listDatasetGroups(), []);
    // Anything else about an absent resource is an AwsError naming it.
    await assert.rejects(p.listTagsForResource(arn('dataset-group', 'nope')), (e) => {
      assert.ok(isAwsError(e, 'not-found'));
      assert.equal(e.service, 'personalize');
      assert.equal(e.operation, 'ListTagsForResource');
      assert.equal(e.code, 'ResourceNotFoundException');
      assert.equal(e.status, 400);
      assert.match(e.message, /^personalize ListTagsForResource: ResourceNotFoundException: /);
      return true;
    });
    await assert.rejects(p.updateSolution({ arn: arn('solution', 'nope'), performAutoTraining: false }), (e) => isAwsError(e, 'not-found'));
  });
});

test('personalize port on the emulator: a whole pipeline, errors classified, calls counted', async () => {
  await withEmulatorPorts(async ({ personalize: p, s3, iam, calls }) => {
    await s3.createBucket(BUCKET);
    await s3.putObject(BUCKET, 'data/interactions.csv', { data: interactionsCsv() });
    await s3.putObject(BUCKET, 'batch/queries.jsonl', { data: '{"itemId": "i1"}\n{"itemId": "i2"}\n' });
    const roleArn = await grantPersonalizeVia({ iam, s3 }, BUCKET);

    const dsg = await p.createDatasetGroup({ name: 'dsg', tags: { team: 'growth' } });
    assert.equal(dsg, arn('dataset-group', 'dsg'));
    await assert.rejects(
      p.createDatasetGroup({ name: 'dsg', tags: {} }),
      (e) => isAwsError(e, 'already-exists') && e.code === 'ResourceAlreadyExistsException',
    );
    const group = await waitFor(
      () => p.describeDatasetGroup(dsg),
      (g) => g?.status === 'ACTIVE',
      'dataset group',
    );
    assert.equal(group?.name, 'dsg');
    assert.ok(group?.createdAt instanceof Date);
    assert.deepEqual(await p.listTagsForResource(dsg), { team: 'growth' });
    assert.deepEqual(
      (await p.listDatasetGroups()).map((g) => [g.arn, g.name, g.status]),
      [[dsg, 'dsg', 'ACTIVE']],
    );

    const schema = await p.createSchema({ name: 'int-schema', schema: INTERACTIONS_SCHEMA });
    assert.equal((await p.describeSchema(schema))?.schema, INTERACTIONS_SCHEMA);
    assert.deepEqual(
      (await p.listSchemas()).map((s) => [s.arn, s.name, s.schema]),
      [[schema, 'int-schema', undefined]],
    );
    await assert.rejects(p.createSchema({ name: 'bad', schema: '{' }), (e) => isAwsError(e, 'invalid-input') && e.code === 'InvalidInputException');

    const dataset = await p.createDataset({ name: 'interactions', schemaArn: schema, datasetGroupArn: dsg, datasetType: 'Interactions', tags: {} });
    assert.equal(dataset, arn('dataset', 'dsg/INTERACTIONS'));
    const ds = await waitFor(
      () => p.describeDataset(dataset),
      (d) => d?.status === 'ACTIVE',
      'dataset',
    );
    assert.equal(ds?.schemaArn, schema);
    assert.equal(ds?.datasetGroupArn, dsg);
    assert.deepEqual(
      (await p.listDatasets(dsg)).map((d) => [d.arn, d.datasetType, d.datasetGroupArn]),
      [[dataset, 'INTERACTIONS', dsg]],
    );
    // Parents with children are in use.
    await assert.rejects(p.deleteSchema(schema), (e) => isAwsError(e, 'in-use') && e.code === 'ResourceInUseException');
    await assert.rejects(p.deleteDatasetGroup(dsg), (e) => isAwsError(e, 'in-use'));

    const dataLocation = `s3://${BUCKET}/data/interactions.csv`;
    const job = await p.createDatasetImportJob({ name: 'import-1', datasetArn: dataset, dataLocation, roleArn, importMode: 'FULL', tags: {} });
    const imported = await waitFor(
      () => p.describeDatasetImportJob(job),
      (j) => j?.status === 'ACTIVE' || j?.status === 'CREATE FAILED',
      'import',
    );
    assert.equal(imported?.status, 'ACTIVE', imported?.failureReason);
    assert.equal(imported?.dataLocation, dataLocation);
    assert.equal(imported?.roleArn, roleArn);
    assert.equal(imported?.datasetArn, dataset);
    assert.deepEqual(
      (await p.listDatasetImportJobs(dataset)).map((j) => [j.arn, j.name, j.datasetArn]),
      [[job, 'import-1', dataset]],
    );

    const solution = await p.createSolution({
      name: 'sol',
      datasetGroupArn: dsg,
      recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity',
      performAutoTraining: false,
      hiddenDimension: 64,
      tags: { k: 'v' },
    });
    const sol = await waitFor(
      () => p.describeSolution(solution),
      (s) => s?.status === 'ACTIVE',
      'solution',
    );
    assert.equal(sol?.hiddenDimension, '64');
    assert.equal(sol?.performAutoTraining, false);
    assert.equal(sol?.recipeArn, 'arn:aws:personalize:::recipe/aws-item-affinity');
    await p.updateSolution({ arn: solution, performAutoTraining: false });
    assert.deepEqual(
      (await p.listSolutions(dsg)).map((s) => [s.arn, s.datasetGroupArn]),
      [[solution, dsg]],
    );

    const version = await p.createSolutionVersion({ solutionArn: solution, trainingMode: 'FULL', tags: { 'segflow:inputs': 'abc' } });
    assert.match(version, /:solution\/sol\/[0-9a-f]{8}$/);
    assert.deepEqual(await p.listTagsForResource(version), { 'segflow:inputs': 'abc' });
    const trained = await waitFor(
      () => p.describeSolutionVersion(version),
      (v) => v?.status === 'ACTIVE' || v?.status === 'CREATE FAILED',
      'training',
      60_000,
    );
    assert.equal(trained?.status, 'ACTIVE', trained?.failureReason);
    assert.equal(typeof trained?.trainingHours, 'number');
    assert.equal(trained?.solutionArn, solution);
    assert.equal(trained?.trainingMode, 'FULL');
    const metricKeys = Object.keys(await p.getSolutionMetrics(version)).filter((k) => !k.startsWith('segflow.')); // segflow.*: the local model's choice
    assert.deepEqual(metricKeys.sort(), ['coverage', 'hits_at_1_percent', 'recall_at_1_percent']);
    assert.deepEqual(
      (await p.listSolutionVersions(solution)).map((v) => [v.arn, v.status, v.solutionArn]),
      [[version, 'ACTIVE', solution]],
    );
    assert.deepEqual((await p.describeSolution(solution))?.latestVersion, { arn: version, status: 'ACTIVE' });
    await assert.rejects(p.stopSolutionVersionCreation(version), (e) => isAwsError(e, 'in-use'));

    const filter = await p.createFilter({ name: 'f', datasetGroupArn: dsg, filterExpression: 'EXCLUDE ItemID WHERE Interactions.ITEM_ID IN ("i9")', tags: {} });
    const f = await waitFor(
      () => p.describeFilter(filter),
      (x) => x?.status === 'ACTIVE',
      'filter',
    );
    assert.equal(f?.filterExpression, 'EXCLUDE ItemID WHERE Interactions.ITEM_ID IN ("i9")');
    assert.deepEqual(
      (await p.listFilters(dsg)).map((x) => [x.arn, x.datasetGroupArn]),
      [[filter, dsg]],
    );

    const segJob = await p.createBatchSegmentJob({
      name: 'seg-1',
      solutionVersionArn: version,
      numResults: 5,
      inputPath: `s3://${BUCKET}/batch/queries.jsonl`,
      outputPath: `s3://${BUCKET}/output/seg-1/`,
      roleArn,
      tags: {},
    });
    const seg = await waitFor(
      () => p.describeBatchSegmentJob(segJob),
      (j) => j?.status === 'ACTIVE' || j?.status === 'CREATE FAILED',
      'segments',
      60_000,
    );
    assert.equal(seg?.status, 'ACTIVE', seg?.failureReason);
    assert.deepEqual(
      [seg?.numResults, seg?.inputPath, seg?.outputPath, seg?.roleArn, seg?.solutionVersionArn],
      [5, `s3://${BUCKET}/batch/queries.jsonl`, `s3://${BUCKET}/output/seg-1/`, roleArn, version],
    );
    assert.deepEqual(
      (await p.listBatchSegmentJobs({ solutionVersionArn: version })).map((j) => j.arn),
      [segJob],
    );
    assert.deepEqual(
      (await p.listBatchSegmentJobs()).map((j) => j.name),
      ['seg-1'],
    );
    assert.deepEqual(
      (await p.listBatchSegmentJobs({ solutionVersionArn: `${solution}/ffffffff` })).map((j) => j.arn),
      [],
    );

    // Teardown in dependency order; each delete is asynchronous.
    await p.deleteFilter(filter);
    await p.deleteSolution(solution);
    await waitFor(
      () => p.describeSolution(solution),
      (s) => s === undefined,
      'solution gone',
    );
    await p.deleteDataset(dataset);
    await waitFor(
      () => p.describeDataset(dataset),
      (d) => d === undefined,
      'dataset gone',
    );
    await p.deleteSchema(schema);
    await p.deleteDatasetGroup(dsg);
    await waitFor(
      () => p.describeDatasetGroup(dsg),
      (g) => g === undefined,
      'group gone',
    );

    // One count per logical call: creates are counted once each.
    assert.equal(calls.get('personalize:CreateSolutionVersion'), 1);
    assert.equal(calls.get('personalize:CreateDatasetGroup'), 2);
    assert.equal(calls.get('personalize:CreateBatchSegmentJob'), 1);
  });
});

test('personalize lists page with maxResults 100 until there is no nextToken', async () => {
  const pages: Record<string, { datasetGroups: Array<{ name: string; datasetGroupArn: string; status: string }>; nextToken?: string }> = {
    '': { datasetGroups: [{ name: 'a', datasetGroupArn: arn('dataset-group', 'a'), status: 'ACTIVE' }], nextToken: 't1' },
    t1: { datasetGroups: [{ name: 'b', datasetGroupArn: arn('dataset-group', 'b'), status: 'ACTIVE' }], nextToken: 't2' },
    t2: { datasetGroups: [{ name: 'c', datasetGroupArn: arn('dataset-group', 'c'), status: 'CREATE PENDING' }] },
  };
  const stub = stubHttp((req) => {
    const body = JSON.parse(req.body) as { nextToken?: string; maxResults?: number };
    assert.equal(body.maxResults, 100);
    return { headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(pages[body.nextToken ?? '']) };
  });
  const client = new PersonalizeClient(stubConfig(stub));
  const calls = new CallCounter();
  calls.attach('personalize', client);
  const groups = await sdkPersonalizePort(client).listDatasetGroups();
  assert.deepEqual(
    groups.map((g) => [g.name, g.status]),
    [
      ['a', 'ACTIVE'],
      ['b', 'ACTIVE'],
      ['c', 'CREATE PENDING'],
    ],
  );
  assert.equal(stub.requests.length, 3);
  assert.equal(calls.get('personalize:ListDatasetGroups'), 3);
  assert.equal(stub.requests[0]!.headers['x-amz-target'], 'AmazonPersonalize.ListDatasetGroups');
  client.destroy();
});

test('a paging token that repeats is an error, not an endless loop', async () => {
  const stub = stubHttp(() => ({ headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ schemas: [], nextToken: 'same' }) }));
  const client = new PersonalizeClient(stubConfig(stub));
  await assert.rejects(sdkPersonalizePort(client).listSchemas(), (e) => isAwsError(e, 'other') && /repeated/.test(e.message));
  assert.equal(stub.requests.length, 2);
  client.destroy();
});
