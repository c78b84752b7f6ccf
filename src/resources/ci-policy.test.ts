import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPipeline } from '../engine/apply.js';
import { destroyPipeline } from '../engine/destroy.js';
import { pipelineStatus } from '../engine/status.js';
import type { CallCounter } from '../aws/call-counter.js';
import { authorize } from '../emulator/iam/evaluate.js';
import { parsePolicy } from '../emulator/iam/policy.js';
import { FakeAws } from '../../test/support/fake-aws.js';
import { fakeDeps } from '../../test/support/engine-fakes.js';
import { testSpec } from '../../test/support/spec.js';
import type { StateSpec } from '../spec/types.js';
import { boundaryPolicy, ciPolicy, readOnly } from './ci-policy.js';
import { planPipeline } from '../engine/plan.js';
import type { PipelineState } from '../state/types.js';

const STATE: StateSpec = { backend: 's3', bucket: 'team-state', key: 'segflow/demo.json', region: 'us-east-1' };
const ACCOUNT = '000000000000';
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/segflow-boundary`;
const env = { account: ACCOUNT, region: 'us-east-1', partition: 'aws' };

/**
 * The IAM actions an API operation needs (S3's differ from the operation's name; STS GetCallerIdentity needs none;
 * CopyObject is authorized as a read of the source and a write of the copy: there is no s3:CopyObject action).
 */
function actionsOf(op: string): string[] {
  const [service, name] = op.split(':') as [string, string];
  if (service === 's3' && name === 'CopyObject') return ['s3:GetObject', 's3:PutObject'];
  const one = actionOf(service, name);
  return one === undefined ? [] : [one];
}

function actionOf(service: string, name: string): string | undefined {
  if (service === 'sts') return undefined;
  if (service !== 's3') return `${service}:${name}`;
  const s3: Record<string, string> = {
    HeadBucket: 's3:ListBucket',
    ListObjectsV2: 's3:ListBucket',
    ListObjectVersions: 's3:ListBucketVersions',
    HeadObject: 's3:GetObject',
    GetObject: 's3:GetObject',
    DeleteObjects: 's3:DeleteObject',
    GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
    PutPublicAccessBlock: 's3:PutBucketPublicAccessBlock',
    GetBucketEncryption: 's3:GetEncryptionConfiguration',
    PutBucketEncryption: 's3:PutEncryptionConfiguration',
    GetBucketLifecycleConfiguration: 's3:GetLifecycleConfiguration',
    PutBucketLifecycleConfiguration: 's3:PutLifecycleConfiguration',
    ListMultipartUploads: 's3:ListBucketMultipartUploads',
  };
  return s3[name] ?? `s3:${name}`;
}

const allowed = (policy: object, action: string, resource: string, context: Record<string, string> = {}) =>
  authorize({
    request: {
      principal: { kind: 'role', account: ACCOUNT, roleArn: `arn:aws:iam::${ACCOUNT}:role/ci`, sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/ci/run` },
      action,
      resource,
      context,
    },
    identityPolicies: [parsePolicy(policy)],
    resourceAccount: ACCOUNT,
  }).allowed;

test('iam-policy covers every call apply, status and destroy make, on the resources they name, and nothing of another pipeline', async () => {
  const world = new FakeAws();
  const base = fakeDeps(world);
  const counters: CallCounter[] = [];
  const deps = { ...base, ports: () => (world.newSession(), counters.push(world.calls), world) };
  await world.s3.createBucket('team-state');
  // Tags, then other tags: the second apply tags and untags what exists.
  const base0 = testSpec({ state: STATE, interactions: { minInteractionsPerUser: 2, maxBadRows: 0 }, tags: { team: 'growth' } });
  const spec = { ...base0, iam: { permissionsBoundary: BOUNDARY } };
  world.iamWorld.policies.set(BOUNDARY, JSON.stringify(boundaryPolicy(spec, env)));
  const retagged = { ...spec, tags: { owner: 'ads' } };
  const cwd = await mkdtemp(join(tmpdir(), 'segflow-policy-'));
  const common = { spec, cwd, signal: new AbortController().signal, emit: () => undefined, deps, pollInitialMs: 1, pollMaxMs: 2 };
  try {
    const applied = await applyPipeline({ ...common, autoApprove: true, approveCost: false });
    assert.equal(applied.ok, true);
    const retag = await applyPipeline({ ...common, spec: retagged, autoApprove: true, approveCost: false });
    assert.equal(retag.ok, true);
    // A plan (what a pull request runs) needs only the read-only policy.
    const before = counters.length;
    await planPipeline(common);
    const reads = new Set(readOnly(ciPolicy(spec, env)).Statement.flatMap((s) => [s['Action']].flat() as string[]));
    const planUsed = counters
      .slice(before)
      .flatMap((c) => Object.keys(c.snapshot()))
      .flatMap(actionsOf);
    assert.deepEqual(
      planUsed.filter((a) => !reads.has(a)),
      [],
      'plan calls outside the read-only policy',
    );
    assert.ok(!reads.has('s3:PutObject') && !reads.has('iam:PassRole'));
    const arns = Object.values((JSON.parse((await world.s3.getObjectText('team-state', 'segflow/demo.json'))!.text) as PipelineState).steps)
      .map((s) => s.arn)
      .filter((a): a is string => typeof a === 'string');
    await pipelineStatus(common);
    // An upload an interrupted apply left incomplete: destroy aborts it (under the CI policy too).
    world.s3World.buckets.get(spec.storage.bucket)!.uploads = [{ key: `${spec.storage.prefix}input/interactions.csv`, uploadId: 'u1' }];
    await destroyPipeline({ ...common, keepData: false });
    assert.equal(world.s3World.buckets.get(spec.storage.bucket), undefined, 'the bucket is gone');

    const policy = ciPolicy(spec, env);
    const actions = new Set(policy.Statement.flatMap((s) => [s['Action']].flat() as string[]));
    const used = new Set(counters.flatMap((c) => Object.keys(c.snapshot())).flatMap(actionsOf));
    assert.ok(used.size > 30, `saw ${used.size} actions`);
    for (const a of ['s3:AbortMultipartUpload', 's3:ListBucketMultipartUploads', 's3:PutLifecycleConfiguration', 'iam:CreateRole']) assert.ok(used.has(a), a);
    assert.deepEqual([...used].filter((a) => !actions.has(a)).sort(), [], 'actions the engine used that the policy lacks');

    // Every resource apply recorded is within the policy, by the emulator's IAM evaluator.
    assert.ok(arns.length >= 8);
    for (const arn of arns) {
      const [, , service, , , rest] = arn.split(':');
      const action = service === 'personalize' ? 'personalize:DescribeDatasetGroup' : service === 'iam' ? 'iam:GetRole' : 's3:ListBucket';
      const type = rest?.split('/')[0];
      const describe =
        service === 'personalize'
          ? `personalize:Describe${{ 'dataset-group': 'DatasetGroup', schema: 'Schema', dataset: 'Dataset', 'dataset-import-job': 'DatasetImportJob', solution: rest!.split('/').length > 2 ? 'SolutionVersion' : 'Solution', 'batch-segment-job': 'BatchSegmentJob', filter: 'Filter' }[type!] ?? ''}`
          : action;
      assert.ok(allowed(policy, describe, arn), `${describe} on ${arn}`);
    }
    const role = `arn:aws:iam::${ACCOUNT}:role/demo-personalize`;
    assert.ok(allowed(policy, 'iam:PassRole', role, { 'iam:PassedToService': 'personalize.amazonaws.com' }));
    assert.ok(!allowed(policy, 'iam:PassRole', role, { 'iam:PassedToService': 'ec2.amazonaws.com' }), 'the role passes only to Personalize');
    for (const key of [
      'segflow/demo.json',
      'segflow/demo.json.lock',
      'segflow/demo.json.history/0000000001-x.json',
      'segflow/demo.json.reports/r1/report.json',
    ]) {
      assert.ok(allowed(policy, 's3:PutObject', `arn:aws:s3:::team-state/${key}`), key);
    }
    assert.ok(allowed(policy, 's3:ListBucket', 'arn:aws:s3:::team-state', { 's3:prefix': 'segflow/demo.json.history/' }));
    // Nothing of anyone else's.
    assert.ok(!allowed(policy, 's3:PutObject', 'arn:aws:s3:::team-state/segflow/other.json'));
    assert.ok(!allowed(policy, 's3:ListBucket', 'arn:aws:s3:::team-state', { 's3:prefix': 'segflow/other' }));
    assert.ok(!allowed(policy, 'personalize:DeleteDatasetGroup', `arn:aws:personalize:us-east-1:${ACCOUNT}:dataset-group/other-dsg`));
    assert.ok(!allowed(policy, 'iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/admin`));
    assert.ok(!allowed(policy, 's3:DeleteBucket', 'arn:aws:s3:::team-state'), 'never the state bucket itself');
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test("s3:// sources are read-only, under the glob's literal prefix", () => {
  const spec = { ...testSpec({ source: ['s3://lake/events/date=*/part-*.parquet', 's3://lake/extra.csv'] }), iam: { permissionsBoundary: BOUNDARY } };
  const policy = ciPolicy(spec, env);
  assert.ok(allowed(policy, 's3:GetObject', 'arn:aws:s3:::lake/events/date=2024-01-01/part-0.parquet'));
  assert.ok(allowed(policy, 's3:GetObject', 'arn:aws:s3:::lake/extra.csv'));
  assert.ok(allowed(policy, 's3:ListBucket', 'arn:aws:s3:::lake', { 's3:prefix': 'events/' }));
  assert.ok(!allowed(policy, 's3:PutObject', 'arn:aws:s3:::lake/events/x'));
  assert.ok(!allowed(policy, 's3:GetObject', 'arn:aws:s3:::lake/secrets.csv'));
});
