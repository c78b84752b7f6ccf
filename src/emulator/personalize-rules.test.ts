import { test } from 'node:test';
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
  DeleteDatasetCommand,
  DeleteDatasetGroupCommand,
  DeleteFilterCommand,
  DeleteSolutionCommand,
  GetSolutionMetricsCommand,
  StopSolutionVersionCreationCommand,
  DescribeBatchSegmentJobCommand,
  DescribeDatasetCommand,
  DescribeDatasetGroupCommand,
  DescribeDatasetImportJobCommand,
  DescribeFilterCommand,
  DescribeRecipeCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
  ListDatasetGroupsCommand,
  ListFiltersCommand,
  ListRecipesCommand,
  ListSchemasCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSolutionCommand,
  paginateListSchemas,
  type PersonalizeClient,
} from '@aws-sdk/client-personalize';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { rm } from 'node:fs/promises';
import { signedFetch } from '../../test/support/signer.js';

const USERS_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Users',
  namespace: 'com.amazonaws.personalize.schema',
  fields: [
    { name: 'USER_ID', type: 'string' },
    { name: 'MEMBERSHIP', type: 'string', categorical: true },
  ],
  version: '1.0',
});
import {
  grantPersonalize,
  INTERACTIONS_SCHEMA,
  ITEMS_SCHEMA,
  interactionsCsv,
  tempDataDir,
  waitFor,
  withEmulator,
  type Clients,
} from '../../test/support/emulator.js';

const settled = (s: string | undefined) => s === 'ACTIVE' || s === 'CREATE FAILED';

async function activeGroup(p: PersonalizeClient, name: string): Promise<string> {
  const { datasetGroupArn } = await p.send(new CreateDatasetGroupCommand({ name }));
  await waitFor(
    () => p.send(new DescribeDatasetGroupCommand({ datasetGroupArn })),
    (r) => r.datasetGroup?.status === 'ACTIVE',
    name,
  );
  return datasetGroupArn!;
}

test('validation, RNF, RAE, pagination with nextToken, recipes', async () => {
  await withEmulator(async (_e, c) => {
    const p = c.personalize;
    await assert.rejects(p.send(new CreateDatasetGroupCommand({ name: 'x'.repeat(64) })), { name: 'InvalidInputException' });
    await assert.rejects(p.send(new CreateDatasetGroupCommand({ name: 'ok', domain: 'GAMES' as never })), { name: 'InvalidInputException' });
    await assert.rejects(p.send(new DescribeDatasetGroupCommand({ datasetGroupArn: 'arn:aws:personalize:eu-west-1:000000000000:dataset-group/none' })), {
      name: 'ResourceNotFoundException',
    });
    await assert.rejects(p.send(new CreateSchemaCommand({ name: 'bad', schema: '{"type": "record"}' })), { name: 'InvalidInputException' });
    for (let i = 0; i < 7; i++) await p.send(new CreateSchemaCommand({ name: `schema-${i}`, schema: INTERACTIONS_SCHEMA }));
    await assert.rejects(p.send(new CreateSchemaCommand({ name: 'schema-0', schema: INTERACTIONS_SCHEMA })), { name: 'ResourceAlreadyExistsException' });
    const first = await p.send(new ListSchemasCommand({ maxResults: 3 }));
    assert.equal(first.schemas?.length, 3);
    assert.ok(first.nextToken);
    const names: string[] = [];
    for await (const page of paginateListSchemas({ client: p, pageSize: 3 }, {})) names.push(...(page.schemas ?? []).map((s) => s.name!));
    assert.deepEqual(
      [...names].sort(),
      Array.from({ length: 7 }, (_, i) => `schema-${i}`),
    );
    assert.equal(new Set(names).size, 7);
    await assert.rejects(p.send(new ListSchemasCommand({ nextToken: 'bogus' })), { name: 'InvalidNextTokenException' });
    await assert.rejects(p.send(new ListDatasetGroupsCommand({ nextToken: first.nextToken })), { name: 'InvalidNextTokenException' });
    await assert.rejects(p.send(new ListSchemasCommand({ maxResults: 101 })), { name: 'InvalidInputException' });
    const recipes = await p.send(new ListRecipesCommand({ recipeProvider: 'SERVICE' }));
    assert.equal(recipes.recipes?.length, 2);
    const recipe = await p.send(new DescribeRecipeCommand({ recipeArn: 'arn:aws:personalize:::recipe/aws-item-attribute-affinity' }));
    assert.equal(recipe.recipe?.recipeType, 'USER_SEGMENTATION');
    assert.equal(recipe.recipe?.featureTransformationArn, 'arn:aws:personalize:::feature-transformation/item-attribute-affinity');
    await assert.rejects(p.send(new DescribeRecipeCommand({ recipeArn: 'arn:aws:personalize:::recipe/aws-user-personalization' })), {
      name: 'ResourceNotFoundException',
    });
  });
});

test('quota: 5 dataset groups; a dataset needs an ACTIVE group; a pending group cannot be deleted', async () => {
  // Under the realistic lifecycle (2 s per status step) resources are surely still CREATE PENDING right after creation.
  await withEmulator(
    async (_e, c) => {
      const p = c.personalize;
      const groups: string[] = [];
      for (let i = 0; i < 5; i++) groups.push((await p.send(new CreateDatasetGroupCommand({ name: `g${i}` }))).datasetGroupArn!);
      await assert.rejects(p.send(new CreateDatasetGroupCommand({ name: 'g5' })), { name: 'LimitExceededException' });
      const { schemaArn } = await p.send(new CreateSchemaCommand({ name: 's', schema: INTERACTIONS_SCHEMA }));
      await assert.rejects(p.send(new CreateDatasetCommand({ name: 'd', schemaArn, datasetGroupArn: groups[0], datasetType: 'Interactions' })), {
        name: 'ResourceInUseException',
      });
      await assert.rejects(p.send(new DeleteDatasetGroupCommand({ datasetGroupArn: groups[0] })), { name: 'ResourceInUseException' });
    },
    { lifecycle: 'realistic' },
  );
});

test('filters, tags, UpdateSolution, hyperparameter checks', async () => {
  await withEmulator(async (_e, c) => {
    const p = c.personalize;
    const { datasetGroupArn: dsg } = await p.send(new CreateDatasetGroupCommand({ name: 'g', tags: [{ tagKey: 'team', tagValue: 'growth' }] }));
    await waitFor(
      () => p.send(new DescribeDatasetGroupCommand({ datasetGroupArn: dsg })),
      (r) => r.datasetGroup?.status === 'ACTIVE',
      'group',
    );
    const { schemaArn } = await p.send(new CreateSchemaCommand({ name: 's', schema: INTERACTIONS_SCHEMA }));
    await assert.rejects(p.send(new CreateDatasetCommand({ name: 'd', schemaArn, datasetGroupArn: dsg, datasetType: 'Actions' })), {
      name: 'InvalidInputException',
    });
    assert.deepEqual((await p.send(new ListTagsForResourceCommand({ resourceArn: dsg }))).tags, [{ tagKey: 'team', tagValue: 'growth' }]);
    await p.send(new TagResourceCommand({ resourceArn: dsg, tags: [{ tagKey: 'env', tagValue: 'dev' }] }));
    await p.send(new UntagResourceCommand({ resourceArn: dsg, tagKeys: ['team'] }));
    assert.deepEqual((await p.send(new ListTagsForResourceCommand({ resourceArn: dsg }))).tags, [{ tagKey: 'env', tagValue: 'dev' }]);
    await assert.rejects(p.send(new ListTagsForResourceCommand({ resourceArn: `${dsg}-nope` })), { name: 'ResourceNotFoundException' });

    const { filterArn } = await p.send(
      new CreateFilterCommand({ name: 'f', datasetGroupArn: dsg, filterExpression: 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")' }),
    );
    await assert.rejects(p.send(new CreateFilterCommand({ name: 'f2', datasetGroupArn: dsg, filterExpression: 'nonsense' })), {
      name: 'InvalidInputException',
    });
    await waitFor(
      () => p.send(new DescribeFilterCommand({ filterArn })),
      (r) => r.filter?.status === 'ACTIVE',
      'filter',
    );
    assert.deepEqual(
      (await p.send(new ListFiltersCommand({ datasetGroupArn: dsg }))).Filters?.map((f) => f.filterArn),
      [filterArn],
    );
    await p.send(new DeleteFilterCommand({ filterArn }));
    await waitFor(
      () =>
        p.send(new DescribeFilterCommand({ filterArn })).then(
          () => 'x',
          (e: Error) => e.name,
        ),
      (n) => n === 'ResourceNotFoundException',
      'filter gone',
    );

    const { solutionArn } = await p.send(
      new CreateSolutionCommand({ name: 'sol', datasetGroupArn: dsg, recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity' }),
    );
    await waitFor(
      () => p.send(new DescribeSolutionCommand({ solutionArn })),
      (r) => r.solution?.status === 'ACTIVE',
      'solution',
    );
    const before = await p.send(new DescribeSolutionCommand({ solutionArn }));
    assert.equal(before.solution?.solutionConfig?.autoTrainingConfig?.schedulingExpression, 'rate(7 days)');
    await p.send(new UpdateSolutionCommand({ solutionArn, performAutoTraining: false }));
    const after = await waitFor(
      () => p.send(new DescribeSolutionCommand({ solutionArn })),
      (r) => r.solution?.latestSolutionUpdate?.status === 'ACTIVE',
      'update',
    );
    assert.equal(after.solution?.performAutoTraining, false);
    assert.equal(after.solution?.latestSolutionUpdate?.performAutoTraining, false);
    await assert.rejects(
      p.send(new UpdateSolutionCommand({ solutionArn, solutionUpdateConfig: { autoTrainingConfig: { schedulingExpression: 'cron(0 0 * * ? *)' } } })),
      { name: 'InvalidInputException' },
    );
    await assert.rejects(
      p.send(
        new CreateSolutionCommand({
          name: 'hp',
          datasetGroupArn: dsg,
          recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity',
          solutionConfig: { algorithmHyperParameters: { hidden_dimension: '999' } },
        }),
      ),
      { name: 'InvalidInputException' },
    );
  });
});

test('nothing in flight can be deleted; a pending solution version can be stopped', async () => {
  const dataDir = await tempDataDir();
  try {
    const { versionArn } = await withEmulator((_e, c) => trainedVersion(c, 'arn:aws:personalize:::recipe/aws-item-affinity', false), { dataDir });
    await withEmulator(
      async (_e, c) => {
        const p = c.personalize;
        const solutionArn = versionArn.replace(/\/[0-9a-f]{8}$/, '');
        const { solutionVersionArn } = await p.send(new CreateSolutionVersionCommand({ solutionArn }));
        await assert.rejects(p.send(new CreateSolutionVersionCommand({ solutionArn })), { name: 'ResourceInUseException' });
        await assert.rejects(p.send(new DeleteSolutionCommand({ solutionArn })), { name: 'ResourceInUseException' });
        await assert.rejects(p.send(new DeleteDatasetCommand({ datasetArn: 'arn:aws:personalize:eu-west-1:000000000000:dataset/g/INTERACTIONS' })), {
          name: 'ResourceInUseException',
        });
        await assert.rejects(p.send(new GetSolutionMetricsCommand({ solutionVersionArn })), { name: 'ResourceInUseException' });
        await p.send(new StopSolutionVersionCreationCommand({ solutionVersionArn }));
        assert.equal((await p.send(new DescribeSolutionVersionCommand({ solutionVersionArn }))).solutionVersion?.status, 'CREATE STOPPED');
        await assert.rejects(p.send(new StopSolutionVersionCreationCommand({ solutionVersionArn })), { name: 'ResourceInUseException' });
        await p.send(new DeleteSolutionCommand({ solutionArn }));
        assert.equal((await p.send(new DescribeSolutionCommand({ solutionArn }))).solution?.status, 'DELETE PENDING');
        await assert.rejects(p.send(new DeleteSolutionCommand({ solutionArn })), { name: 'ResourceInUseException' });
      },
      { dataDir, lifecycle: 'realistic' },
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

/** Polls DescribeSolutionVersion as raw JSON (what any client gets, including members SDKs do not model). */
type TrainingWatch = { endpoint: string; onPoll: (solutionVersion: Record<string, unknown>) => void };

async function rawDescribeVersion(endpoint: string, solutionVersionArn: string): Promise<Record<string, unknown>> {
  const res = await signedFetch({
    endpoint,
    method: 'POST',
    path: '/',
    service: 'personalize',
    body: JSON.stringify({ solutionVersionArn }),
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonPersonalize.DescribeSolutionVersion' },
  });
  return ((await res.json()) as { solutionVersion: Record<string, unknown> }).solutionVersion;
}

async function trainedVersion(
  c: Clients,
  recipe: string,
  withItems: boolean,
  withUsers = false,
  watch?: TrainingWatch & { csv: string },
): Promise<{ versionArn: string; roleArn: string }> {
  const p = c.personalize;
  await c.s3.send(new CreateBucketCommand({ Bucket: 'rules-bucket' }));
  await c.s3.send(new PutObjectCommand({ Bucket: 'rules-bucket', Key: 'i.csv', Body: watch?.csv ?? interactionsCsv() }));
  const items = ['ITEM_ID,CATEGORY', ...Array.from({ length: 40 }, (_, i) => `i${i},${i % 2 === 0 ? 'even' : 'odd'}|all`)].join('\n') + '\n';
  await c.s3.send(new PutObjectCommand({ Bucket: 'rules-bucket', Key: 'items.csv', Body: items }));
  const roleArn = await grantPersonalize(c, 'rules-bucket', 'r');
  const dsg = await activeGroup(p, 'g');
  const kinds: Array<[string, string, string]> = [['Interactions', INTERACTIONS_SCHEMA, 'i.csv']];
  if (withItems) kinds.push(['Items', ITEMS_SCHEMA, 'items.csv']);
  if (withUsers) {
    const users = ['USER_ID,MEMBERSHIP', ...Array.from({ length: 60 }, (_, u) => `u${u},${u % 3 === 0 ? 'Gold' : 'Silver'}`)].join('\n') + '\n';
    await c.s3.send(new PutObjectCommand({ Bucket: 'rules-bucket', Key: 'users.csv', Body: users }));
    kinds.push(['Users', USERS_SCHEMA, 'users.csv']);
  }
  for (const [type, schema, key] of kinds) {
    const { schemaArn } = await p.send(new CreateSchemaCommand({ name: `s-${type}`, schema }));
    const { datasetArn } = await p.send(new CreateDatasetCommand({ name: type, schemaArn, datasetGroupArn: dsg, datasetType: type }));
    await waitFor(
      () => p.send(new DescribeDatasetCommand({ datasetArn })),
      (r) => r.dataset?.status === 'ACTIVE',
      type,
    );
    const { datasetImportJobArn } = await p.send(
      new CreateDatasetImportJobCommand({ jobName: `import-${type}`, datasetArn, roleArn, dataSource: { dataLocation: `s3://rules-bucket/${key}` } }),
    );
    const job = await waitFor(
      () => p.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn })),
      (r) => settled(r.datasetImportJob?.status),
      'import',
    );
    assert.equal(job.datasetImportJob?.status, 'ACTIVE', job.datasetImportJob?.failureReason);
  }
  const { solutionArn } = await p.send(new CreateSolutionCommand({ name: 'sol', datasetGroupArn: dsg, recipeArn: recipe, performAutoTraining: false }));
  await waitFor(
    () => p.send(new DescribeSolutionCommand({ solutionArn })),
    (r) => r.solution?.status === 'ACTIVE',
    'solution',
  );
  const { solutionVersionArn } = await p.send(new CreateSolutionVersionCommand({ solutionArn }));
  const read = async () => {
    if (watch) watch.onPoll(await rawDescribeVersion(watch.endpoint, solutionVersionArn!));
    return p.send(new DescribeSolutionVersionCommand({ solutionVersionArn }));
  };
  const v = await waitFor(read, (r) => settled(r.solutionVersion?.status), 'training');
  assert.equal(v.solutionVersion?.status, 'ACTIVE', v.solutionVersion?.failureReason);
  return { versionArn: solutionVersionArn!, roleArn };
}

async function segmentJob(c: Clients, name: string, versionArn: string, roleArn: string, input: string) {
  await c.s3.send(new PutObjectCommand({ Bucket: 'rules-bucket', Key: `in/${name}.json`, Body: input }));
  const { batchSegmentJobArn } = await c.personalize.send(
    new CreateBatchSegmentJobCommand({
      jobName: name,
      solutionVersionArn: versionArn,
      roleArn,
      numResults: 3,
      jobInput: { s3DataSource: { path: `s3://rules-bucket/in/${name}.json` } },
      jobOutput: { s3DataDestination: { path: `s3://rules-bucket/out/${name}` } },
    }),
  );
  return waitFor(
    () => c.personalize.send(new DescribeBatchSegmentJobCommand({ batchSegmentJobArn })),
    (r) => settled(r.batchSegmentJob?.status),
    name,
  );
}

test('batch segment jobs: more than 500 item queries fail the job; 5 jobs in flight at most', async () => {
  await withEmulator(async (_e, c) => {
    const { versionArn, roleArn } = await trainedVersion(c, 'arn:aws:personalize:::recipe/aws-item-affinity', false);
    const many = Array.from({ length: 501 }, (_, i) => JSON.stringify({ itemId: `i${i % 40}` })).join('\n');
    const failed = await segmentJob(c, 'too-many', versionArn, roleArn, many);
    assert.equal(failed.batchSegmentJob?.status, 'CREATE FAILED');
    assert.match(failed.batchSegmentJob?.failureReason ?? '', /501 queries; aws-item-affinity accepts at most 500/);
    const ok = await segmentJob(c, 'five-hundred', versionArn, roleArn, many.split('\n').slice(0, 500).join('\n'));
    assert.equal(ok.batchSegmentJob?.status, 'ACTIVE', ok.batchSegmentJob?.failureReason);
    const out = await c.s3.send(new GetObjectCommand({ Bucket: 'rules-bucket', Key: 'out/five-hundred/five-hundred.json.out' }));
    assert.equal((await out.Body!.transformToString()).trim().split('\n').length, 500);
    // A folder as input: one .out per input file.
    await c.s3.send(new PutObjectCommand({ Bucket: 'rules-bucket', Key: 'folder/in/a.json', Body: '{"itemId": "i1"}' }));
    await c.s3.send(new PutObjectCommand({ Bucket: 'rules-bucket', Key: 'folder/in/b.json', Body: '{"itemId": "i2"}\n{"itemId": "i3"}\n' }));
    const { batchSegmentJobArn } = await c.personalize.send(
      new CreateBatchSegmentJobCommand({
        jobName: 'folder',
        solutionVersionArn: versionArn,
        roleArn,
        jobInput: { s3DataSource: { path: 's3://rules-bucket/folder/in/' } },
        jobOutput: { s3DataDestination: { path: 's3://rules-bucket/folder/out/' } },
      }),
    );
    const folder = await waitFor(
      () => c.personalize.send(new DescribeBatchSegmentJobCommand({ batchSegmentJobArn })),
      (r) => settled(r.batchSegmentJob?.status),
      'folder',
    );
    assert.equal(folder.batchSegmentJob?.status, 'ACTIVE', folder.batchSegmentJob?.failureReason);
    const listed = await c.s3.send(new ListObjectsV2Command({ Bucket: 'rules-bucket', Prefix: 'folder/out/' }));
    assert.deepEqual(
      listed.Contents?.map((o) => o.Key),
      ['folder/out/a.json.out', 'folder/out/b.json.out'],
    );
    const b = await c.s3.send(new GetObjectCommand({ Bucket: 'rules-bucket', Key: 'folder/out/b.json.out' }));
    assert.equal((await b.Body!.transformToString()).trim().split('\n').length, 2);
  });
  // The quota: set up fast, then create jobs under the realistic lifecycle so that they stay in flight.
  const dataDir = await tempDataDir();
  try {
    const { versionArn, roleArn } = await withEmulator(
      async (_e, c) => {
        const v = await trainedVersion(c, 'arn:aws:personalize:::recipe/aws-item-affinity', false);
        await c.s3.send(new PutObjectCommand({ Bucket: 'rules-bucket', Key: 'in/q.json', Body: '{"itemId": "i1"}' }));
        return v;
      },
      { dataDir },
    );
    await withEmulator(
      async (_e, c) => {
        const create = (n: number) =>
          c.personalize.send(
            new CreateBatchSegmentJobCommand({
              jobName: `job-${n}`,
              solutionVersionArn: versionArn,
              roleArn,
              jobInput: { s3DataSource: { path: 's3://rules-bucket/in/q.json' } },
              jobOutput: { s3DataDestination: { path: `s3://rules-bucket/out/${n}/` } },
            }),
          );
        for (let i = 0; i < 5; i++) await create(i);
        await assert.rejects(create(5), { name: 'LimitExceededException' });
      },
      { dataDir, lifecycle: 'realistic' },
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('item-attribute-affinity: attribute queries, malformed expressions per line, more than 10 fail the job', async () => {
  await withEmulator(async (_e, c) => {
    const { versionArn, roleArn } = await trainedVersion(c, 'arn:aws:personalize:::recipe/aws-item-attribute-affinity', true);
    const lines = ['{"itemAttributes": "ITEMS.CATEGORY = \\"even\\""}', '{"itemAttributes": "ITEMS.CATEGORY IN (\\"odd\\")"}', '{"itemId": "i1"}'].join('\n');
    const job = await segmentJob(c, 'attrs', versionArn, roleArn, lines);
    assert.equal(job.batchSegmentJob?.status, 'ACTIVE', job.batchSegmentJob?.failureReason);
    const out = await c.s3.send(new GetObjectCommand({ Bucket: 'rules-bucket', Key: 'out/attrs/attrs.json.out' }));
    const parsed = (await out.Body!.transformToString())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { output: { usersList: string[] }; error: string | null });
    assert.equal(parsed[0]!.error, null);
    assert.ok(parsed[0]!.output.usersList.length > 0);
    assert.match(parsed[1]!.error ?? '', /invalid itemAttributes expression/);
    assert.match(parsed[2]!.error ?? '', /Required fields for the provided recipe are itemAttributes/);
    const eleven = Array.from({ length: 11 }, () => '{"itemAttributes": "ITEMS.CATEGORY = \\"all\\""}').join('\n');
    const failed = await segmentJob(c, 'eleven', versionArn, roleArn, eleven);
    assert.equal(failed.batchSegmentJob?.status, 'CREATE FAILED');
    assert.match(failed.batchSegmentJob?.failureReason ?? '', /at most 10/);
  });
});

test("batch segment jobs apply UserID filters, with placeholders filled from each line's filterValues", async () => {
  await withEmulator(async (_e, c) => {
    const { versionArn, roleArn } = await trainedVersion(c, 'arn:aws:personalize:::recipe/aws-item-affinity', false, true);
    const p = c.personalize;
    const dsg = 'arn:aws:personalize:eu-west-1:000000000000:dataset-group/g';
    const include = await p.send(
      new CreateFilterCommand({ name: 'members', datasetGroupArn: dsg, filterExpression: 'INCLUDE UserID WHERE Users.MEMBERSHIP IN ($M)' }),
    );
    const exclude = await p.send(
      new CreateFilterCommand({ name: 'no-gold', datasetGroupArn: dsg, filterExpression: 'EXCLUDE UserID WHERE Users.MEMBERSHIP IN ("Gold")' }),
    );
    for (const f of [include, exclude])
      await waitFor(
        () => p.send(new DescribeFilterCommand({ filterArn: f.filterArn })),
        (r) => r.filter?.status === 'ACTIVE',
        'filter',
      );
    const run = async (name: string, filterArn: string, body: string) => {
      await c.s3.send(new PutObjectCommand({ Bucket: 'rules-bucket', Key: `in/${name}.json`, Body: body }));
      const { batchSegmentJobArn } = await p.send(
        new CreateBatchSegmentJobCommand({
          jobName: name,
          solutionVersionArn: versionArn,
          filterArn,
          roleArn,
          numResults: 5,
          jobInput: { s3DataSource: { path: `s3://rules-bucket/in/${name}.json` } },
          jobOutput: { s3DataDestination: { path: `s3://rules-bucket/out/${name}/` } },
        }),
      );
      const job = await waitFor(
        () => p.send(new DescribeBatchSegmentJobCommand({ batchSegmentJobArn })),
        (r) => settled(r.batchSegmentJob?.status),
        name,
      );
      assert.equal(job.batchSegmentJob?.status, 'ACTIVE', job.batchSegmentJob?.failureReason);
      const out = await c.s3.send(new GetObjectCommand({ Bucket: 'rules-bucket', Key: `out/${name}/${name}.json.out` }));
      return (await out.Body!.transformToString())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { output: { usersList: string[] }; error: string | null });
    };
    const gold = (u: string) => Number(u.slice(1)) % 3 === 0;
    const included = await run('gold', include.filterArn!, ['{"itemId": "i1", "filterValues": {"M": "\\"Gold\\""}}', '{"itemId": "i2"}'].join('\n'));
    assert.equal(included[0]!.error, null);
    assert.equal(included[0]!.output.usersList.length, 5);
    assert.ok(included[0]!.output.usersList.every(gold), included[0]!.output.usersList.join(','));
    assert.match(included[1]!.error ?? '', /filterValues must give a value for \$M/);
    const excluded = await run('silver', exclude.filterArn!, '{"itemId": "i1"}');
    assert.equal(excluded[0]!.output.usersList.length, 5);
    assert.ok(
      excluded[0]!.output.usersList.every((u) => !gold(u)),
      excluded[0]!.output.usersList.join(','),
    );
  });
});

test('training progress is visible in DescribeSolutionVersion while the version trains', async () => {
  await withEmulator(async (emu, c) => {
    const seen: Array<{ status: unknown; progress: unknown; hours: unknown }> = [];
    const csv = interactionsCsv(3000, 60, 2000); // 180,000 rows: long enough to be watched mid-training
    const { versionArn } = await trainedVersion(c, 'arn:aws:personalize:::recipe/aws-item-affinity', false, false, {
      endpoint: emu.endpoint,
      csv,
      onPoll: (v) => seen.push({ status: v['status'], progress: v['trainingProgress'], hours: v['trainingHours'] }),
    });
    const during = seen.filter((s) => s.status === 'CREATE IN_PROGRESS' && typeof s.progress === 'number');
    assert.ok(during.length > 0, `no progress seen while training: ${JSON.stringify(seen.slice(-5))}`);
    assert.ok(during.every((s) => (s.progress as number) > 0 && (s.progress as number) <= 1 && typeof s.hours === 'number'));
    const progress = during.map((s) => s.progress as number);
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
      'progress never goes back',
    );
    const done = await rawDescribeVersion(emu.endpoint, versionArn);
    assert.equal(done['status'], 'ACTIVE');
    assert.equal(done['trainingProgress'], 1);
    assert.ok((done['trainingHours'] as number) > 0);
    // The SDK sees the modeled member (trainingHours) and drops the emulator's extension.
    const sdk = await c.personalize.send(new DescribeSolutionVersionCommand({ solutionVersionArn: versionArn }));
    assert.ok((sdk.solutionVersion?.trainingHours ?? 0) > 0);
  });
});
