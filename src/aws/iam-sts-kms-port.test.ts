import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttachRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { isAwsError } from './errors.js';
import { sdkIamPort } from './iam-port.js';
import { sdkKmsPort } from './kms-port.js';
import { LOCAL_CREDENTIALS } from './sdk-clients.js';
import { stubConfig, stubHttp } from '../../test/support/stub-http.js';
import { TEST_REGION, withEmulatorPorts } from '../../test/support/emulator-ports.js';
import { TRUST_POLICY } from '../../test/support/emulator.js';

const ACCESS = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/p/*' }] });

test('iam port on the emulator: a role with inline and attached policies, decoded documents, absence, conflicts', async () => {
  await withEmulatorPorts(async ({ iam, calls }, emu) => {
    assert.equal(await iam.getRole('segflow-role'), undefined);
    assert.equal(await iam.getRolePolicy('segflow-role', 'access'), undefined);
    assert.deepEqual(await iam.listRolePolicies('segflow-role'), []);
    assert.deepEqual(await iam.listAttachedRolePolicies('segflow-role'), []);
    await iam.deleteRole('segflow-role');
    await iam.deleteRolePolicy('segflow-role', 'access');
    await iam.detachRolePolicy('segflow-role', 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess');
    await assert.rejects(
      iam.putRolePolicy('segflow-role', 'access', ACCESS),
      (e) => isAwsError(e, 'not-found') && e.code === 'NoSuchEntity' && e.status === 404,
    );
    await assert.rejects(iam.updateAssumeRolePolicy('segflow-role', TRUST_POLICY), (e) => isAwsError(e, 'not-found'));

    const arn = await iam.createRole({
      name: 'segflow-role',
      trustPolicy: TRUST_POLICY,
      description: 'segflow pipeline demo',
      tags: { 'segflow:pipeline': 'demo' },
    });
    assert.equal(arn, 'arn:aws:iam::000000000000:role/segflow-role');
    await assert.rejects(iam.createRole({ name: 'segflow-role', trustPolicy: TRUST_POLICY, description: '', tags: {} }), (e) => {
      assert.ok(isAwsError(e, 'already-exists'));
      // The wire code, not the SDK's class name (EntityAlreadyExistsException).
      assert.equal(e.code, 'EntityAlreadyExists');
      assert.equal(e.status, 409);
      assert.match(e.message, /^iam CreateRole: EntityAlreadyExists: Role with name segflow-role already exists/);
      return true;
    });
    await assert.rejects(
      iam.createRole({ name: 'other', trustPolicy: 'not a policy', description: '', tags: {} }),
      (e) => isAwsError(e, 'invalid-input') && e.code === 'MalformedPolicyDocument',
    );

    const role = await iam.getRole('segflow-role');
    // IAM sends the trust policy URL-encoded; the port hands back the JSON text.
    assert.deepEqual(JSON.parse(role!.trustPolicy), JSON.parse(TRUST_POLICY));
    assert.deepEqual([role?.arn, role?.name, role?.description, role?.tags], [arn, 'segflow-role', 'segflow pipeline demo', { 'segflow:pipeline': 'demo' }]);
    assert.ok(role?.createdAt instanceof Date);
    const trust2 = JSON.stringify({ ...JSON.parse(TRUST_POLICY), Id: 'v2' });
    await iam.updateAssumeRolePolicy('segflow-role', trust2);
    assert.equal((JSON.parse((await iam.getRole('segflow-role'))!.trustPolicy) as { Id?: string }).Id, 'v2');

    await iam.putRolePolicy('segflow-role', 'access', ACCESS);
    assert.deepEqual(JSON.parse((await iam.getRolePolicy('segflow-role', 'access'))!), JSON.parse(ACCESS));
    assert.equal(await iam.getRolePolicy('segflow-role', 'other'), undefined);
    assert.deepEqual(await iam.listRolePolicies('segflow-role'), ['access']);
    // segflow never attaches managed policies, but destroy must detach what someone else attached.
    const raw = new IAMClient({ endpoint: emu.endpoint, region: TEST_REGION, credentials: LOCAL_CREDENTIALS });
    await raw.send(new AttachRolePolicyCommand({ RoleName: 'segflow-role', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }));
    raw.destroy();
    assert.deepEqual(await iam.listAttachedRolePolicies('segflow-role'), [
      { arn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess', name: 'AmazonS3ReadOnlyAccess' },
    ]);

    await assert.rejects(iam.deleteRole('segflow-role'), (e) => isAwsError(e, 'in-use') && e.code === 'DeleteConflict');
    await iam.deleteRolePolicy('segflow-role', 'access');
    await iam.detachRolePolicy('segflow-role', 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess');
    await iam.deleteRole('segflow-role');
    assert.equal(await iam.getRole('segflow-role'), undefined);
    assert.equal(calls.get('iam:CreateRole'), 3);
    assert.equal(calls.get('iam:DeleteRole'), 3);
  });
});

test('iam lists page on Marker while IsTruncated', async () => {
  const stub = stubHttp((req) => {
    const params = new URLSearchParams(req.body);
    const marker = params.get('Marker');
    const [names, next] = marker === null ? [['a', 'b'], 'm1'] : marker === 'm1' ? [['c'], undefined] : [[], undefined];
    const members = names.map((n) => `<member>${n}</member>`).join('');
    return {
      headers: { 'content-type': 'text/xml' },
      body: `<ListRolePoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolePoliciesResult><PolicyNames>${members}</PolicyNames><IsTruncated>${next ? 'true' : 'false'}</IsTruncated>${next ? `<Marker>${next}</Marker>` : ''}</ListRolePoliciesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListRolePoliciesResponse>`,
    };
  });
  const client = new IAMClient(stubConfig(stub, 'us-east-1'));
  assert.deepEqual(await sdkIamPort(client).listRolePolicies('r'), ['a', 'b', 'c']);
  assert.equal(stub.requests.length, 2);
  client.destroy();
});

test('sts port on the emulator: the emulator account', async () => {
  await withEmulatorPorts(async ({ sts }) => {
    assert.deepEqual(await sts.getCallerIdentity(), { account: '000000000000', arn: 'arn:aws:iam::000000000000:root' });
  });
});

test('kms port: keys and key policies on the emulator; absent keys are undefined; the adapter against canned KMS answers', async () => {
  await withEmulatorPorts(async ({ kms }, emu) => {
    const admin = new KMSClient({ endpoint: emu.endpoint, region: TEST_REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      const created = (await admin.send(new CreateKeyCommand({ Description: 'segflow test' }))).KeyMetadata!;
      const key = await kms.describeKey(created.Arn!);
      assert.equal(key?.arn, created.Arn);
      assert.equal(key?.enabled, true);
      assert.match((await kms.getKeyPolicy(created.Arn!)) ?? '', /"kms:\*"/);
      assert.equal(await kms.describeKey(created.Arn!.replace(/key\/.*/, 'key/00000000-0000-0000-0000-000000000000')), undefined);
    } finally {
      admin.destroy();
    }
  });
  const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const stub = stubHttp((req) => {
    const body = JSON.parse(req.body) as { KeyId: string; PolicyName?: string };
    const json = { 'content-type': 'application/x-amz-json-1.1' };
    if (body.KeyId === 'alias/missing')
      return { status: 400, headers: json, body: JSON.stringify({ __type: 'NotFoundException', message: "Alias 'alias/missing' is not found." }) };
    if (req.headers['x-amz-target'] === 'TrentService.GetKeyPolicy') {
      assert.equal(body.PolicyName, 'default');
      return { headers: json, body: JSON.stringify({ Policy: '{"Version":"2012-10-17"}', PolicyName: 'default' }) };
    }
    return {
      headers: json,
      body: JSON.stringify({ KeyMetadata: { Arn: keyArn, KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', Enabled: false, KeyState: 'PendingDeletion' } }),
    };
  });
  const client = new KMSClient(stubConfig(stub));
  const kms = sdkKmsPort(client);
  assert.deepEqual(await kms.describeKey('alias/segflow'), {
    arn: keyArn,
    keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    enabled: false,
    keyState: 'PendingDeletion',
  });
  assert.equal(await kms.describeKey('alias/missing'), undefined);
  assert.equal(await kms.getKeyPolicy(keyArn), '{"Version":"2012-10-17"}');
  assert.equal(await kms.getKeyPolicy('alias/missing'), undefined);
  client.destroy();
});
