/**
 * Test support (used only by *.test.ts): the whole USER_SEGMENTATION flow through the SDK — bucket, data, role and
 * bucket policy, dataset group, schema, dataset, import, solution, training, batch segment job — in any account and
 * partition, and a recorder of every ARN the emulator answers with.
 */
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
} from '@aws-sdk/client-personalize';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { grantPersonalize, INTERACTIONS_SCHEMA, interactionsCsv, waitFor, type Clients, type TestScope } from './emulator.js';

export interface FlowArns {
  roleArn: string;
  datasetGroupArn: string;
  schemaArn: string;
  datasetArn: string;
  datasetImportJobArn: string;
  solutionArn: string;
  solutionVersionArn: string;
  batchSegmentJobArn: string;
}

const settled = (status: string | undefined) => ['ACTIVE', 'CREATE FAILED'].includes(status ?? '');

/** Creates `bucket` in the scope's region with interactions and item queries in it. */
export async function bucketWithData(c: Clients, scope: TestScope, bucket: string): Promise<void> {
  const location = scope.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: scope.region as never } };
  await c.s3.send(new CreateBucketCommand({ Bucket: bucket, ...location }));
  await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/interactions.csv', Body: interactionsCsv() }));
  await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'batch/in/queries.json', Body: '{"itemId": "i1"}\n{"itemId": "i2"}\n' }));
}

/** A dataset group `name` with an ACTIVE interactions dataset (schema and dataset `<name>-interactions`). */
export async function activeDataset(c: Clients, name: string): Promise<{ datasetGroupArn: string; schemaArn: string; datasetArn: string }> {
  const p = c.personalize;
  const { datasetGroupArn } = await p.send(new CreateDatasetGroupCommand({ name }));
  await waitFor(
    () => p.send(new DescribeDatasetGroupCommand({ datasetGroupArn })),
    (r) => r.datasetGroup?.status === 'ACTIVE',
    'dataset group',
  );
  const { schemaArn } = await p.send(new CreateSchemaCommand({ name: `${name}-interactions`, schema: INTERACTIONS_SCHEMA }));
  const { datasetArn } = await p.send(new CreateDatasetCommand({ name: `${name}-interactions`, schemaArn, datasetGroupArn, datasetType: 'Interactions' }));
  await waitFor(
    () => p.send(new DescribeDatasetCommand({ datasetArn })),
    (r) => r.dataset?.status === 'ACTIVE',
    'dataset',
  );
  return { datasetGroupArn: datasetGroupArn!, schemaArn: schemaArn!, datasetArn: datasetArn! };
}

/** Role and bucket policy, dataset group, interactions imported from `bucket` (bucketWithData's), a solution: all ACTIVE. */
export async function importedSolution(
  c: Clients,
  scope: TestScope,
  bucket: string,
  name: string,
): Promise<Omit<FlowArns, 'solutionVersionArn' | 'batchSegmentJobArn'>> {
  const p = c.personalize;
  const roleArn = await grantPersonalize(c, bucket, `${name}-role`, scope);
  const { datasetGroupArn, schemaArn, datasetArn } = await activeDataset(c, name);
  const dataLocation = `s3://${bucket}/data/interactions.csv`;
  const { datasetImportJobArn } = await p.send(
    new CreateDatasetImportJobCommand({ jobName: `${name}-import`, datasetArn, roleArn, dataSource: { dataLocation } }),
  );
  const imported = await waitFor(
    () => p.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn })),
    (r) => settled(r.datasetImportJob?.status),
    'import',
  );
  assert.equal(imported.datasetImportJob?.status, 'ACTIVE', imported.datasetImportJob?.failureReason);
  const recipeArn = `arn:${scope.partition}:personalize:::recipe/aws-item-affinity`;
  const { solutionArn } = await p.send(new CreateSolutionCommand({ name: `${name}-solution`, datasetGroupArn, recipeArn, performAutoTraining: false }));
  await waitFor(
    () => p.send(new DescribeSolutionCommand({ solutionArn })),
    (r) => r.solution?.status === 'ACTIVE',
    'solution',
  );
  return { roleArn, datasetGroupArn, schemaArn, datasetArn, datasetImportJobArn: datasetImportJobArn!, solutionArn: solutionArn! };
}

/** Dataset group to batch segment job, every step ACTIVE; `bucket` must hold bucketWithData's objects. */
export async function segmentationFlow(c: Clients, scope: TestScope, bucket: string, name = 'flow'): Promise<FlowArns> {
  const p = c.personalize;
  const imported = await importedSolution(c, scope, bucket, name);
  const { roleArn, solutionArn } = imported;
  const { solutionVersionArn } = await p.send(new CreateSolutionVersionCommand({ solutionArn }));
  const trained = await waitFor(
    () => p.send(new DescribeSolutionVersionCommand({ solutionVersionArn })),
    (r) => settled(r.solutionVersion?.status),
    'training',
  );
  assert.equal(trained.solutionVersion?.status, 'ACTIVE', trained.solutionVersion?.failureReason);
  const { batchSegmentJobArn } = await p.send(
    new CreateBatchSegmentJobCommand({
      jobName: `${name}-segments`,
      solutionVersionArn,
      roleArn,
      numResults: 5,
      jobInput: { s3DataSource: { path: `s3://${bucket}/batch/in/queries.json` } },
      jobOutput: { s3DataDestination: { path: `s3://${bucket}/batch/out/` } },
    }),
  );
  const job = await waitFor(
    () => p.send(new DescribeBatchSegmentJobCommand({ batchSegmentJobArn })),
    (r) => settled(r.batchSegmentJob?.status),
    'segment job',
  );
  assert.equal(job.batchSegmentJob?.status, 'ACTIVE', job.batchSegmentJob?.failureReason);
  const out = await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'batch/out/queries.json.out' }));
  assert.equal((await out.Body!.transformToString()).trim().split('\n').length, 2);
  return { ...imported, solutionVersionArn: solutionVersionArn!, batchSegmentJobArn: batchSegmentJobArn! };
}

/**
 * Records every ARN in every answer the clients get (IAM's URL-encoded policy documents decoded), so a test can say
 * which partitions the emulator answered with. Returns a reader of what was recorded.
 */
export function recordArns(c: Clients): () => string[] {
  const seen: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      const text = /%[0-9A-F]{2}/.test(v) ? safeDecode(v) : v;
      for (const m of text.matchAll(/arn:[^:"\s]*:[^"\s,]*/g)) seen.push(m[0]);
    } else if (Array.isArray(v)) v.forEach(walk);
    // Plain objects only: bodies are streams, dates are dates.
    else if (v && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null)) Object.values(v).forEach(walk);
  };
  for (const client of Object.values(c)) {
    (client as { middlewareStack: { add: (mw: unknown, o: unknown) => void } }).middlewareStack.add(
      (next: (a: unknown) => Promise<{ output: unknown }>) => async (args: unknown) => {
        const result = await next(args);
        walk(result.output);
        return result;
      },
      { step: 'initialize', name: 'recordArns' },
    );
  }
  return () => [...seen];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
