import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPipeline } from './apply.js';
import type { EngineDeps } from './deps.js';
import { FakeAws } from '../../test/support/fake-aws.js';
import { fakeDeps } from '../../test/support/engine-fakes.js';
import { engineRunner } from '../../test/support/engine-run.js';
import { testSpec as baseSpec } from '../../test/support/spec.js';
import type { EngineEvent } from './events.js';
import type { Spec } from '../spec/types.js';
import { isSegflowError } from '../util/errors.js';
import { stateFile } from '../util/paths.js';

let world: FakeAws;
let deps: EngineDeps;
let cwd: string;

/** The engine tests' pipeline: `demo`, users need 2 interactions, 5 users per segment. */
const testSpec = (o: Partial<Spec> = {}) => baseSpec({ interactions: { minInteractionsPerUser: 2, maxBadRows: 0 }, ...o });

afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

beforeEach(async () => {
  world = new FakeAws();
  deps = fakeDeps(world);
  cwd = await mkdtemp(join(tmpdir(), 'segflow-engine-'));
});

const { apply, destroy, actions } = engineRunner(() => ({ deps, cwd }));

const COSTLY = ['dataset-import-job', 'solution-version', 'batch-segment-job'] as const;

test('a full run creates every resource once; a second apply changes nothing', async () => {
  const spec = testSpec();
  const first = await apply(spec);
  assert.equal(first.summary.ok, true);
  for (const t of ['dataset-group', 'schema', 'dataset', 'solution', ...COSTLY] as const) assert.equal(world.count(t), 1, t);
  assert.ok(first.summary.bytesUploaded > 0);
  assert.deepEqual(first.summary.report, ['holdout recall@K: 0.5 (popularity 0.2)', 'report: .segflow/work/demo/report']);
  const runInfo = JSON.parse(await readFile(join(cwd, '.segflow/work/demo/run-info.json'), 'utf8'));
  assert.equal(runInfo.segmentFiles.length, 1);
  assert.ok(runInfo.solutionVersionArn.startsWith(world.arn('solution', 'demo-solution')));
  await stat(join(cwd, '.segflow/work/demo', runInfo.segmentFiles[0]));

  const second = await apply(spec);
  assert.equal(second.plan.changes, 0);
  assert.equal(second.summary.createCalls, 0);
  assert.equal(second.summary.bytesUploaded, 0);
  assert.ok(Object.values(actions(second.plan)).every((a) => a === 'noop'));
});

test('a changed minInteractionsPerUser re-runs prepare -> upload -> import -> training -> segments -> evaluation, with the reason', async () => {
  const spec = testSpec();
  await apply(spec);
  const changed = testSpec({ data: { interactions: { ...spec.data.interactions, minInteractionsPerUser: 3 } } });
  const { plan, summary } = await apply(changed);
  assert.equal(summary.ok, true);
  const a = actions(plan);
  for (const id of ['prepare', 'upload', 'import-interactions', 'training', 'metrics', 'segments', 'download', 'evaluate']) assert.equal(a[id], 'run', id);
  for (const id of ['bucket', 'role', 'dataset-group', 'schema-interactions', 'dataset-interactions', 'solution']) assert.equal(a[id], 'noop', id);
  const prepare = plan.steps.find((s) => s.id === 'prepare')!;
  assert.ok(prepare.reasons.includes('data.interactions.minInteractionsPerUser: 2 -> 3'), prepare.reasons.join('|'));
  assert.equal(world.count('solution-version'), 2);
  assert.equal(world.count('dataset-import-job'), 2);
});

test('a changed numResults re-runs only segments and what follows', async () => {
  const spec = testSpec();
  await apply(spec);
  const { plan } = await apply(testSpec({ segments: { numResults: { count: 9 } } }));
  const a = actions(plan);
  const cloudRuns = plan.steps.filter((s) => !s.local && s.action !== 'noop').map((s) => s.id);
  assert.deepEqual(cloudRuns, ['segments']);
  assert.equal(a['download'], 'run');
  assert.equal(a['evaluate'], 'run');
  assert.equal(world.count('solution-version'), 1);
  assert.equal(world.count('batch-segment-job'), 2);
  const seg = plan.steps.find((s) => s.id === 'segments')!;
  assert.ok(seg.reasons.some((r) => r === 'numResults: 5 -> 9'), seg.reasons.join('|'));
});

for (const op of ['CreateDatasetImportJob', 'CreateSolutionVersion', 'CreateBatchSegmentJob', 'CreateSolution', 'CreateDatasetGroup', 'PutObject']) {
  test(`a crash right after ${op} (before the ARN is recorded) is resumed without a duplicate`, async () => {
    const spec = testSpec();
    world.crashAfter = op;
    await assert.rejects(apply(spec), (e) => isSegflowError(e));
    const { summary } = await apply(spec);
    assert.equal(summary.ok, true);
    for (const t of ['dataset-group', 'solution', ...COSTLY] as const) assert.equal(world.count(t), 1, `${t} after crash in ${op}`);
  });
}

test('a failed training is reported; the next apply trains again', async () => {
  const spec = testSpec();
  world.failTraining = true;
  await assert.rejects(apply(spec), (e) => isSegflowError(e) && e.code === 'RUN_RESOURCE_FAILED' && /simulated failure/.test(e.message));
  const { plan, summary } = await apply(spec);
  assert.equal(summary.ok, true);
  assert.equal(actions(plan)['training'], 'run');
  assert.match(plan.steps.find((s) => s.id === 'training')!.reasons[0]!, /previous attempt CREATE FAILED/);
  assert.equal(world.count('solution-version'), 2);
});

test('drift: a solution deleted out of band is recreated and retrained; a deleted object is re-uploaded', async () => {
  const spec = testSpec();
  await apply(spec);
  const solution = world.arn('solution', 'demo-solution');
  for (const [arn, r] of world.res) if (arn.startsWith(solution)) world.res.delete(arn), void r;
  world.buckets.get('demo-bucket')!.objects.delete('demo/input/interactions.csv');
  const { plan } = await apply(spec);
  const byId = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
  assert.equal(byId['solution']!.action, 'create');
  assert.match(byId['solution']!.reasons.join(), /drifted: demo-solution was deleted out of band/);
  assert.equal(byId['upload']!.action, 'run');
  assert.match(byId['upload']!.reasons.join(), /drifted: .*interactions.csv deleted/);
  assert.equal(byId['training']!.action, 'run');
  assert.equal(world.count('solution-version'), 1);
});

test('destroy leaves nothing and is idempotent', async () => {
  const spec = testSpec();
  await apply(spec);
  const summary = await destroy(spec);
  for (const t of ['dataset-group', 'schema', 'dataset', 'solution', 'solution-version'] as const) assert.equal(world.count(t), 0, t);
  assert.equal(world.roles.size, 0);
  assert.equal(world.buckets.size, 0);
  assert.ok(summary.undeletable.some((u) => u.startsWith('batch segment job')));
  assert.ok(summary.undeletable.some((u) => u.startsWith('dataset import job')));
  await assert.rejects(stat(stateFile('demo', cwd)));
  await destroy(spec);
});

test('destroy finds resources a lost state never recorded (sweep by tag and name)', async () => {
  const spec = testSpec();
  world.crashAfter = 'CreateSolutionVersion';
  await assert.rejects(apply(spec));
  await rm(stateFile('demo', cwd));
  await destroy(spec);
  for (const t of ['dataset-group', 'schema', 'dataset', 'solution', 'solution-version'] as const) assert.equal(world.count(t), 0, t);
});

test('refusals happen before any create: budget, no confirmation, declined, stale saved plan', async () => {
  const spec = testSpec({ budget: { maxUsd: 0.001, prices: { trainingPerHour: 10 } } });
  await assert.rejects(apply(spec), (e) => isSegflowError(e) && e.code === 'PLAN_OVER_BUDGET' && e.exitCode === 3);
  assert.deepEqual(world.log, []);
  await assert.rejects(apply(testSpec(), { autoApprove: false }), (e) => isSegflowError(e) && e.code === 'APPLY_NOT_CONFIRMED' && e.exitCode === 3);
  await assert.rejects(apply(testSpec(), { autoApprove: false, confirm: async () => false }), (e) => isSegflowError(e) && e.code === 'APPLY_DECLINED');
  assert.deepEqual(world.log, []);
  const ok = await apply(spec, { approveCost: true });
  assert.equal(ok.summary.ok, true);

  // A plan saved before the world moved is refused.
  const saved = (await apply(testSpec({ budget: { maxUsd: 100 } }))).plan;
  world.buckets.get('demo-bucket')!.objects.delete('demo/batch/batch-input.jsonl');
  await assert.rejects(apply(testSpec({ budget: { maxUsd: 100 } }), { savedPlan: saved }), (e) => isSegflowError(e) && e.code === 'PLAN_STALE');
});

test('a changed solution configuration replaces the solution and retrains; the old versions go with it', async () => {
  const spec = testSpec();
  await apply(spec);
  const { plan, summary } = await apply(testSpec({ training: { hiddenDimension: 64 } }));
  assert.equal(summary.ok, true);
  const byId = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
  assert.equal(byId['solution']!.action, 'replace');
  assert.match(byId['solution']!.reasons.join(), /training\.hiddenDimension: default -> 64/);
  assert.equal(byId['training']!.action, 'run');
  assert.equal(byId['import-interactions']!.action, 'noop');
  assert.ok(world.log.includes('delete solution demo-solution'));
  assert.equal(world.count('solution'), 1);
  assert.equal(world.count('solution-version'), 1);
  const live = [...world.res.values()].find((r) => r.type === 'solution')!;
  assert.equal(live.input['hiddenDimension'], 64);
  assert.equal(live.input['performAutoTraining'], false);
});

test('destroy --keep-data keeps the bucket and says it still costs storage', async () => {
  const spec = testSpec();
  await apply(spec);
  const summary = await destroy(spec, true);
  assert.equal(world.buckets.size, 1);
  assert.equal(world.count('dataset-group'), 0);
  assert.match(summary.stillBilling.join(), /S3 storage/);
});

test('drift: a dataset re-created out of band gets its data imported again (under a new job name)', async () => {
  const spec = testSpec();
  await apply(spec);
  const dataset = world.arn('dataset', 'demo-dsg/INTERACTIONS');
  const solution = world.arn('solution', 'demo-solution');
  for (const arn of [...world.res.keys()]) if (arn.startsWith(solution) || arn === dataset) world.res.delete(arn);
  const { plan, summary } = await apply(spec);
  assert.equal(summary.ok, true);
  const byId = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
  assert.equal(byId['dataset-interactions']!.action, 'create');
  assert.equal(byId['import-interactions']!.action, 'run');
  assert.match(byId['import-interactions']!.reasons.join(), /dataset it imported into no longer exists/);
  const imports = [...world.res.values()].filter((r) => r.type === 'dataset-import-job').map((r) => r.name).sort();
  assert.equal(imports.length, 2);
  assert.match(imports[1]!, /-2$/);
  const again = await apply(spec);
  assert.equal(again.plan.changes, 0);
});

test('destroy stops training in flight before deleting the solution', async () => {
  const spec = testSpec();
  world.crashAfter = 'CreateSolutionVersion';
  await assert.rejects(apply(spec));
  const version = [...world.res.values()].find((r) => r.type === 'solution-version')!;
  assert.equal(version.status, 'CREATE PENDING');
  const summary = await destroy(spec);
  assert.equal(summary.calls['personalize:StopSolutionVersionCreation'], 1);
  for (const t of ['dataset-group', 'solution', 'solution-version', 'dataset', 'schema'] as const) assert.equal(world.count(t), 0, t);
});

test('a lost state file is rebuilt by adoption: names and tags find everything, nothing is created again', async () => {
  const spec = testSpec();
  await apply(spec);
  await rm(stateFile('demo', cwd));
  const before = world.log.length;
  const { plan, summary } = await apply(spec);
  assert.equal(summary.ok, true);
  const a = actions(plan);
  for (const id of ['bucket', 'role', 'dataset-group', 'schema-interactions', 'dataset-interactions', 'import-interactions', 'solution', 'training', 'segments']) {
    assert.equal(a[id], 'adopt', id);
  }
  assert.deepEqual(world.log.slice(before).filter((l) => l.startsWith('create')), []);
  for (const t of COSTLY) assert.equal(world.count(t), 1, t);
});

test('a changed storage.bucket creates the new bucket; destroy removes the old one too', async () => {
  await apply(testSpec());
  const moved = testSpec({ storage: { bucket: 'demo-bucket-2', prefix: 'demo/' } });
  const { plan } = await apply(moved);
  const a = actions(plan);
  assert.equal(a['bucket'], 'create');
  assert.equal(a['upload'], 'run');
  assert.equal(world.buckets.size, 2);
  await destroy(moved);
  assert.equal(world.buckets.size, 0);
});

test('Ctrl-C while training stops cleanly; the next apply re-attaches to the same training', async () => {
  const spec = testSpec();
  world.describesToActive = 1_000_000;
  const controller = new AbortController();
  const events: EngineEvent[] = [];
  const run = applyPipeline({
    spec,
    cwd,
    deps,
    signal: controller.signal,
    emit: (e) => {
      events.push(e);
      if (e.type === 'step-progress' && e.id === 'training') controller.abort(new Error('SIGINT'));
    },
    autoApprove: true,
    approveCost: false,
    pollInitialMs: 1,
    pollMaxMs: 2,
  });
  // Everything before training becomes active quickly; training never does until we say so.
  const tick = setInterval(() => {
    for (const r of world.res.values()) if (r.type !== 'solution-version' && r.status.startsWith('CREATE')) r.status = 'ACTIVE';
  }, 1);
  const stopped = await run;
  assert.ok(!stopped.ok && isSegflowError(stopped.error) && stopped.error.code === 'RUN_CANCELLED');
  clearInterval(tick);
  assert.equal(world.count('solution-version'), 1);
  // Training is still in flight when the next apply plans.
  for (const r of world.res.values()) r.describes = 0;
  world.describesToActive = 3;
  const { plan, summary } = await apply(spec);
  assert.equal(actions(plan)['training'], 'wait');
  assert.equal(summary.ok, true);
  assert.equal(world.count('solution-version'), 1);
});

test('on AWS, run-info records the estimate and the actual cost of the same steps, by the same formulas', async () => {
  const spec = testSpec({ target: { kind: 'aws', region: 'eu-west-1' } });
  const { plan } = await apply(spec);
  const runInfo = JSON.parse(await readFile(join(cwd, '.segflow/work/demo/run-info.json'), 'utf8'));
  assert.equal(runInfo.estimatedCostUsd, plan.cost.totalUsd);
  assert.deepEqual(runInfo.cost.estimate.lines, plan.cost.lines);
  const actual = Object.fromEntries((runInfo.cost.actual.lines as Array<{ item: string; quantity: string; usd: number }>).map((l) => [l.item, l]));
  // The fake world bills 0.01 training hours; the segment job scored the 100 train users for its 1 query.
  assert.equal(actual['training']!.quantity, '0.01 h');
  assert.equal(actual['batch segments']!.quantity, '100 users x 1 queries');
  assert.equal(actual['batch segments']!.usd, Math.round(0.1 * 0.016 * 10_000) / 10_000);
  assert.equal(runInfo.actualCostUsd, runInfo.cost.actual.totalUsd);
});
