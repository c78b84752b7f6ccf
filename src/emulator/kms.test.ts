import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateGrantCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  ListGrantsCommand,
  ListKeysCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  paginateListKeys,
} from '@aws-sdk/client-kms';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { confusedDeputyTrustPolicy, withEmulator } from '../../test/support/emulator.js';

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return `${(e as { name: string }).name}: ${(e as Error).message}`;
  }
  throw new Error('expected a failure');
}

test('KMS: keys with the default key policy, describe, list with paging, key policies and their checks', async () => {
  await withEmulator(
    async (_emu, c) => {
      const { KeyMetadata } = await c.kms.send(new CreateKeyCommand({ Description: 'segflow data' }));
      assert.match(KeyMetadata!.Arn!, /^arn:aws:kms:eu-west-1:000000000000:key\/[0-9a-f-]{36}$/);
      assert.deepEqual(
        [KeyMetadata!.KeyState, KeyMetadata!.Enabled, KeyMetadata!.KeySpec, KeyMetadata!.KeyManager],
        ['Enabled', true, 'SYMMETRIC_DEFAULT', 'CUSTOMER'],
      );
      const policy = JSON.parse((await c.kms.send(new GetKeyPolicyCommand({ KeyId: KeyMetadata!.KeyId }))).Policy!) as { Id: string; Statement: unknown[] };
      assert.deepEqual(policy.Statement, [
        { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'kms:*', Resource: '*' },
      ]);
      assert.equal(policy.Id, 'key-default-1');
      assert.equal((await c.kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.Arn }))).KeyMetadata?.KeyId, KeyMetadata!.KeyId);
      assert.match(
        await failure(c.kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-0000-0000-000000000000' }))),
        /^NotFoundException: Key 'arn:aws:kms:eu-west-1:000000000000:key\/0{8}-0{4}-0{4}-0{4}-0{12}' does not exist$/,
      );

      await c.kms.send(new CreateKeyCommand({}));
      await c.kms.send(new CreateKeyCommand({}));
      const first = await c.kms.send(new ListKeysCommand({}));
      assert.deepEqual([first.Keys?.length, first.Truncated], [2, true]);
      const all = [];
      for await (const page of paginateListKeys({ client: c.kms }, {})) all.push(...(page.Keys ?? []));
      assert.equal(all.length, 3);

      // A policy that locks the caller out is refused unless the caller bypasses the safety check.
      const lockout = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'personalize.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' }],
      });
      assert.match(
        await failure(c.kms.send(new PutKeyPolicyCommand({ KeyId: KeyMetadata!.KeyId, Policy: lockout }))),
        /^MalformedPolicyDocumentException: The new key policy will not allow you to update the key policy in the future/,
      );
      const missingRole = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:role/nobody' }, Action: 'kms:*', Resource: '*' }],
      });
      assert.match(await failure(c.kms.send(new CreateKeyCommand({ Policy: missingRole, BypassPolicyLockoutSafetyCheck: true }))), /invalid principals/);
      // Once the caller is locked out (bypassing the check), even DescribeKey is denied to it.
      const locked = await c.kms.send(new CreateKeyCommand({ Policy: lockout, BypassPolicyLockoutSafetyCheck: true }));
      assert.match(
        await failure(c.kms.send(new DescribeKeyCommand({ KeyId: locked.KeyMetadata!.KeyId }))),
        /^AccessDeniedException: User: arn:aws:iam::000000000000:root is not authorized to perform: kms:DescribeKey/,
      );

      const role = await c.iam.send(new CreateRoleCommand({ RoleName: 'kms-user', AssumeRolePolicyDocument: confusedDeputyTrustPolicy() }));
      const withRole = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'kms:*', Resource: '*' },
          {
            Sid: 'Allow use of the key',
            Effect: 'Allow',
            Principal: { AWS: role.Role!.Arn, Service: 'personalize.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ListGrants'],
            Resource: '*',
          },
        ],
      });
      await c.kms.send(new PutKeyPolicyCommand({ KeyId: KeyMetadata!.KeyId, Policy: withRole }));
      assert.equal((await c.kms.send(new GetKeyPolicyCommand({ KeyId: KeyMetadata!.KeyId }))).Policy, withRole);
    },
    { pageSize: 2 },
  );
});

test('KMS: grants, and deletion scheduling with its 7-30 day window', async () => {
  await withEmulator(async (_emu, c) => {
    const { KeyMetadata } = await c.kms.send(new CreateKeyCommand({}));
    const KeyId = KeyMetadata!.KeyId!;
    const { GrantId, GrantToken } = await c.kms.send(
      new CreateGrantCommand({ KeyId, GranteePrincipal: 'arn:aws:iam::000000000000:role/someone', Operations: ['Decrypt', 'GenerateDataKey'], Name: 'g1' }),
    );
    assert.match(GrantId!, /^[0-9a-f]{64}$/);
    assert.ok(GrantToken);
    const grants = await c.kms.send(new ListGrantsCommand({ KeyId }));
    assert.deepEqual(
      grants.Grants?.map((g) => [g.GrantId, g.Name, g.Operations]),
      [[GrantId, 'g1', ['Decrypt', 'GenerateDataKey']]],
    );
    assert.match(
      await failure(c.kms.send(new CreateGrantCommand({ KeyId, GranteePrincipal: 'x', Operations: ['Teleport' as never] }))),
      /^ValidationException/,
    );

    assert.match(await failure(c.kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 3 }))), /^ValidationException.*between 7 and 30/);
    const scheduled = await c.kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
    assert.deepEqual([scheduled.KeyState, scheduled.PendingWindowInDays, scheduled.KeyId], ['PendingDeletion', 7, KeyMetadata!.Arn]);
    assert.ok(scheduled.DeletionDate instanceof Date && scheduled.DeletionDate.getTime() > Date.now() + 6 * 86_400_000);
    assert.match(await failure(c.kms.send(new ScheduleKeyDeletionCommand({ KeyId }))), /^KMSInvalidStateException: .* is pending deletion\.$/);
    assert.match(
      await failure(c.kms.send(new CreateGrantCommand({ KeyId, GranteePrincipal: 'arn:aws:iam::000000000000:role/someone', Operations: ['Decrypt'] }))),
      /^KMSInvalidStateException/,
    );
    assert.equal((await c.kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.KeyState, 'PendingDeletion');
  });
});
