import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateDatasetGroupCommand, DescribeDatasetGroupCommand, ListDatasetGroupsCommand } from '@aws-sdk/client-personalize';
import { CreateBucketCommand, CreateMultipartUploadCommand, GetBucketLifecycleConfigurationCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { SdkClients } from '../../src/aws/sdk-clients.js';
import type { StandaloneEmulator } from '../reliability/support.js';
import { ACCOUNT, emulatorCalls, pipeline, resetCalls, useStrictEmulator } from './support.js';
import { show } from '../support/run-cli.js';

/**
 * segflow touches only what is its own, on a real account too: a role (or a dataset group) someone made by hand with
 * exactly the name segflow would give it is never adopted, changed or deleted (issue 20, defect 1: a hand-made
 * `victim-personalize` vanished after apply + destroy of pipeline `victim`).
 */
const TRUST_EC2 = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const MINE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::alice/*' }] });

/** Everything a role is: trust, inline policies with their documents, attached policies, tags. */
async function roleSnapshot(aws: SdkClients, name: string): Promise<string> {
  const role = (await aws.iam.send(new GetRoleCommand({ RoleName: name }))).Role!;
  const inline = (await aws.iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames ?? [];
  const docs = await Promise.all(
    inline.map(async (p) => [p, decodeURIComponent((await aws.iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: p }))).PolicyDocument!)]),
  );
  const attached = (await aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies?.map((p) => p.PolicyArn) ?? [];
  const tags = (await aws.iam.send(new ListRoleTagsCommand({ RoleName: name }))).Tags ?? [];
  return JSON.stringify({
    trust: decodeURIComponent(role.AssumeRolePolicyDocument!),
    boundary: role.PermissionsBoundary ?? null,
    docs,
    attached,
    tags,
    description: role.Description ?? null,
  });
}

async function handMadeRole(aws: SdkClients, name: string): Promise<string> {
  await aws.iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST_EC2, Description: 'made by alice', Tags: [{ Key: 'owner', Value: 'alice' }] }),
  );
  await aws.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'mine', PolicyDocument: MINE }));
  await aws.iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
  return roleSnapshot(aws, name);
}

describe("scenarios: resources with segflow's names that segflow did not create (strict emulator)", () => {
  let emu: StandaloneEmulator;
  useStrictEmulator((e) => (emu = e));

  test('a hand-made role with the name segflow 0.1 used survives apply and destroy untouched', async () => {
    const before = await handMadeRole(emu.aws, 'victim-personalize');
    const p = await pipeline(emu, { name: 'victim' });
    await p.apply();
    assert.equal(await roleSnapshot(emu.aws, 'victim-personalize'), before, 'apply left it alone');
    const destroyed = await p.destroy();
    assert.match(
      destroyed.stdout + destroyed.stderr,
      /role victim-personalize: not created by segflow for this pipeline \(no tag segflow:pipeline=victim\), left as it is/,
    );
    assert.equal(await roleSnapshot(emu.aws, 'victim-personalize'), before, 'destroy left it alone');
    // segflow's own role (named with the region) is gone.
    await assert.rejects(emu.aws.iam.send(new GetRoleCommand({ RoleName: 'victim-personalize-us-east-1' })), { name: 'NoSuchEntityException' });
  });

  test('a hand-made role with the name segflow would create: plan and apply refuse (PLAN_ROLE_FOREIGN) and name the ways out; destroy leaves it', async () => {
    const before = await handMadeRole(emu.aws, 'taken-personalize-us-east-1');
    const p = await pipeline(emu, { name: 'taken' });
    await resetCalls(emu);
    for (const command of [
      ['plan', p.spec],
      ['apply', p.spec, '--auto-approve'],
    ]) {
      const r = await p.cli(command);
      assert.equal(r.code, 2, show(r));
      assert.match(
        r.stderr,
        /error PLAN_ROLE_FOREIGN: IAM role taken-personalize-us-east-1 exists and segflow did not create it for pipeline taken \(it has no tag segflow:pipeline=taken\): segflow will not adopt, change or delete it/,
      );
      assert.match(r.stderr, /rename the pipeline/);
      assert.match(r.stderr, new RegExp(`iam: \\{ roleArn: arn:aws:iam::${ACCOUNT}:role/taken-personalize-us-east-1 \\}`));
    }
    for (const op of ['CreateRole', 'UpdateAssumeRolePolicy', 'PutRolePolicy', 'TagRole', 'DeleteRole'])
      assert.equal(await emulatorCalls(emu, 'iam', op), 0, op);
    assert.equal(await emulatorCalls(emu, 'personalize', 'CreateDatasetGroup'), 0);
    assert.equal(await roleSnapshot(emu.aws, 'taken-personalize-us-east-1'), before);
    await p.destroy();
    assert.equal(await roleSnapshot(emu.aws, 'taken-personalize-us-east-1'), before);
    // Using it as it is (iam.roleArn): plan says what it lacks for Personalize, and still changes nothing.
    await p.set({ iam: { roleArn: `arn:aws:iam::${ACCOUNT}:role/taken-personalize-us-east-1` } });
    const r = await p.cli(['plan', p.spec]);
    assert.equal(r.code, 2, show(r));
    assert.match(
      r.stderr,
      /error PLAN_ROLE: iam\.roleArn \S+ cannot do what Personalize needs for this pipeline: its trust policy does not let personalize\.amazonaws\.com assume it/,
    );
    assert.match(r.stderr, /write s3:\/\/segflow-taken\/taken\/output\/\*/);
    assert.equal(await roleSnapshot(emu.aws, 'taken-personalize-us-east-1'), before);
  });

  test("incomplete multipart uploads: a bucket segflow creates aborts them after a week; destroy aborts the pipeline's own, not anyone else's", async () => {
    const own = await pipeline(emu, { name: 'mpu' });
    await own.apply();
    const rules = (await emu.aws.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'segflow-mpu' }))).Rules ?? [];
    assert.deepEqual(
      rules.map((r) => [r.ID, r.Filter?.Prefix, r.Status, r.AbortIncompleteMultipartUpload?.DaysAfterInitiation]),
      [['segflow-abort-incomplete-multipart-uploads', '', 'Enabled', 7]],
    );
    await own.destroy();
    // A shared bucket someone else owns: segflow adds no lifecycle rule, and aborts only uploads under its prefix.
    await emu.aws.s3.send(new CreateBucketCommand({ Bucket: 'shared-mpu' }));
    const guest = await pipeline(emu, { name: 'guest', bucket: 'shared-mpu' });
    await guest.apply();
    await assert.rejects(emu.aws.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'shared-mpu' })), { name: 'NoSuchLifecycleConfiguration' });
    for (const Key of ['guest/input/interactions.csv', 'guest/output/partial.out', 'owner/big.bin'])
      await emu.aws.s3.send(new CreateMultipartUploadCommand({ Bucket: 'shared-mpu', Key }));
    const destroyed = await guest.destroy();
    assert.match(destroyed.stdout + destroyed.stderr, /2 incomplete multipart upload\(s\) under s3:\/\/shared-mpu\/guest\//);
    const left = (await emu.aws.s3.send(new ListMultipartUploadsCommand({ Bucket: 'shared-mpu' }))).Uploads ?? [];
    assert.deepEqual(
      left.map((u) => u.Key),
      ['owner/big.bin'],
    );
  });

  test("a hand-made dataset group with segflow's name: plan refuses it (PLAN_FOREIGN_RESOURCE); destroy leaves it", async () => {
    const arn = (await emu.aws.personalize.send(new CreateDatasetGroupCommand({ name: 'prey-dsg' }))).datasetGroupArn!;
    const p = await pipeline(emu, { name: 'prey' });
    const r = await p.cli(['apply', p.spec, '--auto-approve']);
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /error PLAN_FOREIGN_RESOURCE: dataset group prey-dsg exists and was not created by segflow for pipeline prey/);
    await p.destroy();
    assert.equal((await emu.aws.personalize.send(new DescribeDatasetGroupCommand({ datasetGroupArn: arn }))).datasetGroup?.status, 'ACTIVE');
    const groups = (await emu.aws.personalize.send(new ListDatasetGroupsCommand({ maxResults: 100 }))).datasetGroups ?? [];
    assert.ok(groups.some((g) => g.datasetGroupArn === arn));
  });
});
