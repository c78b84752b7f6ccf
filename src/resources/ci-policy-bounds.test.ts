import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize } from '../emulator/iam/evaluate.js';
import { parsePolicy } from '../emulator/iam/policy.js';
import { wildcardMatch } from '../emulator/iam/wildcard.js';
import { isSegflowError } from '../util/errors.js';
import { mulberry32 } from '../util/prng.js';
import { testSpec } from '../../test/support/spec.js';
import type { Spec } from '../spec/types.js';
import { boundaryPolicy, ciPolicy, pipelineArns, readOnly } from './ci-policy.js';
import { jobName, longLivedName, personalizeArn } from './naming.js';
import { roleName } from './role.js';
import { FILTER_ROLE } from './filter.js';
import { IMPORT_ROLES } from './import-job.js';
import { SCHEMA_ROLES } from './schema.js';
import { SEGMENT_ROLE } from './segments.js';

const ACCOUNT = '000000000000';
const env = { account: ACCOUNT, region: 'us-east-1', partition: 'aws' };
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/segflow-boundary`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
type Doc = { Statement: Array<Record<string, unknown>> };

/** The CI role deciding under `policy` (its only policy), with the request context given. */
function allowed(policy: object, action: string, resource: string, context: Record<string, string> = {}, boundary?: object): boolean {
  return authorize({
    request: {
      principal: { kind: 'role', account: ACCOUNT, roleArn: role('ci'), sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/ci/run` },
      action,
      resource,
      context,
    },
    identityPolicies: [parsePolicy(policy)],
    ...(boundary ? { boundary: parsePolicy(boundary) } : {}),
    resourceAccount: ACCOUNT,
  }).allowed;
}

const actionsOf = (s: Record<string, unknown>) => [s['Action']].flat() as string[];

test('with iam.permissionsBoundary the CI policy can create and change the pipeline role only with that boundary, and never remove it', () => {
  const spec: Spec = { ...testSpec(), iam: { permissionsBoundary: BOUNDARY } };
  const policy = ciPolicy(spec, env) as Doc;
  const ours = role(roleName(spec, env));
  // Every statement allowing a way to give a role permissions carries the boundary condition.
  for (const s of policy.Statement.filter((x) => x['Effect'] === 'Allow')) {
    if (!actionsOf(s).some((a) => /^iam:(CreateRole|PutRolePolicy|AttachRolePolicy|PutRolePermissionsBoundary|\*)$|^\*$/.test(a))) continue;
    assert.deepEqual(s['Condition'], { StringEquals: { 'iam:PermissionsBoundary': BOUNDARY } }, String(s['Sid']));
  }
  assert.ok(allowed(policy, 'iam:CreateRole', ours, { 'iam:PermissionsBoundary': BOUNDARY }));
  assert.ok(!allowed(policy, 'iam:CreateRole', ours), 'a role without the boundary');
  assert.ok(!allowed(policy, 'iam:CreateRole', ours, { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' }), 'another boundary');
  assert.ok(!allowed(policy, 'iam:CreateRole', role('admin'), { 'iam:PermissionsBoundary': BOUNDARY }), 'another name');
  assert.ok(!allowed(policy, 'iam:CreateRole', role('demo-personalize-us-east-1-evil'), { 'iam:PermissionsBoundary': BOUNDARY }), 'a longer name');
  assert.ok(allowed(policy, 'iam:PutRolePolicy', ours, { 'iam:PermissionsBoundary': BOUNDARY }));
  assert.ok(!allowed(policy, 'iam:PutRolePolicy', ours), 'the role lost its boundary');
  assert.ok(
    !allowed(policy, 'iam:AttachRolePolicy', ours, { 'iam:PermissionsBoundary': BOUNDARY, 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' }),
  );
  assert.ok(!allowed(policy, 'iam:DeleteRolePermissionsBoundary', ours, { 'iam:PermissionsBoundary': BOUNDARY }));
  assert.ok(!allowed(policy, 'iam:PutRolePermissionsBoundary', ours, { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' }));
  for (const a of ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy']) assert.ok(!allowed(policy, a, BOUNDARY), a);
  // Even a broader policy next to it cannot get past the Deny statements.
  const broad = { Version: '2012-10-17', Statement: [...policy.Statement, { Effect: 'Allow', Action: 'iam:*', Resource: '*' }] };
  assert.ok(!allowed(broad, 'iam:CreateRole', role('anything')), 'Deny: no role without the boundary');
  assert.ok(!allowed(broad, 'iam:DeleteRolePermissionsBoundary', ours));
  // The boundary: the role can never do more than Personalize needs for this pipeline.
  const bound = boundaryPolicy(spec, env);
  const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  assert.ok(allowed(admin, 's3:GetObject', 'arn:aws:s3:::demo-bucket/demo/input/interactions.csv', {}, bound));
  assert.ok(!allowed(admin, 'iam:CreateUser', '*', {}, bound));
  assert.ok(!allowed(admin, 's3:GetObject', 'arn:aws:s3:::other/k', {}, bound));
  assert.ok(!allowed(admin, 'personalize:DeleteDatasetGroup', '*', {}, bound));
});

test('with iam.roleArn the CI policy writes nothing in IAM: it reads the role and passes it to Personalize only', () => {
  const external = role('platform/personalize-shared');
  const spec: Spec = { ...testSpec(), iam: { roleArn: external } };
  const policy = ciPolicy(spec, env) as Doc;
  const iam = policy.Statement.flatMap((s) =>
    actionsOf(s)
      .filter((a) => a.startsWith('iam:'))
      .map((a) => `${String(s['Effect'])} ${a}`),
  );
  assert.deepEqual(iam.sort(), ['Allow iam:GetRole', 'Allow iam:PassRole', 'Allow iam:SimulatePrincipalPolicy']);
  assert.ok(allowed(policy, 'iam:PassRole', external, { 'iam:PassedToService': 'personalize.amazonaws.com' }));
  assert.ok(!allowed(policy, 'iam:PassRole', external, { 'iam:PassedToService': 'ec2.amazonaws.com' }));
  assert.ok(!allowed(policy, 'iam:PutRolePolicy', external));
  assert.ok(!allowed(policy, 'iam:GetRole', role(roleName(spec, env))), "not even segflow's own role name");
});

test('without spec.iam the full CI policy is refused (SPEC_IAM_REQUIRED); the read-only one is not', () => {
  assert.throws(
    () => ciPolicy(testSpec(), env),
    (e) => isSegflowError(e) && e.code === 'SPEC_IAM_REQUIRED' && e.exitCode === 2,
  );
  const ro = readOnly(ciPolicy({ ...testSpec(), iam: { permissionsBoundary: BOUNDARY } }, env));
  assert.ok(ro.Statement.every((s) => s['Effect'] === 'Allow' && actionsOf(s).every((a) => /:(Describe|List|Get|Simulate)/.test(a))));
});

test('multipart uploads can be aborted, and an SSE-KMS state bucket can be read and written', () => {
  const spec: Spec = {
    ...testSpec(),
    iam: { permissionsBoundary: BOUNDARY },
    state: { backend: 's3', bucket: 'team-state', key: 'segflow/demo.json', region: 'us-east-1', kmsKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1` },
  };
  const policy = ciPolicy(spec, env);
  assert.ok(allowed(policy, 's3:AbortMultipartUpload', 'arn:aws:s3:::demo-bucket/demo/input/interactions.csv'));
  assert.ok(allowed(policy, 's3:ListBucketMultipartUploads', 'arn:aws:s3:::demo-bucket'));
  assert.ok(allowed(policy, 's3:PutLifecycleConfiguration', 'arn:aws:s3:::demo-bucket'));
  for (const a of ['kms:GenerateDataKey', 'kms:Decrypt']) assert.ok(allowed(policy, a, `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1`), a);
  assert.ok(!allowed(policy, 'kms:Decrypt', `arn:aws:kms:us-east-1:${ACCOUNT}:key/other`));
});

/** Pipeline names chosen to collide: each other's prefixes, and suffixes that look like segflow's own name parts. */
function adversarialNames(): string[] {
  const base = ['online-retail', 'a', 'shop', 'x1', 'deadbeef', 'a-b', 'seg', 'abc-', 'f00d-cafe'];
  const tails = [
    'uk',
    'seg',
    'int',
    'itm',
    'usr',
    'imp',
    'imp-int',
    'dsg',
    'solution',
    'flt',
    'personalize',
    'p',
    '0',
    '2',
    '99',
    'a1b2c3d4',
    'seg-a1b2c3d4',
    'int-12345678',
    'imp-int-0123abcd',
  ];
  const out = new Set<string>();
  for (const b of base) {
    out.add(b);
    for (const t of tails) out.add(`${b}-${t}`);
    if (b.includes('-')) out.add(b.slice(0, b.lastIndexOf('-')));
  }
  const rand = mulberry32(20);
  const alphabet = 'abcdef0123456789-';
  for (let i = 0; i < 40; i++) {
    const n = 1 + Math.floor(rand() * 20);
    out.add('abcdef'[Math.floor(rand() * 6)]! + Array.from({ length: n - 1 }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(''));
  }
  return [...out].filter((n) => /^[a-z][a-z0-9-]{0,39}$/.test(n));
}

/** Every ARN a pipeline's resources can have (hashes drawn at random, attempts 1, 2, 10 and 99). */
function resourcesOf(spec: Spec, rand: () => number): string[] {
  const hash = () => Array.from({ length: 16 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
  const jobs = (type: string, roles: string[]) =>
    roles.flatMap((r) => [1, 2, 10, 99].map((attempt) => personalizeArn(env, type, jobName(spec, r, hash(), attempt))));
  const dsg = longLivedName(spec, 'dsg');
  return [
    personalizeArn(env, 'dataset-group', dsg),
    ...['INTERACTIONS', 'ITEMS', 'USERS'].map((t) => personalizeArn(env, 'dataset', `${dsg}/${t}`)),
    ...jobs('schema', SCHEMA_ROLES),
    ...jobs('dataset-import-job', IMPORT_ROLES),
    personalizeArn(env, 'solution', longLivedName(spec, 'solution')),
    personalizeArn(env, 'solution', `${longLivedName(spec, 'solution')}/${hash().slice(0, 8)}`),
    ...jobs('batch-segment-job', [SEGMENT_ROLE]),
    ...jobs('filter', [FILTER_ROLE]),
    role(roleName(spec, env)),
    role(longLivedName(spec, 'personalize')),
    `arn:aws:s3:::shared/${spec.name}/output/x`,
    `arn:aws:s3:::team-state/segflow/${spec.name}.json`,
    `arn:aws:s3:::team-state/segflow/${spec.name}.json.lock`,
  ];
}

test("no pipeline's CI policy covers another pipeline's resources (online-retail vs online-retail-uk, and adversarial names)", () => {
  const names = adversarialNames();
  assert.ok(names.length > 150, `${names.length} names`);
  const specOf = (name: string): Spec => ({
    ...testSpec({ name, storage: { bucket: 'shared', prefix: `${name}/` } }),
    iam: { permissionsBoundary: BOUNDARY },
    state: { backend: 's3', bucket: 'team-state', key: `segflow/${name}.json`, region: 'us-east-1' },
  });
  const rand = mulberry32(7);
  const resources = new Map(names.map((n) => [n, resourcesOf(specOf(n), rand)]));
  let checked = 0;
  for (const p1 of names) {
    const patterns = (ciPolicy(specOf(p1), env) as Doc).Statement.filter((s) => s['Effect'] === 'Allow')
      .flatMap((s) => [s['Resource']].flat() as string[])
      .filter((r) => r !== '*' && !r.includes(':recipe/') && r !== 'arn:aws:s3:::shared' && r !== 'arn:aws:s3:::team-state');
    // Its own resources are covered (the patterns are not simply too narrow to match anything).
    for (const arn of resources.get(p1)!)
      assert.ok(
        patterns.some((p) => wildcardMatch(p, arn)),
        `${p1} does not cover its own ${arn}`,
      );
    // IAM's wildcards (`*` any run, `?` one character, case-sensitive), all of p1's patterns as one expression.
    const any = new RegExp(
      `^(?:${patterns.map((p) => [...p].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')).join('|')})$`,
      's',
    );
    for (const p2 of names) {
      if (p2 === p1) continue;
      for (const arn of resources.get(p2)!) {
        checked++;
        if (!any.test(arn)) continue;
        assert.fail(`${p1}'s policy pattern ${patterns.find((p) => wildcardMatch(p, arn))} covers ${p2}'s ${arn}`);
      }
    }
  }
  assert.ok(checked > 100_000, `${checked} pairs`);
  // The ARNs of the original report.
  const retail = pipelineArns(specOf('online-retail'), env)['personalize']!;
  assert.ok(!retail.some((p) => wildcardMatch(p, personalizeArn(env, 'schema', 'online-retail-uk-int-0123abcd'))));
});
