import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateDatasetImportJobCommand, DescribeDatasetImportJobCommand } from '@aws-sdk/client-personalize';
import { CreateBucketCommand, PutBucketEncryptionCommand, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { AttachRolePolicyCommand, CreateRoleCommand, DeleteRolePolicyCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import {
  ACCOUNT,
  confusedDeputyTrustPolicy,
  interactionsCsv,
  personalizeBucketPolicy,
  personalizeRolePolicy,
  TRUST_POLICY,
  waitFor,
  withEmulator,
  type Clients,
} from '../../test/support/emulator.js';
import { activeDataset } from '../../test/support/emulator-flow.js';

/**
 * Personalize reaching S3 through a role, as "Giving Amazon Personalize access to Amazon S3 resources" requires:
 * the trust policy, the role's policies, the bucket policy for the service principal, KMS key access, and IAM's
 * propagation delay. Failures are the CreateDatasetImportJob call's InvalidInputException.
 */
const INSUFFICIENT = /^Insufficient privileges for accessing data in S3\./;

async function dataset(c: Clients, bucket: string): Promise<string> {
  await c.s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/interactions.csv', Body: interactionsCsv() }));
  return (await activeDataset(c, 'access')).datasetArn;
}

let jobs = 0;
/** 'ok' once the import job is ACTIVE, else the refusal or failure reason. */
async function importWith(c: Clients, datasetArn: string, roleArn: string, bucket: string): Promise<string> {
  const p = c.personalize;
  let arn: string;
  try {
    arn = (
      await p.send(
        new CreateDatasetImportJobCommand({
          jobName: `job-${++jobs}`,
          datasetArn,
          roleArn,
          dataSource: { dataLocation: `s3://${bucket}/data/interactions.csv` },
        }),
      )
    ).datasetImportJobArn!;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
  const job = await waitFor(
    () => p.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn: arn })),
    (r) => ['ACTIVE', 'CREATE FAILED'].includes(r.datasetImportJob?.status ?? ''),
    'import',
  );
  return job.datasetImportJob?.status === 'ACTIVE' ? 'ok' : `CREATE FAILED: ${job.datasetImportJob?.failureReason}`;
}

async function role(c: Clients, name: string, trust = confusedDeputyTrustPolicy(), inline?: string, attached: string[] = []): Promise<string> {
  const arn = (await c.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }))).Role!.Arn!;
  if (inline) await c.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'access', PolicyDocument: inline }));
  for (const PolicyArn of attached) await c.iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn }));
  return arn;
}

test("the official notebook's role (AmazonS3FullAccess) with a bucket policy for the service is accepted; without that bucket policy it is refused", async () => {
  await withEmulator(async (_emu, c) => {
    const bucket = 'notebook-data';
    const ds = await dataset(c, bucket);
    const arn = await role(c, 'notebook', TRUST_POLICY, undefined, [
      'arn:aws:iam::aws:policy/AmazonS3FullAccess',
      'arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess',
    ]);
    assert.equal(
      await importWith(c, ds, arn, bucket),
      `InvalidInputException: Insufficient privileges for accessing data in S3. Please look at https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html#attach-bucket-policy and fix bucket policy on ${bucket}.`,
    );
    await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: personalizeBucketPolicy(bucket) }));
    assert.equal(await importWith(c, ds, arn, bucket), 'ok');
  });
});

test('AmazonPersonalizeFullAccess alone covers only buckets whose names contain "personalize"', async () => {
  await withEmulator(async (_emu, c) => {
    const managed = ['arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess'];
    const plain = 'plain-data';
    const ds = await dataset(c, plain);
    await c.s3.send(new PutBucketPolicyCommand({ Bucket: plain, Policy: personalizeBucketPolicy(plain) }));
    const arn = await role(c, 'managed-only', confusedDeputyTrustPolicy(), undefined, managed);
    assert.match(
      await importWith(c, ds, arn, plain),
      /InvalidInputException: .*not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::plain-data" because no identity-based policy allows the s3:ListBucket action/,
    );
    const named = 'my-personalize-data';
    await c.s3.send(new CreateBucketCommand({ Bucket: named, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await c.s3.send(new PutObjectCommand({ Bucket: named, Key: 'data/interactions.csv', Body: interactionsCsv() }));
    await c.s3.send(new PutBucketPolicyCommand({ Bucket: named, Policy: personalizeBucketPolicy(named) }));
    assert.equal(await importWith(c, ds, arn, named), 'ok');
  });
});

test('the trust policy must let personalize.amazonaws.com in for this account and this job (confused deputy conditions)', async () => {
  await withEmulator(async (_emu, c) => {
    const bucket = 'trust-data';
    const ds = await dataset(c, bucket);
    await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: personalizeBucketPolicy(bucket) }));
    const inline = personalizeRolePolicy(bucket);
    const otherAccount = await role(c, 'other-account', confusedDeputyTrustPolicy('111122223333'), inline);
    assert.match(
      await importWith(c, ds, otherAccount, bucket),
      /InvalidInputException: Insufficient privileges.*cannot assume the role .*other-account: its trust policy does not allow/,
    );
    const otherRegion = await role(c, 'other-region', confusedDeputyTrustPolicy(ACCOUNT, 'us-east-1'), inline);
    assert.match(await importWith(c, ds, otherRegion, bucket), /cannot assume the role/);
    const ec2 = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const wrongService = await role(c, 'ec2-role', ec2, inline);
    assert.match(await importWith(c, ds, wrongService, bucket), /cannot assume the role/);
    await c.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'ec2-role', PolicyDocument: confusedDeputyTrustPolicy() }));
    assert.equal(await importWith(c, ds, wrongService, bucket), 'ok');
  });
});

test('an explicit Deny in the bucket policy wins over the role policy', async () => {
  await withEmulator(async (_emu, c) => {
    const bucket = 'deny-data';
    const ds = await dataset(c, bucket);
    const arn = await role(c, 'reader', confusedDeputyTrustPolicy(), personalizeRolePolicy(bucket));
    const policy = JSON.parse(personalizeBucketPolicy(bucket)) as { Statement: object[] };
    policy.Statement.push({
      Sid: 'NoReadsByTheRole',
      Effect: 'Deny',
      Principal: { AWS: arn },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${bucket}/data/*`,
    });
    await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
    assert.match(
      await importWith(c, ds, arn, bucket),
      /s3:GetObject on resource: "arn:aws:s3:::deny-data\/data\/interactions.csv" with an explicit deny in a resource-based policy/,
    );
  });
});

test('access is checked again when the job runs: a policy removed after CreateDatasetImportJob fails the job', async () => {
  await withEmulator(
    async (_emu, c) => {
      const bucket = 'late-data';
      const ds = await dataset(c, bucket);
      await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: personalizeBucketPolicy(bucket) }));
      const roleArn = await role(c, 'late', confusedDeputyTrustPolicy(), personalizeRolePolicy(bucket));
      const p = c.personalize;
      const { datasetImportJobArn } = await p.send(
        new CreateDatasetImportJobCommand({ jobName: 'late', datasetArn: ds, roleArn, dataSource: { dataLocation: `s3://${bucket}/data/interactions.csv` } }),
      );
      await c.iam.send(new DeleteRolePolicyCommand({ RoleName: 'late', PolicyName: 'access' }));
      const job = await waitFor(
        () => p.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn })),
        (r) => ['ACTIVE', 'CREATE FAILED'].includes(r.datasetImportJob?.status ?? ''),
        'import',
        60_000,
      );
      assert.equal(job.datasetImportJob?.status, 'CREATE FAILED');
      assert.match(job.datasetImportJob?.failureReason ?? '', INSUFFICIENT);
    },
    { lifecycle: 'realistic' },
  );
});

test('SSE-KMS data: the key policy must let the service in, and the role needs the actions AWS lists', async () => {
  await withEmulator(async (_emu, c) => {
    const bucket = 'kms-data';
    const trust = confusedDeputyTrustPolicy();
    const { KeyMetadata } = await c.kms.send(new CreateKeyCommand({}));
    const keyArn = KeyMetadata!.Arn!;
    await c.s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await c.s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }] },
      }),
    );
    const ds = await dataset(c, 'kms-setup');
    await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/interactions.csv', Body: interactionsCsv() }));
    await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: personalizeBucketPolicy(bucket) }));
    const s3Only = await role(c, 's3-only', trust, personalizeRolePolicy(bucket));
    // The default key policy names only the account: the service principal may not use the key.
    assert.match(
      await importWith(c, ds, s3Only, bucket),
      /granting-personalize-key-access\.html.*personalize\.amazonaws\.com is not authorized to perform: kms:Decrypt/,
    );
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'Personalize',
          Effect: 'Allow',
          Principal: { Service: 'personalize.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ListGrants'],
          Resource: '*',
        },
      ],
    };
    await c.kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: JSON.stringify(policy) }));
    // The role's policies must allow the key too (IAM policies count because the key policy enables them).
    assert.match(
      await importWith(c, ds, s3Only, bucket),
      /assumed-role\/s3-only\/AmazonPersonalize is not authorized to perform: kms:Decrypt on resource: "arn:aws:kms:/,
    );
    const decryptOnly = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        ...(JSON.parse(personalizeRolePolicy(bucket)) as { Statement: object[] }).Statement,
        { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn },
      ],
    });
    const partial = await role(c, 'partial', trust, decryptOnly);
    assert.match(
      await importWith(c, ds, partial, bucket),
      /not authorized to perform: kms:DescribeKey .* because no identity-based policy allows the kms:DescribeKey action/,
    );
    const documented = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        ...(JSON.parse(personalizeRolePolicy(bucket)) as { Statement: object[] }).Statement,
        { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:ListGrants'], Resource: '*' },
      ],
    });
    const full = await role(c, 'full', trust, documented);
    assert.equal(await importWith(c, ds, full, bucket), 'ok');
  });
});

test('IAM propagation: a new role, or a changed one, reaches Personalize only after iamPropagationDelayMs (a clock the test moves)', async () => {
  const delay = 1500;
  let now = Date.now();
  await withEmulator(
    async (_emu, c) => {
      const bucket = 'fresh-data';
      const ds = await dataset(c, bucket);
      await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: personalizeBucketPolicy(bucket) }));
      const arn = await role(c, 'fresh', confusedDeputyTrustPolicy(), personalizeRolePolicy(bucket));
      assert.match(
        await importWith(c, ds, arn, bucket),
        /InvalidInputException: Insufficient privileges.*cannot assume the role .*fresh yet: IAM has not propagated it/,
      );
      now += delay;
      assert.equal(await importWith(c, ds, arn, bucket), 'ok');
      // A permission taken away still works until the change propagates, then it is gone.
      await c.iam.send(new DeleteRolePolicyCommand({ RoleName: 'fresh', PolicyName: 'access' }));
      assert.equal(await importWith(c, ds, arn, bucket), 'ok');
      now += delay;
      assert.match(await importWith(c, ds, arn, bucket), /because no identity-based policy allows the s3:ListBucket action/);
    },
    { iamPropagationDelayMs: delay, now: () => now },
  );
});

test('batch segment jobs: reading the input, writing the output and the KMS keys they name are all checked at CreateBatchSegmentJob', async () => {
  await withEmulator(async (_emu, c) => {
    const { CreateSolutionCommand, DescribeSolutionCommand, CreateSolutionVersionCommand, DescribeSolutionVersionCommand, CreateBatchSegmentJobCommand } =
      await import('@aws-sdk/client-personalize');
    const p = c.personalize;
    const bucket = 'segment-data';
    const ds = await dataset(c, bucket);
    await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: personalizeBucketPolicy(bucket) }));
    const full = await role(c, 'full', confusedDeputyTrustPolicy(), personalizeRolePolicy(bucket));
    assert.equal(await importWith(c, ds, full, bucket), 'ok');
    const datasetGroupArn = ds.replace(/:dataset\/([^/]+)\/INTERACTIONS$/, ':dataset-group/$1');
    const { solutionArn } = await p.send(
      new CreateSolutionCommand({ name: 'sol', datasetGroupArn, recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity', performAutoTraining: false }),
    );
    await waitFor(
      () => p.send(new DescribeSolutionCommand({ solutionArn })),
      (r) => r.solution?.status === 'ACTIVE',
      'solution',
    );
    const { solutionVersionArn } = await p.send(new CreateSolutionVersionCommand({ solutionArn }));
    await waitFor(
      () => p.send(new DescribeSolutionVersionCommand({ solutionVersionArn })),
      (r) => r.solutionVersion?.status === 'ACTIVE',
      'training',
      60_000,
    );
    await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'batch/q.json', Body: '{"itemId": "i1"}\n' }));
    let n = 0;
    const segment = async (roleArn: string, outputKms?: string) => {
      try {
        await p.send(
          new CreateBatchSegmentJobCommand({
            jobName: `seg-${++n}`,
            solutionVersionArn,
            roleArn,
            jobInput: { s3DataSource: { path: `s3://${bucket}/batch/q.json` } },
            jobOutput: { s3DataDestination: { path: `s3://${bucket}/batch/out/`, ...(outputKms ? { kmsKeyArn: outputKms } : {}) } },
          }),
        );
        return 'ok';
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    };
    const readOnly = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] }],
    });
    const reader = await role(c, 'reader', confusedDeputyTrustPolicy(), readOnly);
    assert.match(
      await segment(reader),
      /InvalidInputException: Insufficient privileges.*s3:PutObject on resource: "arn:aws:s3:::segment-data\/batch\/out\/q\.json\.out"/,
    );
    assert.match(await segment(full, `arn:aws:kms:eu-west-1:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`), /KMS key .* The key does not exist/);
    // The import-only bucket policy of the docs lacks s3:PutObject for the service.
    const importOnly = JSON.parse(personalizeBucketPolicy(bucket)) as { Statement: Array<{ Action: string[] }> };
    importOnly.Statement[0]!.Action = ['s3:GetObject', 's3:ListBucket'];
    await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(importOnly) }));
    assert.equal(
      await segment(full),
      `InvalidInputException: Insufficient privileges for accessing data in S3. Please look at https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html#attach-bucket-policy and fix bucket policy on ${bucket}.`,
    );
    await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: personalizeBucketPolicy(bucket) }));
    assert.equal(await segment(full), 'ok');
  });
});
