import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRoleCommand, GetRoleCommand, ListRolesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateDatasetGroupCommand,
  CreateDatasetImportJobCommand,
  DescribeDatasetGroupCommand,
  ListDatasetGroupsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-personalize';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { isSegflowError } from '../util/errors.js';
import {
  ACCOUNT,
  clientsFor,
  confusedDeputyTrustPolicy,
  CREDENTIALS,
  personalizeRolePolicy,
  REGION,
  withEmulator,
  type Clients,
  type TestScope,
} from '../../test/support/emulator.js';
import { activeDataset, bucketWithData, segmentationFlow } from '../../test/support/emulator-flow.js';
import { parseAccountSpec, startEmulator } from './index.js';

const OTHER = { accountId: '111111111111', accessKeyId: 'OTHERKEY', secretAccessKey: 'other-secret' };
const OTHER_SCOPE: TestScope = { account: OTHER.accountId, region: REGION, partition: 'aws' };

async function failure(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  return p.then(
    () => ({ name: 'no error', message: '' }),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({ name: e.name, status: e.$metadata?.httpStatusCode, message: e.message }),
  );
}

const OTHER_CREDENTIALS = { accessKeyId: OTHER.accessKeyId, secretAccessKey: OTHER.secretAccessKey };

/** Account A (the default credentials) and account B (OTHER), both signing for `region`. */
async function withTwoAccounts(fn: (a: Clients, b: Clients, endpoint: string) => Promise<void>, region = REGION): Promise<void> {
  await withEmulator(
    async (emu) => {
      const a = clientsFor(emu.endpoint, CREDENTIALS, region);
      const b = clientsFor(emu.endpoint, OTHER_CREDENTIALS, region);
      try {
        await fn(a, b, emu.endpoint);
      } finally {
        for (const client of [...Object.values(a), ...Object.values(b)]) client.destroy();
      }
    },
    { accounts: [OTHER] },
  );
}

test('a second account signs with its own credentials and is its own caller, with its own IAM, Personalize and KMS', async () => {
  await withTwoAccounts(async (a, b) => {
    assert.deepEqual(await b.sts.send(new GetCallerIdentityCommand({})).then((r) => [r.Account, r.Arn]), [
      OTHER.accountId,
      `arn:aws:iam::${OTHER.accountId}:root`,
    ]);
    assert.equal((await a.sts.send(new GetCallerIdentityCommand({}))).Account, ACCOUNT);

    // Same names in both accounts, each with its own ARN; neither sees the other's.
    const roleA = await a.iam.send(new CreateRoleCommand({ RoleName: 'same', AssumeRolePolicyDocument: confusedDeputyTrustPolicy() }));
    const roleB = await b.iam.send(new CreateRoleCommand({ RoleName: 'same', AssumeRolePolicyDocument: confusedDeputyTrustPolicy(OTHER.accountId) }));
    assert.deepEqual([roleA.Role?.Arn, roleB.Role?.Arn], [`arn:aws:iam::${ACCOUNT}:role/same`, `arn:aws:iam::${OTHER.accountId}:role/same`]);
    await b.iam.send(new CreateRoleCommand({ RoleName: 'only-b', AssumeRolePolicyDocument: confusedDeputyTrustPolicy(OTHER.accountId) }));
    assert.equal((await failure(a.iam.send(new GetRoleCommand({ RoleName: 'only-b' })))).name, 'NoSuchEntityException');
    assert.deepEqual(
      (await a.iam.send(new ListRolesCommand({}))).Roles?.map((r) => r.Arn),
      [roleA.Role?.Arn],
    );

    const { datasetGroupArn: groupA } = await a.personalize.send(new CreateDatasetGroupCommand({ name: 'g' }));
    const { datasetGroupArn: groupB } = await b.personalize.send(new CreateDatasetGroupCommand({ name: 'g' }));
    assert.equal(groupB, `arn:aws:personalize:${REGION}:${OTHER.accountId}:dataset-group/g`);
    assert.deepEqual(
      (await a.personalize.send(new ListDatasetGroupsCommand({}))).datasetGroups?.map((g) => g.datasetGroupArn),
      [groupA],
    );
    for (const p of [
      a.personalize.send(new DescribeDatasetGroupCommand({ datasetGroupArn: groupB })),
      a.personalize.send(new ListTagsForResourceCommand({ resourceArn: groupB })),
    ]) {
      const denied = await failure(p);
      assert.equal(denied.name, 'AccessDeniedException');
      assert.match(
        denied.message,
        new RegExp(
          `^User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: personalize:(DescribeDatasetGroup|ListTagsForResource) on resource: "${groupB}" because no resource-based policy allows`,
        ),
      );
    }

    const keyB = await b.kms.send(new CreateKeyCommand({}));
    assert.equal(keyB.KeyMetadata?.AWSAccountId, OTHER.accountId);
    assert.equal((await failure(a.kms.send(new DescribeKeyCommand({ KeyId: keyB.KeyMetadata.Arn! })))).name, 'NotFoundException');
    assert.equal((await failure(a.kms.send(new DescribeKeyCommand({ KeyId: keyB.KeyMetadata.KeyId! })))).name, 'NotFoundException');

    // The second account runs the whole pipeline on its own (its role, its bucket, its Personalize).
    await bucketWithData(b, OTHER_SCOPE, 'b-data');
    const flow = await segmentationFlow(b, OTHER_SCOPE, 'b-data', 'b-flow');
    assert.match(flow.batchSegmentJobArn, new RegExp(`^arn:aws:personalize:${REGION}:${OTHER.accountId}:batch-segment-job/`));
  });
});

test("a bucket name someone else owns: BucketAlreadyExists, 403 on HeadBucket, AccessDenied unless the owner's policy grants", async () => {
  await withTwoAccounts(async (a, b) => {
    await b.s3.send(new CreateBucketCommand({ Bucket: 'taken', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await b.s3.send(new PutObjectCommand({ Bucket: 'taken', Key: 'data/interactions.csv', Body: 'USER_ID,ITEM_ID,TIMESTAMP\n' }));
    const exists = await failure(a.s3.send(new CreateBucketCommand({ Bucket: 'taken', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })));
    assert.deepEqual([exists.name, exists.status], ['BucketAlreadyExists', 409]);
    const owned = await failure(b.s3.send(new CreateBucketCommand({ Bucket: 'taken', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })));
    assert.deepEqual([owned.name, owned.status], ['BucketAlreadyOwnedByYou', 409]);
    assert.equal((await failure(a.s3.send(new HeadBucketCommand({ Bucket: 'taken' })))).status, 403);
    assert.equal((await failure(a.s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })))).status, 404);
    assert.deepEqual((await a.s3.send(new ListBucketsCommand({}))).Buckets?.map((x) => x.Name) ?? [], []);
    assert.deepEqual(
      (await b.s3.send(new ListBucketsCommand({}))).Buckets?.map((x) => x.Name),
      ['taken'],
    );

    const listed = await failure(a.s3.send(new ListObjectsV2Command({ Bucket: 'taken' })));
    assert.deepEqual([listed.name, listed.status], ['AccessDenied', 403]);
    assert.equal(
      listed.message,
      `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::taken" because no resource-based policy allows the s3:ListBucket action`,
    );
    assert.equal((await failure(a.s3.send(new PutObjectCommand({ Bucket: 'taken', Key: 'mine', Body: 'x' })))).name, 'AccessDenied');
    assert.equal((await failure(a.s3.send(new GetBucketPolicyCommand({ Bucket: 'taken' })))).status, 403);

    // Personalize in account A cannot read it either: across accounts the owner's bucket policy must let the
    // service and A's role in, besides A's own role policy.
    const roleArn = await grantPersonalizeRole(a, 'taken');
    const { datasetArn } = await activeDataset(a, 'import-here');
    const importFromTaken = (jobName: string) =>
      failure(
        a.personalize.send(
          new CreateDatasetImportJobCommand({ jobName, datasetArn, roleArn, dataSource: { dataLocation: 's3://taken/data/interactions.csv' } }),
        ),
      );
    assert.match((await importFromTaken('no-grant')).message, /fix bucket policy on taken\.$/);
    const forService = {
      Effect: 'Allow',
      Principal: { Service: 'personalize.amazonaws.com' },
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::taken', 'arn:aws:s3:::taken/*'],
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    };
    await b.s3.send(new PutBucketPolicyCommand({ Bucket: 'taken', Policy: JSON.stringify({ Statement: [forService] }) }));
    const roleOnly = await importFromTaken('service-only');
    assert.match(
      roleOnly.message,
      new RegExp(
        `assumed-role/taken-reader/AmazonPersonalize is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::taken" because no resource-based policy allows`,
      ),
    );
    await b.s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'taken',
        Policy: JSON.stringify({ Statement: [forService, { ...forService, Principal: { AWS: roleArn }, Condition: undefined }] }),
      }),
    );
    assert.equal((await importFromTaken('granted')).name, 'no error');

    // The owner grants account A reading: then HeadBucket, ListObjectsV2 and GetObject work for A, writing still not.
    const grant = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: ['s3:ListBucket', 's3:GetBucketPolicy'],
          Resource: 'arn:aws:s3:::taken',
        },
        { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::taken/*' },
      ],
    };
    await b.s3.send(new PutBucketPolicyCommand({ Bucket: 'taken', Policy: JSON.stringify(grant) }));
    assert.equal((await a.s3.send(new HeadBucketCommand({ Bucket: 'taken' }))).$metadata.httpStatusCode, 200);
    assert.deepEqual(
      (await a.s3.send(new ListObjectsV2Command({ Bucket: 'taken' }))).Contents?.map((o) => o.Key),
      ['data/interactions.csv'],
    );
    assert.match(await (await a.s3.send(new GetObjectCommand({ Bucket: 'taken', Key: 'data/interactions.csv' }))).Body!.transformToString(), /^USER_ID/);
    assert.equal((await failure(a.s3.send(new PutObjectCommand({ Bucket: 'taken', Key: 'mine', Body: 'x' })))).name, 'AccessDenied');
    // Allowed, but not of the owner's account: the bucket policy operations answer 405.
    const policy = await failure(a.s3.send(new GetBucketPolicyCommand({ Bucket: 'taken' })));
    assert.deepEqual([policy.name, policy.status], ['MethodNotAllowed', 405]);
    assert.equal((await failure(a.s3.send(new PutBucketPolicyCommand({ Bucket: 'taken', Policy: JSON.stringify(grant) })))).status, 403);
  });
});

test("us-east-1: re-creating your own bucket answers 200 (legacy), someone else's 409 BucketAlreadyExists", async () => {
  await withTwoAccounts(async (a, b) => {
    await b.s3.send(new CreateBucketCommand({ Bucket: 'east' }));
    assert.equal((await b.s3.send(new CreateBucketCommand({ Bucket: 'east' }))).$metadata.httpStatusCode, 200);
    const taken = await failure(a.s3.send(new CreateBucketCommand({ Bucket: 'east' })));
    assert.deepEqual([taken.name, taken.status], ['BucketAlreadyExists', 409]);
  }, 'us-east-1');
});

/** A role of the caller's account for Personalize, allowed to read `bucket` by its own policy. */
async function grantPersonalizeRole(c: Clients, bucket: string): Promise<string> {
  const role = await c.iam.send(new CreateRoleCommand({ RoleName: `${bucket}-reader`, AssumeRolePolicyDocument: confusedDeputyTrustPolicy() }));
  await c.iam.send(new PutRolePolicyCommand({ RoleName: `${bucket}-reader`, PolicyName: 's3', PolicyDocument: personalizeRolePolicy(bucket) }));
  return role.Role!.Arn!;
}

test('options: accounts need their own ids and access keys; --account parses ID:KEY:SECRET', async () => {
  assert.deepEqual(parseAccountSpec('111111111111:KEY:sec:ret'), { accountId: '111111111111', accessKeyId: 'KEY', secretAccessKey: 'sec:ret' });
  assert.throws(
    () => parseAccountSpec('111111111111:KEY'),
    (e) => isSegflowError(e) && e.code === 'EMU_OPTIONS',
  );
  for (const accounts of [
    [{ ...OTHER, accountId: ACCOUNT }],
    [{ ...OTHER, accessKeyId: 'test' }],
    [{ ...OTHER, accountId: '123' }],
    [OTHER, { ...OTHER, accessKeyId: 'THIRD' }],
  ]) {
    await assert.rejects(
      startEmulator({ dataDir: '/nonexistent/never-created', accounts }),
      (e) => isSegflowError(e) && e.code === 'EMU_OPTIONS',
      JSON.stringify(accounts),
    );
  }
});
