import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { applyPipeline } from './apply.js';
import { engineSpec, useFakeEngine } from '../../test/support/engine-run.js';
import type { EngineEvent } from './events.js';
import type { RunInfo } from '../data/artifacts.js';
import type { PipelineState } from '../state/types.js';
import { isSegflowError } from '../util/errors.js';
import { stateFile } from '../util/paths.js';

const engine = useFakeEngine();
const { apply, destroy, actions } = engine;

const COSTLY = ['dataset-import-job', 'solution-version', 'batch-segment-job'] as const;

test('a full run creates every resource once; a second apply changes nothing', async () => {
  const spec = engineSpec();
  const first = await apply(spec);
  assert.equal(first.summary.ok, true);
  for (const t of ['dataset-group', 'schema', 'dataset', 'solution', ...COSTLY] as const) assert.equal(engine.world.count(t), 1, t);
  assert.ok(first.summary.bytesUploaded > 0);
  assert.deepEqual(first.summary.report, ['holdout recall@K: 0.5 (popularity 0.2)', 'report: .segflow/work/demo/report']);
  const runInfo = JSON.parse(await readFile(join(engine.cwd, '.segflow/work/demo/run-info.json'), 'utf8')) as RunInfo;
  assert.equal(runInfo.segmentFiles.length, 1);
  assert.ok(runInfo.solutionVersionArn?.startsWith(engine.world.arn('solution', 'demo-solution')));
  await stat(join(engine.cwd, '.segflow/work/demo', runInfo.segmentFiles[0]!));

  const second = await apply(spec);
  assert.equal(second.plan.changes, 0);
  assert.equal(second.summary.createCalls, 0);
  assert.equal(second.summary.bytesUploaded, 0);
  assert.ok(Object.values(actions(second.plan)).every((a) => a === 'noop'));
});

test('a changed minInteractionsPerUser re-runs prepare -> upload -> import -> training -> segments -> evaluation, with the reason', async () => {
  const spec = engineSpec();
  await apply(spec);
  const changed = engineSpec({ data: { interactions: { ...spec.data.interactions, minInteractionsPerUser: 3 } } });
  const { plan, summary } = await apply(changed);
  assert.equal(summary.ok, true);
  const a = actions(plan);
  for (const id of ['prepare', 'upload', 'import-interactions', 'training', 'metrics', 'segments', 'download', 'evaluate']) assert.equal(a[id], 'run', id);
  for (const id of ['bucket', 'role', 'dataset-group', 'schema-interactions', 'dataset-interactions', 'solution']) assert.equal(a[id], 'noop', id);
  const prepare = plan.steps.find((s) => s.id === 'prepare')!;
  assert.ok(prepare.reasons.includes('data.interactions.minInteractionsPerUser: 2 -> 3'), prepare.reasons.join('|'));
  assert.equal(engine.world.count('solution-version'), 2);
  assert.equal(engine.world.count('dataset-import-job'), 2);
});

test('a changed numResults re-runs only segments and what follows', async () => {
  const spec = engineSpec();
  await apply(spec);
  const { plan } = await apply(engineSpec({ segments: { numResults: { count: 9 } } }));
  const a = actions(plan);
  const cloudRuns = plan.steps.filter((s) => !s.local && s.action !== 'noop').map((s) => s.id);
  assert.deepEqual(cloudRuns, ['segments']);
  assert.equal(a['download'], 'run');
  assert.equal(a['evaluate'], 'run');
  assert.equal(engine.world.count('solution-version'), 1);
  assert.equal(engine.world.count('batch-segment-job'), 2);
  const seg = plan.steps.find((s) => s.id === 'segments')!;
  assert.ok(
    seg.reasons.some((r) => r === 'numResults: 5 -> 9'),
    seg.reasons.join('|'),
  );
});

for (const op of ['CreateDatasetImportJob', 'CreateSolutionVersion', 'CreateBatchSegmentJob', 'CreateSolution', 'CreateDatasetGroup', 'PutObject']) {
  test(`a crash right after ${op} (before the ARN is recorded) is resumed without a duplicate`, async () => {
    const spec = engineSpec();
    engine.world.crashAfter = op;
    await assert.rejects(apply(spec), (e) => isSegflowError(e));
    const { summary } = await apply(spec);
    assert.equal(summary.ok, true);
    for (const t of ['dataset-group', 'solution', ...COSTLY] as const) assert.equal(engine.world.count(t), 1, `${t} after crash in ${op}`);
  });
}

test('a failed training is reported; the next apply trains again', async () => {
  const spec = engineSpec();
  engine.world.failTraining = true;
  await assert.rejects(apply(spec), (e) => isSegflowError(e) && e.code === 'RUN_RESOURCE_FAILED' && /simulated failure/.test(e.message));
  const { plan, summary } = await apply(spec);
  assert.equal(summary.ok, true);
  assert.equal(actions(plan)['training'], 'run');
  assert.match(plan.steps.find((s) => s.id === 'training')!.reasons[0]!, /previous attempt CREATE FAILED/);
  assert.equal(engine.world.count('solution-version'), 2);
});

test('drift: a solution deleted out of band is recreated and retrained; a deleted object is re-uploaded', async () => {
  const spec = engineSpec();
  await apply(spec);
  const solution = engine.world.arn('solution', 'demo-solution');
  for (const arn of engine.world.res.keys()) if (arn.startsWith(solution)) engine.world.res.delete(arn);
  engine.world.buckets.get('demo-bucket')!.objects.delete('demo/input/interactions.csv');
  const { plan } = await apply(spec);
  const byId = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
  assert.equal(byId['solution']!.action, 'create');
  assert.match(byId['solution']!.reasons.join(), /drifted: demo-solution was deleted out of band/);
  assert.equal(byId['upload']!.action, 'run');
  assert.match(byId['upload']!.reasons.join(), /drifted: .*interactions.csv deleted/);
  assert.equal(byId['training']!.action, 'run');
  assert.equal(engine.world.count('solution-version'), 1);
});

test('destroy leaves nothing and is idempotent', async () => {
  const spec = engineSpec();
  await apply(spec);
  const summary = await destroy(spec);
  for (const t of ['dataset-group', 'schema', 'dataset', 'solution', 'solution-version'] as const) assert.equal(engine.world.count(t), 0, t);
  assert.equal(engine.world.roles.size, 0);
  assert.equal(engine.world.buckets.size, 0);
  assert.ok(summary.undeletable.some((u) => u.startsWith('batch segment job')));
  assert.ok(summary.undeletable.some((u) => u.startsWith('dataset import job')));
  await assert.rejects(stat(stateFile('demo', engine.cwd)));
  await destroy(spec);
});

test('destroy finds resources a lost state never recorded (sweep by tag and name)', async () => {
  const spec = engineSpec();
  engine.world.crashAfter = 'CreateSolutionVersion';
  await assert.rejects(apply(spec));
  await rm(stateFile('demo', engine.cwd));
  await destroy(spec);
  for (const t of ['dataset-group', 'schema', 'dataset', 'solution', 'solution-version'] as const) assert.equal(engine.world.count(t), 0, t);
  // The bucket carries segflow's tag: it is known as segflow's even without a state, and goes too.
  assert.equal(engine.world.buckets.size, 0);
});

test('refusals happen before any create: budget, no confirmation, declined, stale saved plan', async () => {
  const spec = engineSpec({ budget: { maxUsd: 0.001, prices: { trainingPerHour: 10 } } });
  await assert.rejects(apply(spec), (e) => isSegflowError(e) && e.code === 'PLAN_OVER_BUDGET' && e.exitCode === 3);
  assert.deepEqual(engine.world.log, []);
  await assert.rejects(apply(engineSpec(), { autoApprove: false }), (e) => isSegflowError(e) && e.code === 'APPLY_NOT_CONFIRMED' && e.exitCode === 3);
  await assert.rejects(apply(engineSpec(), { autoApprove: false, confirm: async () => false }), (e) => isSegflowError(e) && e.code === 'APPLY_DECLINED');
  assert.deepEqual(engine.world.log, []);
  const ok = await apply(spec, { approveCost: true });
  assert.equal(ok.summary.ok, true);

  // A plan saved before the world moved is refused.
  const saved = (await apply(engineSpec({ budget: { maxUsd: 100 } }))).plan;
  engine.world.buckets.get('demo-bucket')!.objects.delete('demo/batch/batch-input.jsonl');
  await assert.rejects(apply(engineSpec({ budget: { maxUsd: 100 } }), { savedPlan: saved }), (e) => isSegflowError(e) && e.code === 'PLAN_STALE');
});

test('a changed solution configuration replaces the solution and retrains; the old versions go with it', async () => {
  const spec = engineSpec();
  await apply(spec);
  const { plan, summary } = await apply(engineSpec({ training: { hiddenDimension: 64 } }));
  assert.equal(summary.ok, true);
  const byId = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
  assert.equal(byId['solution']!.action, 'replace');
  assert.match(byId['solution']!.reasons.join(), /training\.hiddenDimension: default -> 64/);
  assert.equal(byId['training']!.action, 'run');
  assert.equal(byId['import-interactions']!.action, 'noop');
  assert.ok(engine.world.log.includes('delete solution demo-solution'));
  assert.equal(engine.world.count('solution'), 1);
  assert.equal(engine.world.count('solution-version'), 1);
  const live = [...engine.world.res.values()].find((r) => r.type === 'solution')!;
  assert.equal(live.input['hiddenDimension'], 64);
  assert.equal(live.input['performAutoTraining'], false);
});

test('destroy --keep-data keeps the bucket and says it still costs storage', async () => {
  const spec = engineSpec();
  await apply(spec);
  const summary = await destroy(spec, true);
  assert.equal(engine.world.buckets.size, 1);
  assert.equal(engine.world.count('dataset-group'), 0);
  assert.match(summary.stillBilling.join(), /S3 storage/);
});

test('drift: a dataset re-created out of band gets its data imported again (under a new job name)', async () => {
  const spec = engineSpec();
  await apply(spec);
  const dataset = engine.world.arn('dataset', 'demo-dsg/INTERACTIONS');
  const solution = engine.world.arn('solution', 'demo-solution');
  for (const arn of [...engine.world.res.keys()]) if (arn.startsWith(solution) || arn === dataset) engine.world.res.delete(arn);
  const { plan, summary } = await apply(spec);
  assert.equal(summary.ok, true);
  const byId = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
  assert.equal(byId['dataset-interactions']!.action, 'create');
  assert.equal(byId['import-interactions']!.action, 'run');
  assert.match(byId['import-interactions']!.reasons.join(), /dataset it imported into no longer exists/);
  const imports = [...engine.world.res.values()]
    .filter((r) => r.type === 'dataset-import-job')
    .map((r) => r.name)
    .sort();
  assert.equal(imports.length, 2);
  assert.match(imports[1]!, /-2$/);
  const again = await apply(spec);
  assert.equal(again.plan.changes, 0);
});

test('destroy stops training in flight before deleting the solution', async () => {
  const spec = engineSpec();
  engine.world.crashAfter = 'CreateSolutionVersion';
  await assert.rejects(apply(spec));
  const version = [...engine.world.res.values()].find((r) => r.type === 'solution-version')!;
  assert.equal(version.status, 'CREATE PENDING');
  const summary = await destroy(spec);
  assert.equal(summary.calls['personalize:StopSolutionVersionCreation'], 1);
  for (const t of ['dataset-group', 'solution', 'solution-version', 'dataset', 'schema'] as const) assert.equal(engine.world.count(t), 0, t);
});

test('a lost state file is rebuilt by adoption: names and tags find everything, nothing is created again', async () => {
  const spec = engineSpec();
  await apply(spec);
  await rm(stateFile('demo', engine.cwd));
  const before = engine.world.log.length;
  const { plan, summary } = await apply(spec);
  assert.equal(summary.ok, true);
  const a = actions(plan);
  for (const id of [
    'bucket',
    'role',
    'dataset-group',
    'schema-interactions',
    'dataset-interactions',
    'import-interactions',
    'solution',
    'training',
    'segments',
  ]) {
    assert.equal(a[id], 'adopt', id);
  }
  assert.deepEqual(
    engine.world.log.slice(before).filter((l) => l.startsWith('create')),
    [],
  );
  for (const t of COSTLY) assert.equal(engine.world.count(t), 1, t);
});

test('a changed storage.bucket creates the new bucket; destroy removes the old one too', async () => {
  await apply(engineSpec());
  const moved = engineSpec({ storage: { bucket: 'demo-bucket-2', prefix: 'demo/' } });
  const { plan } = await apply(moved);
  const a = actions(plan);
  assert.equal(a['bucket'], 'create');
  assert.equal(a['upload'], 'run');
  assert.equal(engine.world.buckets.size, 2);
  await destroy(moved);
  assert.equal(engine.world.buckets.size, 0);
});

test('Ctrl-C while training stops cleanly; the next apply re-attaches to the same training', async () => {
  const spec = engineSpec();
  engine.world.describesToActive = 1_000_000;
  const controller = new AbortController();
  const events: EngineEvent[] = [];
  const run = applyPipeline({
    spec,
    cwd: engine.cwd,
    deps: engine.deps,
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
    for (const r of engine.world.res.values()) if (r.type !== 'solution-version' && r.status.startsWith('CREATE')) r.status = 'ACTIVE';
  }, 1);
  const stopped = await run;
  assert.ok(!stopped.ok && isSegflowError(stopped.error) && stopped.error.code === 'RUN_CANCELLED');
  clearInterval(tick);
  assert.equal(engine.world.count('solution-version'), 1);
  // Training is still in flight when the next apply plans.
  for (const r of engine.world.res.values()) r.describes = 0;
  engine.world.describesToActive = 3;
  const { plan, summary } = await apply(spec);
  assert.equal(actions(plan)['training'], 'wait');
  assert.equal(summary.ok, true);
  assert.equal(engine.world.count('solution-version'), 1);
});

test('on AWS, run-info records the estimate and the actual cost of the same steps, by the same formulas', async () => {
  const spec = engineSpec({ target: { kind: 'aws', region: 'eu-west-1' } });
  const { plan } = await apply(spec);
  const runInfo = JSON.parse(await readFile(join(engine.cwd, '.segflow/work/demo/run-info.json'), 'utf8')) as RunInfo;
  assert.equal(runInfo.estimatedCostUsd, plan.cost.totalUsd);
  assert.deepEqual(runInfo.cost?.estimate.lines, plan.cost.lines);
  const actual = Object.fromEntries((runInfo.cost?.actual?.lines ?? []).map((l) => [l.item, l]));
  // The fake world bills 0.01 training hours; the segment job scored the 100 train users for its 1 query.
  assert.equal(actual['training']!.quantity, '0.01 h');
  assert.equal(actual['batch segments']!.quantity, '100 users x 1 queries');
  assert.equal(actual['batch segments']!.usd, Math.round(0.1 * 0.016 * 10_000) / 10_000);
  assert.equal(runInfo.actualCostUsd, runInfo.cost?.actual?.totalUsd);
});

test('apply, destroy, apply: the old segment job (undeletable, its training and output gone) is not adopted; a new one runs', async () => {
  const spec = engineSpec();
  await apply(spec);
  await destroy(spec);
  const { plan, summary } = await apply(spec);
  assert.equal(summary.ok, true);
  const segments = plan.steps.find((s) => s.id === 'segments')!;
  assert.equal(segments.action, 'run');
  assert.match(segments.reasons.join(' | '), /after training/);
  // After a destroy the state is new: nothing of it drifted, the old jobs are notes.
  assert.deepEqual(
    plan.steps.flatMap((s) => s.reasons).filter((r) => r.startsWith('drifted')),
    [],
  );
  assert.match((segments.notes ?? []).join(), /earlier run's job \(the job named .* was made from a training that no longer exists\)/);
  assert.match(
    (plan.steps.find((s) => s.id === 'import-interactions')!.notes ?? []).join(),
    /earlier run's job \(the interactions dataset it imported into no longer exists\)/,
  );
  const jobs = [...engine.world.res.values()].filter((r) => r.type === 'batch-segment-job');
  assert.equal(jobs.length, 2);
  assert.match(jobs.map((j) => j.name).sort()[1]!, /-2$/);
  assert.equal(engine.world.count('solution-version'), 1, 'one training after the destroy, not two');
  // The download found the new job's output.
  const runInfo = JSON.parse(await readFile(join(engine.cwd, '.segflow/work/demo/run-info.json'), 'utf8')) as RunInfo;
  assert.match(runInfo.batchSegmentJobArn ?? '', /-2$/);
  assert.equal((await apply(spec)).plan.changes, 0);
});

test('credentials that expire during a long training wait: a clear error, and the next apply re-attaches', async () => {
  const spec = engineSpec();
  engine.world.describesToActive = 6;
  engine.world.failNext('DescribeSolutionVersion', 'ExpiredTokenException', { message: 'The security token included in the request is expired', times: 1 });
  await assert.rejects(
    apply(spec),
    (e) => isSegflowError(e) && e.code === 'AWS_CREDENTIALS_EXPIRED' && /training/.test(e.message) && /run the same command again/.test(e.details.join()),
  );
  const { plan, summary } = await apply(spec);
  assert.equal(summary.ok, true);
  assert.ok(['wait', 'adopt', 'noop'].includes(plan.steps.find((s) => s.id === 'training')!.action));
  assert.equal(engine.world.count('solution-version'), 1);
});

test('a quota is not retried and names itself; a caller AccessDenied is not mistaken for IAM propagation', async () => {
  engine.world.failNext('CreateDatasetGroup', 'LimitExceededException', { message: 'More than 5 resources in ACTIVE state.' });
  await assert.rejects(
    apply(engineSpec()),
    (e) => isSegflowError(e) && e.code === 'AWS_QUOTA' && /More than 5 resources/.test(e.message) && /limits\.html/.test(e.details.join()),
  );
  engine.world.failNext('CreateDatasetImportJob', 'AccessDeniedException', {
    message: 'User: arn:aws:sts::000000000000:assumed-role/ci-role/x is not authorized to perform: personalize:CreateDatasetImportJob',
    status: 403,
  });
  const started = Date.now();
  await assert.rejects(apply(engineSpec()), (e) => isSegflowError(e) && e.code === 'AWS_ACCESS_DENIED' && /credentials segflow runs with/.test(e.message));
  assert.ok(Date.now() - started < 5000, 'not retried for minutes');
});

test('"Insufficient privileges" right after the role was made is IAM propagating: retried; long after, it is a missing grant: reported at once', async () => {
  const insufficient =
    'Insufficient privileges for accessing data in S3. Please look at https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html#attach-bucket-policy and fix bucket policy on demo-bucket.';
  engine.world.failNext('CreateDatasetImportJob', 'InvalidInputException', { message: insufficient, times: 2 });
  const first = await apply(engineSpec());
  assert.equal(first.summary.ok, true);
  assert.equal(first.summary.calls['personalize:CreateDatasetImportJob'], 3);

  // A day later, with a changed file, Personalize refuses again: nothing segflow changed lately, so it is a grant.
  const { readFile: read, writeFile: write } = await import('node:fs/promises');
  const state = JSON.parse(await read(stateFile('demo', engine.cwd), 'utf8')) as PipelineState;
  for (const id of ['role', 'bucket']) state.steps[id]!.updatedAt = new Date(Date.now() - 24 * 3600_000).toISOString();
  await write(stateFile('demo', engine.cwd), JSON.stringify(state));
  engine.world.failNext('CreateDatasetImportJob', 'InvalidInputException', { message: insufficient, times: 5 });
  await assert.rejects(apply(engineSpec({ data: { interactions: { ...engineSpec().data.interactions, minInteractionsPerUser: 3 } } })), (e) => {
    assert.ok(isSegflowError(e) && e.code === 'AWS_ACCESS_DENIED', String(e));
    assert.match(e.details.join('\n'), /inline policy segflow-s3-access of IAM role demo-personalize/);
    assert.match(e.details.join('\n'), /segflow's statements start with Segflow/);
    return true;
  });
});

test('a training being stopped (CREATE STOPPING) is waited out, then trained anew: never counted as failed while it stops', async () => {
  const spec = engineSpec();
  engine.world.crashAfter = 'CreateSolutionVersion';
  await assert.rejects(apply(spec));
  const version = [...engine.world.res.values()].find((r) => r.type === 'solution-version')!;
  version.status = 'CREATE STOPPING';
  // Someone stopped it in the console; it takes a few polls to stop.
  let polls = 0;
  const describe = engine.world.personalize.describeSolutionVersion.bind(engine.world.personalize);
  engine.world.personalize.describeSolutionVersion = async (arn) => {
    if (arn === version.arn && ++polls === 4) version.status = 'CREATE STOPPED';
    return describe(arn);
  };
  const { plan, summary } = await apply(spec);
  assert.equal(summary.ok, true);
  const training = plan.steps.find((s) => s.id === 'training')!;
  assert.equal(training.action, 'run');
  assert.match(training.reasons.join(), /being stopped \(CREATE STOPPING\)/);
  assert.ok(polls >= 4, 'apply waited for the stop');
  assert.equal(engine.world.count('solution-version'), 2);
});

test('auto-training switched on out of band is turned off in place (UpdateSolution), without a new training', async () => {
  const spec = engineSpec();
  await apply(spec);
  const solution = [...engine.world.res.values()].find((r) => r.type === 'solution')!;
  solution.input['performAutoTraining'] = true;
  const { plan } = await apply(spec);
  const byId = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
  assert.equal(byId['solution']!.action, 'update');
  assert.match(byId['solution']!.reasons.join(), /performAutoTraining: true -> false/);
  assert.equal(byId['training']!.action, 'noop');
  assert.ok(engine.world.log.includes('update solution demo-solution'));
  assert.equal(solution.input['performAutoTraining'], false);
  assert.equal(engine.world.count('solution-version'), 1);
});
