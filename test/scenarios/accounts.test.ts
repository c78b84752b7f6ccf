import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { ListDatasetGroupsCommand } from '@aws-sdk/client-personalize';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { SdkClients } from '../../src/aws/sdk-clients.js';
import type { StandaloneEmulator } from '../reliability/support.js';
import {
  ACCOUNT,
  bucketExists,
  clientsIn,
  emulatorCalls,
  jobsOf,
  pipeline,
  resetCalls,
  trainingInProgress,
  useRestartableEmulator,
  useStrictEmulator,
  versionsOf,
} from './support.js';
import { show } from '../support/run-cli.js';

/** Partitions, other accounts and credentials that expire: where ARNs, bucket names and sessions bite on AWS. */
const OTHER = { account: '111122223333', key: 'OTHERACCOUNTKEY', secret: 'other/secret+key' };

describe('scenarios: a China region and another account (strict emulator)', () => {
  let emu: StandaloneEmulator;
  let china: SdkClients;
  let other: S3Client;
  useStrictEmulator(
    (e) => {
      emu = e;
      china = clientsIn(e, 'cn-north-1');
      other = new S3Client({
        endpoint: e.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: OTHER.key, secretAccessKey: OTHER.secret },
      });
    },
    ['--account', `${OTHER.account}:${OTHER.key}:${OTHER.secret}`],
  );
  after(() => {
    china.destroy();
    other.destroy();
  });

  test('cn-north-1: every ARN segflow records and every policy it writes is in the aws-cn partition; destroy cleans up', async () => {
    const p = await pipeline(emu, { name: 'beijing', region: 'cn-north-1' });
    await p.apply();
    const state = await p.state();
    const arns = Object.values(state.steps).flatMap((s) => (s.arn ? [s.arn] : []));
    assert.ok(arns.length >= 8, arns.join('\n'));
    for (const arn of arns) assert.match(arn, /^arn:aws-cn:/, arn);
    const role = (await china.iam.send(new GetRoleCommand({ RoleName: 'beijing-personalize-cn-north-1' }))).Role!;
    assert.equal(role.Arn, `arn:aws-cn:iam::${ACCOUNT}:role/beijing-personalize-cn-north-1`);
    const trust = decodeURIComponent(role.AssumeRolePolicyDocument!);
    assert.match(trust, /arn:aws-cn:personalize:cn-north-1:/);
    const { imports, segments } = await jobsOf(china, 'beijing');
    assert.deepEqual(
      [...imports, ...segments].map((j) => j.status),
      ['ACTIVE', 'ACTIVE'],
    );
    assert.equal((await p.applyJson()).summary.changes, 0);
    // The plan says the USD prices are not those of the China region.
    const plan = await p.plan();
    assert.ok(
      plan.cost.pricing.notes.some((n) => /CNY/.test(n)),
      plan.cost.pricing.notes.join('\n'),
    );
    await p.destroy();
    assert.deepEqual(
      ((await china.personalize.send(new ListDatasetGroupsCommand({}))).datasetGroups ?? []).filter((g) => g.name?.startsWith('beijing')),
      [],
    );
    assert.equal(await bucketExists(china, 'segflow-beijing'), false);
  });

  test('a bucket name another account owns: plan refuses it (PLAN_BUCKET_FORBIDDEN) before anything is created', async () => {
    await other.send(new CreateBucketCommand({ Bucket: 'segflow-taken' }));
    const p = await pipeline(emu, { name: 'taken', bucket: 'segflow-taken' });
    await resetCalls(emu);
    for (const command of [
      ['plan', p.spec],
      ['apply', p.spec, '--auto-approve'],
    ]) {
      const r = await p.cli(command);
      assert.equal(r.code, 2, show(r));
      assert.match(r.stderr, /error PLAN_BUCKET_FORBIDDEN: storage\.bucket segflow-taken exists but this identity may not use it/);
      assert.match(r.stderr, /another account probably owns it/);
    }
    for (const [service, op] of [
      ['s3', 'CreateBucket'],
      ['s3', 'PutBucketPolicy'],
      ['iam', 'CreateRole'],
      ['personalize', 'CreateDatasetGroup'],
    ] as const) {
      assert.equal(await emulatorCalls(emu, service, op), 0, `${service}:${op}`);
    }
    // Still the other account's, untouched.
    await other.send(new HeadBucketCommand({ Bucket: 'segflow-taken' }));
  });
});

describe('scenarios: credentials that expire during a long training (strict emulator, restarted)', () => {
  const server = useRestartableEmulator();

  test('the wait fails with AWS_CREDENTIALS_EXPIRED and says to run again; the next apply re-attaches, no second training', async () => {
    // Trainings wait before they learn (fault train-delay), so the training is surely caught in progress.
    let emu = await server.start(['--faults', 'train-delay=600000']);
    const p = await pipeline(emu, { name: 'lapse' });
    const run = p.start(['apply', p.spec, '--auto-approve']);
    const inProgress = await trainingInProgress(emu, 'lapse');
    // The session ends while apply waits: the same endpoint now refuses the credentials as expired.
    await server.stop();
    await server.start(['--credential-expiry', 'requests=0']);
    const failed = await run.done;
    assert.equal(failed.code, 1, show(failed));
    assert.match(failed.stderr, /error AWS_CREDENTIALS_EXPIRED: training: waiting for training: the AWS credentials expired \(ExpiredTokenException/);
    assert.match(failed.stderr, /run the same command again/);

    // New credentials (the user logged in again): apply finds the training by its record and waits for it.
    await server.stop();
    emu = await server.start();
    const next = await p.applyJson();
    const training = next.summary.steps.find((s) => s.id === 'training')!;
    // Still training when apply comes back (wait), or finished while it was away (adopt: the run that created it was
    // interrupted); either way the same training, never a second one.
    assert.ok(['wait', 'adopt'].includes(training.action), JSON.stringify(training));
    if (training.action === 'adopt') assert.match(next.run.stderr, /\[training\] adopt \(created by an interrupted run\)/);
    assert.equal(next.summary.calls['personalize:CreateSolutionVersion'] ?? 0, 0, 'no second training');
    const versions = await versionsOf(emu.aws, 'lapse');
    assert.deepEqual(
      versions.map((v) => [v.arn, v.status]),
      [[inProgress, 'ACTIVE']],
    );
  });
});
