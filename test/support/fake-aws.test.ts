/**
 * The contract that keeps the fake honest: every scenario runs against FakeAws and against the SDK adapters on the
 * emulator, and what the ports show (values, absence, error kinds and codes, listings) must be identical.
 * Every port is in it: Personalize, S3 (tagging, versioning, lifecycle and pinned reads too), IAM (boundaries and the
 * policy simulator too), STS and KMS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttachRolePolicyCommand, CreatePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { isAwsError } from '../../src/aws/errors.js';
import type { AwsPorts } from '../../src/aws/ports.js';
import { LOCAL_CREDENTIALS } from '../../src/aws/sdk-clients.js';
import { TEST_REGION, withEmulatorPorts } from './emulator-ports.js';
import { FakeAws } from './fake-aws.js';
import { contractScenarios, normalize, type ScenarioEnv } from './fake-aws/contract-scenarios.js';
import { copyScenario } from './fake-aws/copy-scenario.js';
import { moreContractScenarios } from './fake-aws/contract-scenarios-more.js';
import { filterScenario } from './fake-aws/filter-scenario.js';

async function onFake<T>(run: (ports: AwsPorts, env: ScenarioEnv) => Promise<T>): Promise<T> {
  const fake = new FakeAws({ region: TEST_REGION });
  return run(fake, {
    attachRolePolicy: async (role, arn) => fake.attachRolePolicy(role, arn),
    async createPolicy(name, document) {
      const arn = `arn:aws:iam::000000000000:policy/${name}`;
      fake.iamWorld.policies.set(arn, document);
      return arn;
    },
    createKey: async (policy) => fake.addKey({ policy }).arn,
    enableVersioning: async (bucket) => fake.enableVersioning(bucket),
  });
}

async function onEmulator<T>(run: (ports: AwsPorts, env: ScenarioEnv) => Promise<T>): Promise<T> {
  return withEmulatorPorts(async (ports, emu) => {
    const common = { endpoint: emu.endpoint, region: TEST_REGION, credentials: LOCAL_CREDENTIALS };
    const iam = new IAMClient(common);
    const kms = new KMSClient(common);
    const s3 = new S3Client({ ...common, forcePathStyle: true });
    try {
      return await run(ports, {
        attachRolePolicy: async (RoleName, PolicyArn) => void (await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }))),
        createPolicy: async (PolicyName, PolicyDocument) => (await iam.send(new CreatePolicyCommand({ PolicyName, PolicyDocument }))).Policy!.Arn!,
        createKey: async (Policy) => (await kms.send(new CreateKeyCommand({ Policy }))).KeyMetadata!.Arn!,
        enableVersioning: async (Bucket) => void (await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }))),
      });
    } finally {
      for (const c of [iam, kms, s3]) c.destroy();
    }
  });
}

/** The scenario's observations, and the calls it made (Describe* aside: how often a poll describes is timing). */
const observed = (scenario: (typeof contractScenarios)[number]) => async (ports: AwsPorts, env: ScenarioEnv) => {
  // Normalized here too (timestamps such as an object's lastModified differ by when each side ran).
  const observations = normalize(await scenario.run(ports, env));
  const calls = Object.entries(ports.calls.snapshot()).filter(([op]) => !op.includes(':Describe'));
  return { observations, calls, bytesUploaded: ports.calls.bytesUploaded };
};

for (const scenario of [...contractScenarios, ...moreContractScenarios, filterScenario, copyScenario]) {
  test(`fake and emulator agree: ${scenario.name}`, async () => {
    const fake = await onFake(observed(scenario));
    const real = await onEmulator(observed(scenario));
    assert.deepEqual(fake, real);
  });
}

test('fake hooks: crashAfter takes effect then throws like a dropped connection; failNext; failTraining', async () => {
  const fake = new FakeAws({ region: TEST_REGION, describesToActive: 1 });
  fake.crashAfter = 'CreateDatasetGroup';
  await assert.rejects(fake.personalize.createDatasetGroup({ name: 'dsg', tags: {} }), (e) => isAwsError(e, 'other') && e.code === 'ECONNRESET');
  assert.equal(fake.count('dataset-group'), 1, 'the create took effect');
  assert.equal(fake.crashAfter, undefined, 'one crash only');
  assert.equal((await fake.personalize.describeDatasetGroup(fake.arn('dataset-group', 'dsg')))?.status, 'ACTIVE');

  fake.failNext('personalize:ListDatasetGroups', 'ThrottlingException');
  await assert.rejects(fake.personalize.listDatasetGroups(), (e) => isAwsError(e, 'throttled'));
  assert.equal((await fake.personalize.listDatasetGroups()).length, 1);
  fake.failNext('GetCallerIdentity', 'ExpiredToken', { times: 2 });
  for (let i = 0; i < 2; i++) await assert.rejects(fake.sts.getCallerIdentity(), (e) => isAwsError(e, 'expired-credentials'));
  assert.equal((await fake.sts.getCallerIdentity()).account, '000000000000');
  // An injected not-found on a read is absence, as through the adapters.
  fake.failNext('DescribeDatasetGroup', 'ResourceNotFoundException');
  assert.equal(await fake.personalize.describeDatasetGroup(fake.arn('dataset-group', 'dsg')), undefined);

  const solution = await fake.personalize.createSolution({
    name: 's',
    datasetGroupArn: fake.arn('dataset-group', 'dsg'),
    recipeArn: 'arn:aws:personalize:::recipe/aws-item-affinity',
    performAutoTraining: false,
    tags: {},
  });
  await fake.personalize.describeSolution(solution);
  fake.failTraining = true;
  const version = await fake.personalize.createSolutionVersion({ solutionArn: solution, trainingMode: 'FULL', tags: {} });
  assert.match(version, /^arn:aws:personalize:eu-west-1:000000000000:solution\/s\/[0-9a-f]{8}$/);
  assert.deepEqual(await fake.personalize.describeSolutionVersion(version).then((v) => [v?.status, v?.failureReason]), ['CREATE FAILED', 'simulated failure']);
  assert.equal(fake.failTraining, false, 'one failure only');
  assert.deepEqual(fake.log, ['create dataset-group dsg', 'create solution s', `create solution-version ${version.split('/').pop()}`]);
  assert.deepEqual(fake.calls.snapshot(), {
    'personalize:CreateDatasetGroup': 1,
    'personalize:CreateSolution': 1,
    'personalize:CreateSolutionVersion': 1,
    'personalize:DescribeDatasetGroup': 2,
    'personalize:DescribeSolution': 1,
    'personalize:DescribeSolutionVersion': 1,
    'personalize:ListDatasetGroups': 2,
    'sts:GetCallerIdentity': 3,
  });
});

test('fake hooks: foreign buckets, versioning, KMS keys, partitions', async () => {
  const fake = new FakeAws({ region: 'cn-north-1', account: '123456789012' });
  assert.equal(fake.partition, 'aws-cn');
  assert.equal(fake.arn('dataset-group', 'd'), 'arn:aws-cn:personalize:cn-north-1:123456789012:dataset-group/d');
  fake.foreignBuckets.add('taken');
  assert.equal(await fake.s3.headBucket('taken'), 'forbidden');
  await assert.rejects(fake.s3.createBucket('taken'), (e) => isAwsError(e, 'already-exists') && e.code === 'BucketAlreadyExists');
  await assert.rejects(fake.s3.getBucketPolicy('taken'), (e) => isAwsError(e, 'access-denied'));

  await fake.s3.createBucket('mine');
  await fake.s3.putObject('mine', 'k', { data: 'v1' });
  fake.enableVersioning('mine');
  assert.equal(await fake.s3.getBucketVersioning('mine'), 'Enabled');
  await fake.s3.putObject('mine', 'k', { data: 'v2!' });
  await fake.s3.deleteObject('mine', 'k');
  const versions = await fake.s3.listObjectVersions('mine', '');
  assert.deepEqual(
    versions.map((v) => [v.isDeleteMarker, v.isLatest, v.size]),
    [
      [true, true, undefined],
      [false, false, 3],
      [false, false, 2],
    ],
  );
  assert.equal(await fake.s3.headObject('mine', 'k'), undefined);
  await assert.rejects(fake.s3.deleteBucket('mine'), (e) => isAwsError(e, 'in-use'));
  assert.deepEqual(
    await fake.s3.deleteObjects(
      'mine',
      versions.map((v) => ({ key: v.key, versionId: v.versionId })),
    ),
    { deleted: 3, errors: [] },
  );
  await fake.s3.deleteBucket('mine');

  const key = fake.addKey({ alias: 'alias/segflow' });
  assert.deepEqual(await fake.kms.describeKey('alias/segflow'), key);
  assert.equal(key.arn, `arn:aws-cn:kms:cn-north-1:123456789012:key/${key.keyId}`);
  assert.match((await fake.kms.getKeyPolicy(key.arn))!, /kms:\*/);
  assert.equal(await fake.kms.describeKey('alias/missing'), undefined);
  assert.equal(await fake.kms.getKeyPolicy('nope'), undefined);
});
