import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AttachRolePolicyCommand, CreateRoleCommand, GetPolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateDatasetImportJobCommand,
  CreateSolutionCommand,
  DescribeDatasetGroupCommand,
  DescribeRecipeCommand,
  ListRecipesCommand,
  CreateDatasetGroupCommand,
} from '@aws-sdk/client-personalize';
import { CreateBucketCommand, GetBucketPolicyCommand, GetObjectCommand, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ACCOUNT, CREDENTIALS, clientsFor, confusedDeputyTrustPolicy, withEmulator, type Clients, type TestScope } from '../../test/support/emulator.js';
import { bucketWithData, recordArns, segmentationFlow } from '../../test/support/emulator-flow.js';
import { partitionOf } from './partitions.js';

const CHINA: TestScope = { account: ACCOUNT, region: 'cn-north-1', partition: 'aws-cn' };
const GOVCLOUD: TestScope = { account: ACCOUNT, region: 'us-gov-west-1', partition: 'aws-us-gov' };

const partitionsIn = (arns: string[]) => [...new Set(arns.map((a) => a.split(':')[1]))].sort();

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  return p.then(
    () => ({ name: 'no error', message: '' }),
    (e: Error) => ({ name: e.name, message: e.message }),
  );
}

function using(endpoint: string, scope: TestScope): Clients {
  return clientsFor(endpoint, CREDENTIALS, scope.region);
}

test('regions map to the partitions of botocore partitions.json', () => {
  for (const [region, partition] of [
    ['eu-west-1', 'aws'],
    ['us-east-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eusc-de-east-1', 'aws-eusc'],
    ['aws-cn-global', 'aws-cn'],
    ['not-a-region', 'aws'],
  ]) {
    assert.equal(partitionOf(region!), partition, region);
  }
});

test('cn-north-1: a whole Personalize flow with role, bucket policy and S3 import produces and accepts only arn:aws-cn: ARNs', async () => {
  await withEmulator(async (emu, _c, dataDir) => {
    const c = using(emu.endpoint, CHINA);
    const arns = recordArns(c);
    try {
      const me = await c.sts.send(new GetCallerIdentityCommand({}));
      assert.equal(me.Arn, `arn:aws-cn:iam::${ACCOUNT}:root`);
      await bucketWithData(c, CHINA, 'cn-data');

      const { datasetGroupArn: probeGroup } = await c.personalize.send(new CreateDatasetGroupCommand({ name: 'probe' }));
      assert.match(probeGroup!, /^arn:aws-cn:personalize:cn-north-1:000000000000:dataset-group\/probe$/);
      const flow = await segmentationFlow(c, CHINA, 'cn-data');
      assert.match(flow.batchSegmentJobArn, /^arn:aws-cn:personalize:cn-north-1:000000000000:batch-segment-job\/flow-segments$/);
      assert.equal(flow.roleArn, `arn:aws-cn:iam::${ACCOUNT}:role/flow-role`);

      // The policy evaluator: in China, a role policy or bucket policy naming arn:aws:s3:::cn-data does not match the bucket.
      const importWith = (jobName: string, roleArn: string) =>
        failure(
          c.personalize.send(
            new CreateDatasetImportJobCommand({
              jobName,
              datasetArn: flow.datasetArn,
              roleArn,
              dataSource: { dataLocation: 's3://cn-data/data/interactions.csv' },
            }),
          ),
        );
      const awsResources = ['arn:aws:s3:::cn-data', 'arn:aws:s3:::cn-data/*'];
      const statement = { Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket', 's3:PutObject'], Resource: awsResources };
      const trust = confusedDeputyTrustPolicy(ACCOUNT, CHINA.region, 'aws-cn');
      const wrong = await c.iam.send(new CreateRoleCommand({ RoleName: 'wrong-partition', AssumeRolePolicyDocument: trust }));
      await c.iam.send(
        new PutRolePolicyCommand({
          RoleName: 'wrong-partition',
          PolicyName: 's3',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
        }),
      );
      const byRole = await importWith('wrong-role-policy', wrong.Role!.Arn!);
      assert.equal(byRole.name, 'InvalidInputException');
      assert.match(byRole.message, /Insufficient privileges for accessing data in S3\..*s3:ListBucket on resource: "arn:aws-cn:s3:::cn-data"/);
      const goodBucketPolicy = (await c.s3.send(new GetBucketPolicyCommand({ Bucket: 'cn-data' }))).Policy!;
      await c.s3.send(
        new PutBucketPolicyCommand({
          Bucket: 'cn-data',
          Policy: JSON.stringify({ Statement: [{ ...statement, Principal: { Service: 'personalize.amazonaws.com' } }] }),
        }),
      );
      const byBucket = await importWith('wrong-bucket-policy', flow.roleArn);
      assert.equal(byBucket.name, 'InvalidInputException');
      assert.match(byBucket.message, /fix bucket policy on cn-data\.$/);
      await c.s3.send(new PutBucketPolicyCommand({ Bucket: 'cn-data', Policy: goodBucketPolicy }));

      // ARNs of another partition are refused, wherever a request names one.
      const asAws = (arn: string) => arn.replace(/^arn:aws-cn:/, 'arn:aws:');
      for (const p of [
        c.personalize.send(new DescribeDatasetGroupCommand({ datasetGroupArn: asAws(flow.datasetGroupArn) })),
        c.personalize.send(
          new CreateSolutionCommand({ name: 's2', datasetGroupArn: flow.datasetGroupArn, recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity' }),
        ),
        c.personalize.send(
          new CreateDatasetImportJobCommand({
            jobName: 'i2',
            datasetArn: flow.datasetArn,
            roleArn: asAws(flow.roleArn),
            dataSource: { dataLocation: 's3://cn-data/data/interactions.csv' },
          }),
        ),
        c.personalize.send(new DescribeRecipeCommand({ recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity' })),
      ]) {
        const f = await failure(p);
        assert.equal(f.name, 'InvalidInputException', f.message);
        assert.match(f.message, /partition is 'aws', but the request was made in partition 'aws-cn'/);
      }
      assert.equal(
        (await c.personalize.send(new DescribeRecipeCommand({ recipeArn: 'arn:aws-cn:personalize:::recipe/aws-item-affinity' }))).recipe?.name,
        'aws-item-affinity',
      );
      await c.personalize.send(new ListRecipesCommand({}));

      // AWS managed policies exist in the partition, with its ARNs; the aws ones are not China's.
      const managed = await c.iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws-cn:iam::aws:policy/service-role/AmazonPersonalizeFullAccess' }));
      assert.equal(managed.Policy?.Arn, 'arn:aws-cn:iam::aws:policy/service-role/AmazonPersonalizeFullAccess');
      assert.equal(
        (await failure(c.iam.send(new AttachRolePolicyCommand({ RoleName: 'flow-role', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' })))).name,
        'NoSuchEntityException',
      );
      await c.iam.send(new AttachRolePolicyCommand({ RoleName: 'flow-role', PolicyArn: 'arn:aws-cn:iam::aws:policy/AmazonS3FullAccess' }));
      const key = await c.kms.send(new CreateKeyCommand({}));
      assert.match(key.KeyMetadata?.Arn ?? '', /^arn:aws-cn:kms:cn-north-1:000000000000:key\//);

      const answered = arns();
      assert.ok(answered.length > 30, `${answered.length} ARNs recorded`);
      assert.deepEqual(
        partitionsIn(answered.filter((a) => !awsResources.includes(a))),
        ['aws-cn'],
        answered.filter((a) => !a.startsWith('arn:aws-cn:')).join(' '),
      );
      const state = await readFile(join(dataDir, 'state.json'), 'utf8');
      const stored = [...state.matchAll(/arn:[^:"\\]*:/g)].map((m) => m[0]).filter((a) => a !== 'arn:aws:');
      assert.deepEqual([...new Set(stored)], ['arn:aws-cn:'], 'the only arn:aws: in the state are the wrong policy the test wrote');
    } finally {
      for (const client of Object.values(c)) client.destroy();
    }
  });
});

test('us-gov-west-1: STS, IAM, Personalize, KMS and S3 policy evaluation speak arn:aws-us-gov:', async () => {
  await withEmulator(async (emu) => {
    const c = using(emu.endpoint, GOVCLOUD);
    try {
      assert.equal((await c.sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws-us-gov:iam::${ACCOUNT}:root`);
      const role = await c.iam.send(
        new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: confusedDeputyTrustPolicy(ACCOUNT, GOVCLOUD.region, 'aws-us-gov') }),
      );
      assert.equal(role.Role?.Arn, `arn:aws-us-gov:iam::${ACCOUNT}:role/r`);
      const { datasetGroupArn } = await c.personalize.send(new CreateDatasetGroupCommand({ name: 'g' }));
      assert.equal(datasetGroupArn, `arn:aws-us-gov:personalize:us-gov-west-1:${ACCOUNT}:dataset-group/g`);
      assert.deepEqual(
        (await c.personalize.send(new ListRecipesCommand({}))).recipes?.map((r) => r.recipeArn),
        ['arn:aws-us-gov:personalize:::recipe/aws-item-attribute-affinity', 'arn:aws-us-gov:personalize:::recipe/aws-item-affinity'],
      );
      assert.match((await c.kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '', /^arn:aws-us-gov:kms:us-gov-west-1:/);
      await c.s3.send(new CreateBucketCommand({ Bucket: 'gov-data', CreateBucketConfiguration: { LocationConstraint: 'us-gov-west-1' as never } }));
      await c.s3.send(new PutObjectCommand({ Bucket: 'gov-data', Key: 'k', Body: 'x' }));
      // A Deny naming the bucket in the aws partition does not apply here; one naming aws-us-gov does.
      const deny = (partition: string) =>
        JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:${partition}:s3:::gov-data/*` }] });
      await c.s3.send(new PutBucketPolicyCommand({ Bucket: 'gov-data', Policy: deny('aws') }));
      await c.s3.send(new GetObjectCommand({ Bucket: 'gov-data', Key: 'k' }));
      await c.s3.send(new PutBucketPolicyCommand({ Bucket: 'gov-data', Policy: deny('aws-us-gov') }));
      const denied = await failure(c.s3.send(new GetObjectCommand({ Bucket: 'gov-data', Key: 'k' })));
      assert.equal(denied.name, 'AccessDenied');
      assert.equal(
        denied.message,
        `User: arn:aws-us-gov:iam::${ACCOUNT}:root is not authorized to perform: s3:GetObject on resource: "arn:aws-us-gov:s3:::gov-data/k" with an explicit deny in a resource-based policy`,
      );
    } finally {
      for (const client of Object.values(c)) client.destroy();
    }
  });
});

test('bucket names are one namespace per partition; IAM roles and Personalize resources are per partition too', async () => {
  await withEmulator(async (emu, global) => {
    const china = using(emu.endpoint, CHINA);
    try {
      await global.s3.send(new CreateBucketCommand({ Bucket: 'same-name', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      await china.s3.send(new CreateBucketCommand({ Bucket: 'same-name', CreateBucketConfiguration: { LocationConstraint: 'cn-north-1' as never } }));
      await global.s3.send(new PutObjectCommand({ Bucket: 'same-name', Key: 'where', Body: 'eu-west-1' }));
      await china.s3.send(new PutObjectCommand({ Bucket: 'same-name', Key: 'where', Body: 'cn-north-1' }));
      assert.equal(await (await global.s3.send(new GetObjectCommand({ Bucket: 'same-name', Key: 'where' }))).Body!.transformToString(), 'eu-west-1');
      assert.equal(await (await china.s3.send(new GetObjectCommand({ Bucket: 'same-name', Key: 'where' }))).Body!.transformToString(), 'cn-north-1');
      await global.iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: confusedDeputyTrustPolicy() }));
      const cnRole = await china.iam.send(
        new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: confusedDeputyTrustPolicy(ACCOUNT, CHINA.region, 'aws-cn') }),
      );
      assert.equal(cnRole.Role?.Arn, `arn:aws-cn:iam::${ACCOUNT}:role/r`);
    } finally {
      for (const client of Object.values(china)) client.destroy();
    }
  });
});
