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
  DescribeBatchSegmentJobCommand,
  DescribeDatasetCommand,
  DescribeDatasetGroupCommand,
  DescribeDatasetImportJobCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
  ListSchemasCommand,
  paginateListBatchSegmentJobs,
  paginateListDatasetImportJobs,
  paginateListSchemas,
  paginateListSolutionVersions,
  type PersonalizeClient,
} from '@aws-sdk/client-personalize';
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  ListPartsCommand,
  paginateListParts,
} from '@aws-sdk/client-s3';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import { grantPersonalize, INTERACTIONS_SCHEMA, interactionsCsv, TRUST_POLICY, waitFor, withEmulator, type Clients } from '../../test/support/emulator.js';

/** With pageSize 2 every list answers at most two items, so only clients that follow the tokens see everything. */
const PAGE = { pageSize: 2 };

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

test('pageSize caps Personalize, S3 and IAM lists; the SDK paginators still see every item', async () => {
  await withEmulator(async (_emu, c) => {
    for (let i = 0; i < 5; i++) await c.personalize.send(new CreateSchemaCommand({ name: `schema-${i}`, schema: INTERACTIONS_SCHEMA }));
    const first = await c.personalize.send(new ListSchemasCommand({}));
    assert.equal(first.schemas?.length, 2);
    assert.ok(first.nextToken);
    const pages = await collect(paginateListSchemas({ client: c.personalize }, {}));
    assert.deepEqual(
      pages.map((p) => p.schemas?.length),
      [2, 2, 1],
    );
    assert.deepEqual(pages.flatMap((p) => p.schemas!.map((s) => s.name)).sort(), ['schema-0', 'schema-1', 'schema-2', 'schema-3', 'schema-4']);

    await c.s3.send(new CreateBucketCommand({ Bucket: 'paged', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    for (let i = 0; i < 5; i++) await c.s3.send(new PutObjectCommand({ Bucket: 'paged', Key: `k${i}`, Body: 'x' }));
    const one = await c.s3.send(new ListObjectsV2Command({ Bucket: 'paged' }));
    assert.deepEqual([one.KeyCount, one.IsTruncated, one.MaxKeys], [2, true, 1000]);
    const objectPages = await collect(paginateListObjectsV2({ client: c.s3 }, { Bucket: 'paged' }));
    assert.deepEqual(
      objectPages.flatMap((p) => p.Contents!.map((o) => o.Key)),
      ['k0', 'k1', 'k2', 'k3', 'k4'],
    );

    const { UploadId } = await c.s3.send(new CreateMultipartUploadCommand({ Bucket: 'paged', Key: 'big' }));
    for (let n = 1; n <= 3; n++) await c.s3.send(new UploadPartCommand({ Bucket: 'paged', Key: 'big', UploadId, PartNumber: n, Body: `part${n}` }));
    const parts = await c.s3.send(new ListPartsCommand({ Bucket: 'paged', Key: 'big', UploadId }));
    assert.deepEqual([parts.Parts?.length, parts.IsTruncated, parts.NextPartNumberMarker], [2, true, '2']);
    const partPages = await collect(paginateListParts({ client: c.s3 }, { Bucket: 'paged', Key: 'big', UploadId }));
    assert.deepEqual(
      partPages.flatMap((p) => p.Parts!.map((x) => x.PartNumber)),
      [1, 2, 3],
    );

    for (let i = 0; i < 3; i++) await c.iam.send(new CreateRoleCommand({ RoleName: `role-${i}`, AssumeRolePolicyDocument: TRUST_POLICY }));
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    for (let i = 0; i < 3; i++) await c.iam.send(new PutRolePolicyCommand({ RoleName: 'role-0', PolicyName: `p${i}`, PolicyDocument: policy }));
    for (const name of ['AmazonS3FullAccess', 'AmazonS3ReadOnlyAccess', 'IAMFullAccess']) {
      await c.iam.send(new AttachRolePolicyCommand({ RoleName: 'role-0', PolicyArn: `arn:aws:iam::aws:policy/${name}` }));
    }
    const inline = await c.iam.send(new ListRolePoliciesCommand({ RoleName: 'role-0' }));
    assert.deepEqual([inline.PolicyNames?.length, inline.IsTruncated], [2, true]);
    assert.deepEqual(
      (await collect(paginateListRolePolicies({ client: c.iam }, { RoleName: 'role-0' }))).flatMap((p) => p.PolicyNames),
      ['p0', 'p1', 'p2'],
    );
    assert.equal((await collect(paginateListAttachedRolePolicies({ client: c.iam }, { RoleName: 'role-0' }))).flatMap((p) => p.AttachedPolicies).length, 3);
    assert.deepEqual(
      (await collect(paginateListRoles({ client: c.iam }, {}))).flatMap((p) => p.Roles!.map((r) => r.RoleName)),
      ['role-0', 'role-1', 'role-2'],
    );
  }, PAGE);
});

async function waitStatus<T>(read: () => Promise<T>, status: (v: T) => string | undefined, what: string): Promise<void> {
  const v = await waitFor(read, (x) => ['ACTIVE', 'CREATE FAILED'].includes(status(x) ?? ''), what);
  assert.equal(status(v), 'ACTIVE', `${what}: ${JSON.stringify(v)}`);
}

async function interactionsDataset(p: PersonalizeClient, group: string, schemaArn: string): Promise<{ dsg: string; dataset: string }> {
  const { datasetGroupArn } = await p.send(new CreateDatasetGroupCommand({ name: group }));
  await waitStatus(
    () => p.send(new DescribeDatasetGroupCommand({ datasetGroupArn })),
    (r) => r.datasetGroup?.status,
    'dataset group',
  );
  const { datasetArn } = await p.send(new CreateDatasetCommand({ name: `${group}-interactions`, schemaArn, datasetGroupArn, datasetType: 'Interactions' }));
  await waitStatus(
    () => p.send(new DescribeDatasetCommand({ datasetArn })),
    (r) => r.dataset?.status,
    'dataset',
  );
  return { dsg: datasetGroupArn!, dataset: datasetArn! };
}

async function train(p: PersonalizeClient, solutionArn: string): Promise<string> {
  const { solutionVersionArn } = await p.send(new CreateSolutionVersionCommand({ solutionArn }));
  await waitStatus(
    () => p.send(new DescribeSolutionVersionCommand({ solutionVersionArn })),
    (r) => r.solutionVersion?.status,
    'solution version',
  );
  return solutionVersionArn!;
}

test('ListDatasetImportJobs, ListSolutionVersions and ListBatchSegmentJobs honour their filters on every page', async () => {
  await withEmulator(async (_emu, c: Clients) => {
    const p = c.personalize;
    await c.s3.send(new CreateBucketCommand({ Bucket: 'filters', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await c.s3.send(new PutObjectCommand({ Bucket: 'filters', Key: 'i.csv', Body: interactionsCsv() }));
    await c.s3.send(new PutObjectCommand({ Bucket: 'filters', Key: 'q.json', Body: '{"itemId": "i1"}\n' }));
    const roleArn = await grantPersonalize(c, 'filters');
    const { schemaArn } = await p.send(new CreateSchemaCommand({ name: 'schema', schema: INTERACTIONS_SCHEMA }));
    const a = await interactionsDataset(p, 'group-a', schemaArn!);
    const b = await interactionsDataset(p, 'group-b', schemaArn!);
    const imports: Record<string, string[]> = { a: [], b: [] };
    for (const [which, dataset, n] of [
      ['a', a.dataset, 3],
      ['b', b.dataset, 1],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const { datasetImportJobArn } = await p.send(
          new CreateDatasetImportJobCommand({
            jobName: `import-${which}-${i}`,
            datasetArn: dataset,
            roleArn,
            dataSource: { dataLocation: 's3://filters/i.csv' },
          }),
        );
        await waitStatus(
          () => p.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn })),
          (r) => r.datasetImportJob?.status,
          'import job',
        );
        imports[which]!.push(datasetImportJobArn!);
      }
    }
    const listedImports = await collect(paginateListDatasetImportJobs({ client: p }, { datasetArn: a.dataset }));
    assert.ok(listedImports.every((pg) => (pg.datasetImportJobs?.length ?? 0) <= 2));
    assert.deepEqual(listedImports.flatMap((pg) => pg.datasetImportJobs!.map((j) => j.datasetImportJobArn)).sort(), [...imports.a!].sort());

    const solution = async (name: string, dsg: string) => {
      const { solutionArn } = await p.send(
        new CreateSolutionCommand({ name, datasetGroupArn: dsg, recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity', performAutoTraining: false }),
      );
      await waitStatus(
        () => p.send(new DescribeSolutionCommand({ solutionArn })),
        (r) => r.solution?.status,
        'solution',
      );
      return solutionArn!;
    };
    const solA = await solution('sol-a', a.dsg);
    const solB = await solution('sol-b', b.dsg);
    const versionsA = [await train(p, solA), await train(p, solA), await train(p, solA)];
    const versionB = await train(p, solB);
    const listedVersions = await collect(paginateListSolutionVersions({ client: p }, { solutionArn: solA }));
    assert.deepEqual(listedVersions.flatMap((pg) => pg.solutionVersions!.map((v) => v.solutionVersionArn)).sort(), [...versionsA].sort());

    const segment = async (name: string, solutionVersionArn: string) => {
      const { batchSegmentJobArn } = await p.send(
        new CreateBatchSegmentJobCommand({
          jobName: name,
          solutionVersionArn,
          roleArn,
          numResults: 3,
          jobInput: { s3DataSource: { path: 's3://filters/q.json' } },
          jobOutput: { s3DataDestination: { path: `s3://filters/out/${name}/` } },
        }),
      );
      await waitStatus(
        () => p.send(new DescribeBatchSegmentJobCommand({ batchSegmentJobArn })),
        (r) => r.batchSegmentJob?.status,
        'segment job',
      );
      return batchSegmentJobArn!;
    };
    const jobsA = [await segment('seg-a0', versionsA[0]!), await segment('seg-a1', versionsA[0]!), await segment('seg-a2', versionsA[0]!)];
    await segment('seg-b', versionB);
    await segment('seg-a-other-version', versionsA[1]!);
    const listedJobs = await collect(paginateListBatchSegmentJobs({ client: p }, { solutionVersionArn: versionsA[0] }));
    assert.ok(listedJobs.length >= 2, 'more than one page');
    assert.deepEqual(listedJobs.flatMap((pg) => pg.batchSegmentJobs!.map((j) => j.batchSegmentJobArn)).sort(), [...jobsA].sort());
    assert.ok(listedJobs.flatMap((pg) => pg.batchSegmentJobs!).every((j) => j.solutionVersionArn === versionsA[0]));
  }, PAGE);
});
