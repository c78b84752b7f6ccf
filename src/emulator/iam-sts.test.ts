import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListRoleTagsCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { TRUST_POLICY, withEmulator } from '../../test/support/emulator.js';

const S3_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket', 's3:PutObject'], Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] }],
});

test('IAM roles: create, get with URL-encoded documents, inline and managed policies, DeleteConflict, tags, listing', async () => {
  await withEmulator(async (_e, c) => {
    const created = await c.iam.send(
      new CreateRoleCommand({ RoleName: 'segflow-role', AssumeRolePolicyDocument: TRUST_POLICY, Tags: [{ Key: 'team', Value: 'growth' }] }),
    );
    assert.equal(created.Role?.Arn, 'arn:aws:iam::000000000000:role/segflow-role');
    assert.match(created.Role?.RoleId ?? '', /^AROA[A-Z2-7]{17}$/);
    await assert.rejects(c.iam.send(new CreateRoleCommand({ RoleName: 'segflow-role', AssumeRolePolicyDocument: TRUST_POLICY })), {
      name: 'EntityAlreadyExistsException',
    });
    await assert.rejects(c.iam.send(new CreateRoleCommand({ RoleName: 'bad name!', AssumeRolePolicyDocument: TRUST_POLICY })), { name: 'ValidationError' });
    await assert.rejects(c.iam.send(new CreateRoleCommand({ RoleName: 'r2', AssumeRolePolicyDocument: '{"Statement": nope' })), {
      name: 'MalformedPolicyDocumentException',
    });
    const got = await c.iam.send(new GetRoleCommand({ RoleName: 'segflow-role' }));
    assert.equal(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!), TRUST_POLICY);
    assert.notEqual(got.Role!.AssumeRolePolicyDocument, TRUST_POLICY, 'IAM returns documents URL-encoded');
    assert.deepEqual(got.Role?.Tags, [{ Key: 'team', Value: 'growth' }]);
    await assert.rejects(c.iam.send(new GetRoleCommand({ RoleName: 'nobody' })), { name: 'NoSuchEntityException' });

    await c.iam.send(new PutRolePolicyCommand({ RoleName: 'segflow-role', PolicyName: 's3-access', PolicyDocument: S3_POLICY }));
    const inline = await c.iam.send(new GetRolePolicyCommand({ RoleName: 'segflow-role', PolicyName: 's3-access' }));
    assert.equal(decodeURIComponent(inline.PolicyDocument!), S3_POLICY);
    assert.deepEqual((await c.iam.send(new ListRolePoliciesCommand({ RoleName: 'segflow-role' }))).PolicyNames, ['s3-access']);
    const managed = 'arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess';
    await c.iam.send(new AttachRolePolicyCommand({ RoleName: 'segflow-role', PolicyArn: managed }));
    await c.iam.send(new AttachRolePolicyCommand({ RoleName: 'segflow-role', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' }));
    await assert.rejects(c.iam.send(new AttachRolePolicyCommand({ RoleName: 'segflow-role', PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' })), {
      name: 'NoSuchEntityException',
    });
    const attached = await c.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'segflow-role' }));
    assert.deepEqual(
      attached.AttachedPolicies?.map((p) => p.PolicyName),
      ['AmazonPersonalizeFullAccess', 'AmazonS3FullAccess'],
    );
    const policy = await c.iam.send(new GetPolicyCommand({ PolicyArn: managed }));
    assert.equal(policy.Policy?.AttachmentCount, 1);
    const version = await c.iam.send(new GetPolicyVersionCommand({ PolicyArn: managed, VersionId: 'v1' }));
    assert.match(decodeURIComponent(version.PolicyVersion!.Document!), /personalize:\*/);

    await assert.rejects(c.iam.send(new DeleteRoleCommand({ RoleName: 'segflow-role' })), { name: 'DeleteConflictException' });
    await c.iam.send(new DeleteRolePolicyCommand({ RoleName: 'segflow-role', PolicyName: 's3-access' }));
    await assert.rejects(c.iam.send(new DeleteRoleCommand({ RoleName: 'segflow-role' })), { name: 'DeleteConflictException' });
    await c.iam.send(new DetachRolePolicyCommand({ RoleName: 'segflow-role', PolicyArn: managed }));
    await c.iam.send(new DetachRolePolicyCommand({ RoleName: 'segflow-role', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' }));
    await c.iam.send(new TagRoleCommand({ RoleName: 'segflow-role', Tags: [{ Key: 'owner', Value: 'me' }] }));
    assert.deepEqual(
      (await c.iam.send(new ListRoleTagsCommand({ RoleName: 'segflow-role' }))).Tags?.map((t) => t.Key),
      ['team', 'owner'],
    );
    await c.iam.send(new UntagRoleCommand({ RoleName: 'segflow-role', TagKeys: ['team'] }));
    assert.deepEqual((await c.iam.send(new ListRoleTagsCommand({ RoleName: 'segflow-role' }))).Tags, [{ Key: 'owner', Value: 'me' }]);
    const confusedDeputySafe = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'personalize.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': '000000000000' } },
        },
      ],
    });
    await c.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'segflow-role', PolicyDocument: confusedDeputySafe }));
    assert.equal(decodeURIComponent((await c.iam.send(new GetRoleCommand({ RoleName: 'segflow-role' }))).Role!.AssumeRolePolicyDocument!), confusedDeputySafe);
    await assert.rejects(c.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'segflow-role', PolicyDocument: '{}' })), {
      name: 'MalformedPolicyDocumentException',
    });
    await c.iam.send(new DeleteRoleCommand({ RoleName: 'segflow-role' }));
    await assert.rejects(c.iam.send(new GetRoleCommand({ RoleName: 'segflow-role' })), { name: 'NoSuchEntityException' });

    for (let i = 0; i < 5; i++) await c.iam.send(new CreateRoleCommand({ RoleName: `role-${i}`, AssumeRolePolicyDocument: TRUST_POLICY }));
    const names: string[] = [];
    for await (const page of paginateListRoles({ client: c.iam, pageSize: 2 }, {})) names.push(...(page.Roles ?? []).map((r) => r.RoleName!));
    assert.deepEqual(names, ['role-0', 'role-1', 'role-2', 'role-3', 'role-4']);
    assert.equal((await c.iam.send(new ListRolesCommand({ MaxItems: 2 }))).IsTruncated, true);
  });
});

test('IAM customer managed policies: create, get, list by scope, delete only when detached', async () => {
  await withEmulator(async (_e, c) => {
    const { Policy } = await c.iam.send(new CreatePolicyCommand({ PolicyName: 'segflow-s3', PolicyDocument: S3_POLICY }));
    assert.equal(Policy?.Arn, 'arn:aws:iam::000000000000:policy/segflow-s3');
    await assert.rejects(c.iam.send(new CreatePolicyCommand({ PolicyName: 'segflow-s3', PolicyDocument: S3_POLICY })), {
      name: 'EntityAlreadyExistsException',
    });
    const local = await c.iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    assert.deepEqual(
      local.Policies?.map((p) => p.PolicyName),
      ['segflow-s3'],
    );
    const aws = await c.iam.send(new ListPoliciesCommand({ Scope: 'AWS' }));
    assert.ok(aws.Policies?.some((p) => p.Arn === 'arn:aws:iam::aws:policy/AmazonS3FullAccess'));
    await c.iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: TRUST_POLICY }));
    await c.iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: Policy.Arn }));
    await assert.rejects(c.iam.send(new DeletePolicyCommand({ PolicyArn: Policy.Arn })), { name: 'DeleteConflictException' });
    await c.iam.send(new DetachRolePolicyCommand({ RoleName: 'r', PolicyArn: Policy.Arn }));
    await c.iam.send(new DeletePolicyCommand({ PolicyArn: Policy.Arn }));
    await assert.rejects(c.iam.send(new GetPolicyCommand({ PolicyArn: Policy.Arn })), { name: 'NoSuchEntityException' });
  });
});

test('STS GetCallerIdentity answers with the configured account', async () => {
  await withEmulator(async (_e, c) => {
    const id = await c.sts.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, '000000000000');
    assert.equal(id.Arn, 'arn:aws:iam::000000000000:root');
  });
  await withEmulator(
    async (_e, c) => {
      assert.equal((await c.sts.send(new GetCallerIdentityCommand({}))).Account, '123456789012');
    },
    { accountId: '123456789012' },
  );
});
