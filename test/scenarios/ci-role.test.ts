import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  GetRoleCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { clientsFor, type Clients } from '../support/emulator.js';
import type { StandaloneEmulator } from '../reliability/support.js';
import { ACCOUNT, bucketExists, pipeline, useStrictEmulator, type Pipeline } from './support.js';
import { show } from '../support/run-cli.js';

/**
 * The CI role of docs/team.md, for real: the policy `segflow iam-policy` prints is the CI role's only policy in the
 * emulator, which authorizes every request of its session as AWS would. A full apply and destroy succeed under
 * it — with a role segflow creates inside a permissions boundary, and with an existing role (iam.roleArn) — and the
 * CI role cannot use its IAM permissions to make itself or anything else more powerful (issue 20, defect 2).
 */
const CI_A = { accessKeyId: 'CIROLEA', secretAccessKey: 'ci-a-secret', roleArn: `arn:aws:iam::${ACCOUNT}:role/segflow-ci-a` };
const CI_B = { accessKeyId: 'CIROLEB', secretAccessKey: 'ci-b-secret', roleArn: `arn:aws:iam::${ACCOUNT}:role/segflow-ci-b` };
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/segflow-cia-boundary`;
const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';
const doc = (Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const TRUST_ANY = doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }]);

describe('scenarios: apply and destroy as a CI role whose only policy is `segflow iam-policy` (strict emulator)', () => {
  let emu: StandaloneEmulator;
  let home = '';
  let env: Record<string, string> = {};
  useStrictEmulator(
    (e) => (emu = e),
    [
      '--role-session',
      `${CI_A.accessKeyId}:${CI_A.secretAccessKey}:${CI_A.roleArn}`,
      '--role-session',
      `${CI_B.accessKeyId}:${CI_B.secretAccessKey}:${CI_B.roleArn}`,
    ],
  );
  before(async () => {
    // The CI job's credentials, as profiles (a CI runner's OIDC session would be the same to segflow).
    home = await mkdtemp(join(tmpdir(), 'segflow-ci-creds-'));
    const profile = (name: string, c: typeof CI_A) => `[${name}]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey}\n`;
    await writeFile(join(home, 'credentials'), profile('ci-a', CI_A) + profile('ci-b', CI_B));
    await writeFile(join(home, 'config'), '');
    env = { AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'), AWS_CONFIG_FILE: join(home, 'config') };
  });
  after(() => rm(home, { recursive: true, force: true }));

  /** Prints the pipeline's CI policy (or its boundary) with segflow itself. */
  async function printed(p: Pipeline, ...flags: string[]): Promise<string> {
    const r = await p.cli(['iam-policy', p.spec, '--account', ACCOUNT, ...flags]);
    assert.equal(r.code, 0, show(r));
    return r.stdout;
  }

  /** The CI role, with the printed policy as its only policy. */
  async function ciRole(name: string, policy: string): Promise<void> {
    await emu.aws.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST_ANY }));
    await emu.aws.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'segflow-ci', PolicyDocument: JSON.stringify(JSON.parse(policy)) }));
  }

  test('iam.permissionsBoundary: apply and destroy succeed; the CI role cannot create or change a role without the boundary', async () => {
    const p = await pipeline(emu, { name: 'cia', profile: 'ci-a', iam: { permissionsBoundary: BOUNDARY } });
    // Without a boundary or an existing role, segflow refuses to print a policy that could escalate.
    await p.set({ iam: undefined });
    const refused = await p.cli(['iam-policy', p.spec, '--account', ACCOUNT]);
    assert.equal(refused.code, 2, show(refused));
    assert.match(refused.stderr, /SPEC_IAM_REQUIRED/);
    await p.set({ iam: { permissionsBoundary: BOUNDARY } });
    await emu.aws.iam.send(
      new CreatePolicyCommand({ PolicyName: 'segflow-cia-boundary', PolicyDocument: JSON.stringify(JSON.parse(await printed(p, '--boundary'))) }),
    );
    await ciRole('segflow-ci-a', await printed(p));

    const applied = await p.cli(['apply', p.spec, '--auto-approve'], env);
    assert.equal(applied.code, 0, show(applied));
    const ours = (await emu.aws.iam.send(new GetRoleCommand({ RoleName: 'cia-personalize-us-east-1' }))).Role!;
    assert.equal(ours.PermissionsBoundary?.PermissionsBoundaryArn, BOUNDARY, 'the role segflow created carries the boundary');
    const plan = await p.cli(['plan', p.spec, '--detailed-exitcode'], env);
    assert.equal(plan.code, 0, show(plan));

    const ci: Clients = clientsFor(emu.endpoint, CI_A, 'us-east-1');
    try {
      const refusedCall = async (what: string, call: Promise<unknown>) =>
        await assert.rejects(call, (e: Error) => e.name === 'AccessDenied' && /assumed-role\/segflow-ci-a\/CIROLEA is not authorized/.test(e.message), what);
      await refusedCall(
        'a role without the boundary',
        ci.iam.send(new CreateRoleCommand({ RoleName: 'cia-personalize', AssumeRolePolicyDocument: TRUST_ANY })),
      );
      await refusedCall(
        'a role with another boundary',
        ci.iam.send(new CreateRoleCommand({ RoleName: 'cia-personalize', AssumeRolePolicyDocument: TRUST_ANY, PermissionsBoundary: ADMIN_POLICY })),
      );
      await refusedCall(
        'a role of another name',
        ci.iam.send(new CreateRoleCommand({ RoleName: 'admin', AssumeRolePolicyDocument: TRUST_ANY, PermissionsBoundary: BOUNDARY })),
      );
      await refusedCall('removing the boundary', ci.iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'cia-personalize-us-east-1' })));
      await refusedCall(
        'swapping the boundary',
        ci.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'cia-personalize-us-east-1', PermissionsBoundary: ADMIN_POLICY })),
      );
      await refusedCall('attaching admin', ci.iam.send(new AttachRolePolicyCommand({ RoleName: 'cia-personalize-us-east-1', PolicyArn: ADMIN_POLICY })));
      await refusedCall(
        'its own policy',
        ci.iam.send(
          new PutRolePolicyCommand({ RoleName: 'segflow-ci-a', PolicyName: 'more', PolicyDocument: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]) }),
        ),
      );
      // What it may write into the pipeline's role stays inside the boundary: an "admin" inline policy grants nothing more.
      await ci.iam.send(
        new PutRolePolicyCommand({
          RoleName: 'cia-personalize-us-east-1',
          PolicyName: 'admin',
          PolicyDocument: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
        }),
      );
      const simulate = async (action: string, resource: string) =>
        (await emu.aws.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: ours.Arn!, ActionNames: [action], ResourceArns: [resource] })))
          .EvaluationResults?.[0]?.EvalDecision;
      assert.equal(await simulate('iam:CreateUser', '*'), 'implicitDeny');
      assert.equal(await simulate('iam:PutRolePolicy', CI_A.roleArn), 'implicitDeny');
      assert.equal(await simulate('s3:GetObject', 'arn:aws:s3:::someone-else/secret'), 'implicitDeny');
      assert.equal(await simulate('s3:GetObject', 'arn:aws:s3:::segflow-cia/cia/input/interactions.csv'), 'allowed');
    } finally {
      for (const c of Object.values(ci)) c.destroy();
    }

    const destroyed = await p.cli(['destroy', p.spec, '--auto-approve'], env);
    assert.equal(destroyed.code, 0, show(destroyed));
    await assert.rejects(emu.aws.iam.send(new GetRoleCommand({ RoleName: 'cia-personalize-us-east-1' })), { name: 'NoSuchEntityException' });
    assert.equal(await bucketExists(emu.aws, 'segflow-cia'), false);
  });

  test('iam.roleArn: the CI policy has no IAM write, apply and destroy succeed, and the platform role is exactly as it was', async () => {
    const platform = `arn:aws:iam::${ACCOUNT}:role/platform/personalize-cib`;
    const trust = doc([
      {
        Effect: 'Allow',
        Principal: { Service: 'personalize.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      },
    ]);
    const access = doc([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::segflow-cib' },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::segflow-cib/*' },
    ]);
    await emu.aws.iam.send(new CreateRoleCommand({ RoleName: 'personalize-cib', Path: '/platform/', AssumeRolePolicyDocument: trust }));
    await emu.aws.iam.send(new PutRolePolicyCommand({ RoleName: 'personalize-cib', PolicyName: 'data', PolicyDocument: access }));
    const before = JSON.stringify((await emu.aws.iam.send(new GetRoleCommand({ RoleName: 'personalize-cib' }))).Role);

    const p = await pipeline(emu, { name: 'cib', profile: 'ci-b', iam: { roleArn: platform } });
    const policy = await printed(p);
    const iamActions = (JSON.parse(policy) as { Statement: Array<{ Action: string | string[] }> }).Statement.flatMap((s) => [s.Action].flat()).filter((a) =>
      a.startsWith('iam:'),
    );
    assert.deepEqual([...new Set(iamActions)].sort(), ['iam:GetRole', 'iam:PassRole', 'iam:SimulatePrincipalPolicy']);
    await ciRole('segflow-ci-b', policy);

    const applied = await p.cli(['apply', p.spec, '--auto-approve'], env);
    assert.equal(applied.code, 0, show(applied));
    await assert.rejects(
      emu.aws.iam.send(new GetRoleCommand({ RoleName: 'cib-personalize-us-east-1' })),
      { name: 'NoSuchEntityException' },
      'segflow created no role',
    );
    const destroyed = await p.cli(['destroy', p.spec, '--auto-approve'], env);
    assert.equal(destroyed.code, 0, show(destroyed));
    assert.match(destroyed.stdout + destroyed.stderr, /role personalize-cib \(iam\.roleArn: not segflow's, left as it is\)/);
    assert.equal(JSON.stringify((await emu.aws.iam.send(new GetRoleCommand({ RoleName: 'personalize-cib' }))).Role), before);
    assert.equal(await bucketExists(emu.aws, 'segflow-cib'), false);
  });
});
