import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  GetRoleCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { CreateDatasetGroupCommand, ListDatasetGroupsCommand } from '@aws-sdk/client-personalize';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { clientsFor, TRUST_POLICY, withEmulator } from '../../test/support/emulator.js';

const ACCOUNT = '000000000000';
const CI = { accessKeyId: 'CIKEY', secretAccessKey: 'ci-secret' };
const CI_ROLE = `arn:aws:iam::${ACCOUNT}:role/ci`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/app-boundary`;
const doc = (Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** A CI role may create and change roles named app-* only with the boundary, never remove it. */
const CI_POLICY = doc([
  {
    Sid: 'RolesWithBoundary',
    Effect: 'Allow',
    Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary'],
    Resource: `arn:aws:iam::${ACCOUNT}:role/app-*`,
    Condition: { StringEquals: { 'iam:PermissionsBoundary': BOUNDARY } },
  },
  { Sid: 'Read', Effect: 'Allow', Action: ['iam:GetRole', 'iam:SimulatePrincipalPolicy'], Resource: `arn:aws:iam::${ACCOUNT}:role/app-*` },
  { Sid: 'Buckets', Effect: 'Allow', Action: ['s3:CreateBucket', 's3:PutObject'], Resource: ['arn:aws:s3:::app-*'] },
  { Sid: 'KeepBoundary', Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' },
]);
/** What any role the CI role makes can ever do: the app's objects, nothing else. */
const BOUNDARY_POLICY = doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::app-data/*' }]);
const ADMIN = doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]);

test("role sessions: the role's policies decide every call; a CI role bound by iam:PermissionsBoundary cannot escalate", async () => {
  await withEmulator(
    async (emu, root) => {
      await root.iam.send(new CreatePolicyCommand({ PolicyName: 'app-boundary', PolicyDocument: BOUNDARY_POLICY }));
      await root.iam.send(new CreateRoleCommand({ RoleName: 'ci', AssumeRolePolicyDocument: TRUST_POLICY }));
      await root.iam.send(new PutRolePolicyCommand({ RoleName: 'ci', PolicyName: 'ci', PolicyDocument: CI_POLICY }));
      const ci = clientsFor(emu.endpoint, CI);
      try {
        const me = await ci.sts.send(new GetCallerIdentityCommand({}));
        assert.equal(me.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/ci/CIKEY`);
        assert.equal(me.Account, ACCOUNT);
        const denied = (action: string, resource: string, why = 'because no identity-based policy allows the') =>
          new RegExp(
            `^User: arn:aws:sts::${ACCOUNT}:assumed-role/ci/CIKEY is not authorized to perform: ${action} on resource: "${resource.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" ${why}`,
          );

        // No boundary, another boundary, or a name outside app-*: refused.
        const appRole = `arn:aws:iam::${ACCOUNT}:role/app-x`;
        await assert.rejects(
          ci.iam.send(new CreateRoleCommand({ RoleName: 'app-x', AssumeRolePolicyDocument: TRUST_POLICY })),
          (e: Error) => e.name === 'AccessDenied' && denied('iam:CreateRole', appRole).test(e.message),
        );
        await assert.rejects(
          ci.iam.send(
            new CreateRoleCommand({
              RoleName: 'app-x',
              AssumeRolePolicyDocument: TRUST_POLICY,
              PermissionsBoundary: 'arn:aws:iam::aws:policy/AdministratorAccess',
            }),
          ),
          { name: 'AccessDenied' },
        );
        await assert.rejects(ci.iam.send(new CreateRoleCommand({ RoleName: 'admin', AssumeRolePolicyDocument: TRUST_POLICY, PermissionsBoundary: BOUNDARY })), {
          name: 'AccessDenied',
        });
        // With the boundary: created, and even an admin inline policy gives the role only what the boundary allows.
        await ci.iam.send(
          new CreateRoleCommand({
            RoleName: 'app-x',
            AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: CI_ROLE }, Action: 'sts:AssumeRole' }]),
            PermissionsBoundary: BOUNDARY,
          }),
        );
        assert.equal((await root.iam.send(new GetRoleCommand({ RoleName: 'app-x' }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn, BOUNDARY);
        await ci.iam.send(new PutRolePolicyCommand({ RoleName: 'app-x', PolicyName: 'admin', PolicyDocument: ADMIN }));
        const simulate = async (action: string, resource: string) =>
          (await ci.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: appRole, ActionNames: [action], ResourceArns: [resource] })))
            .EvaluationResults?.[0]?.EvalDecision;
        assert.equal(await simulate('iam:CreateUser', '*'), 'implicitDeny');
        assert.equal(await simulate('iam:PutRolePolicy', CI_ROLE), 'implicitDeny');
        assert.equal(await simulate('s3:GetObject', 'arn:aws:s3:::app-data/k'), 'allowed');
        assert.equal(await simulate('s3:GetObject', 'arn:aws:s3:::other/k'), 'implicitDeny');
        // The boundary cannot be removed or swapped.
        await assert.rejects(
          ci.iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'app-x' })),
          (e: Error) => e.name === 'AccessDenied' && / with an explicit deny in an identity-based policy$/.test(e.message),
        );
        await assert.rejects(
          ci.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'app-x', PermissionsBoundary: 'arn:aws:iam::aws:policy/AdministratorAccess' })),
          { name: 'AccessDenied' },
        );
        // Its own role is not app-*: it cannot give itself more.
        await assert.rejects(ci.iam.send(new PutRolePolicyCommand({ RoleName: 'ci', PolicyName: 'more', PolicyDocument: ADMIN })), { name: 'AccessDenied' });
        // Other services: Personalize and S3 too.
        await assert.rejects(
          ci.personalize.send(new ListDatasetGroupsCommand({})),
          (e: Error) => e.name === 'AccessDeniedException' && denied('personalize:ListDatasetGroups', '*').test(e.message),
        );
        await assert.rejects(ci.personalize.send(new CreateDatasetGroupCommand({ name: 'g' })), { name: 'AccessDeniedException' });
        await assert.rejects(ci.s3.send(new CreateBucketCommand({ Bucket: 'not-app' })), { name: 'AccessDenied' });
        await ci.s3.send(new CreateBucketCommand({ Bucket: 'app-data' }));
        await ci.s3.send(new PutObjectCommand({ Bucket: 'app-data', Key: 'k', Body: 'v' }));
      } finally {
        for (const c of Object.values(ci)) c.destroy();
      }
    },
    { roleSessions: [{ ...CI, roleArn: CI_ROLE }] },
  );
});
