import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { engineSpec, useFakeEngine } from '../../test/support/engine-run.js';
import { withUsersAndFilter } from '../../test/support/spec.js';
import type { Spec } from '../spec/types.js';

/**
 * The Users dataset and the segment filter on the fake: the plan shows their steps, a changed filter re-runs only
 * filter, segments, download and evaluation (and retires the old filter), destroy removes both.
 */

const engine = useFakeEngine();
const { apply, destroy, actions } = engine;

const UK = 'INCLUDE UserID WHERE Users.COUNTRY IN ("a")';
const NOT_UK = 'EXCLUDE UserID WHERE Users.COUNTRY IN ("a")';

/** `demo` with a users file and, unless null, a filter. */
function spec(filter: string | null = UK): Spec {
  return withUsersAndFilter(engineSpec(), filter);
}

/** The users of the downloaded segments. */
async function segmentUsers(): Promise<string[]> {
  const info = JSON.parse(await readFile(join(engine.cwd, '.segflow/work/demo/run-info.json'), 'utf8')) as { segmentFiles: string[] };
  const text = await readFile(join(engine.cwd, '.segflow/work/demo', info.segmentFiles[0]!), 'utf8');
  return [
    ...new Set(
      text
        .trim()
        .split('\n')
        .flatMap((l) => (JSON.parse(l) as { output: { usersList: string[] } }).output.usersList),
    ),
  ];
}

const filters = () => [...engine.world.res.values()].filter((r) => r.type === 'filter');

test('the plan shows the users schema, dataset and import and the filter; the segment job applies the filter', async () => {
  const { plan, summary } = await apply(spec());
  assert.equal(summary.ok, true);
  const a = actions(plan);
  for (const id of ['schema-users', 'dataset-users', 'filter']) assert.equal(a[id], 'create', id);
  assert.equal(a['import-users'], 'run');
  const ids = plan.steps.map((s) => s.id);
  assert.ok(ids.indexOf('import-users') < ids.indexOf('filter') && ids.indexOf('filter') < ids.indexOf('segments'), ids.join(' '));
  assert.deepEqual(plan.steps.find((s) => s.id === 'filter')!.deps, ['dataset-group', 'import-users']);
  assert.ok(plan.steps.find((s) => s.id === 'segments')!.deps.includes('filter'));

  const [filter] = filters();
  assert.match(filter!.name, /^demo-flt-[0-9a-f]{8}$/);
  assert.equal(filter!.input['filterExpression'], UK);
  const dataset = [...engine.world.res.values()].find((r) => r.type === 'dataset' && r.input['datasetType'] === 'Users')!;
  assert.equal(dataset.name, 'demo-users');
  const job = [...engine.world.res.values()].find((r) => r.type === 'batch-segment-job')!;
  assert.equal(job.input['filterArn'], filter!.arn);
  // u2 has COUNTRY b: the fake's segments keep only u1, as the emulator's would.
  assert.deepEqual(await segmentUsers(), ['u1']);
  assert.equal((await apply(spec())).plan.changes, 0);
});

test('a changed filter re-runs only filter, segments, download and evaluation, and the old filter is deleted', async () => {
  await apply(spec());
  const before = filters()[0]!;
  const { plan } = await apply(spec(NOT_UK));
  const changed = plan.steps.filter((s) => s.action !== 'noop').map((s) => s.id);
  assert.deepEqual(changed, ['filter', 'segments', 'download', 'evaluate']);
  const byId = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
  assert.equal(byId['filter']!.action, 'create');
  assert.ok(byId['filter']!.reasons.includes(`expression: ${UK} -> ${NOT_UK}`), byId['filter']!.reasons.join('|'));
  assert.ok(byId['segments']!.reasons.includes(`filter: ${UK} -> ${NOT_UK}`), byId['segments']!.reasons.join('|'));
  assert.deepEqual(
    filters().map((f) => f.input['filterExpression']),
    [NOT_UK],
  );
  assert.ok(engine.world.log.includes(`delete filter ${before.name}`));
  assert.deepEqual(await segmentUsers(), ['u2']);
  assert.equal(engine.world.count('solution-version'), 1);
  assert.equal(engine.world.count('dataset-import-job'), 2, 'interactions and users, each imported once');
});

test('an old filter a batch segment job in flight still reads is kept; destroy deletes it', async () => {
  await apply(spec());
  const old = filters()[0]!;
  const version = [...engine.world.res.values()].find((r) => r.type === 'solution-version')!;
  const inFlight = await engine.world.personalize.createBatchSegmentJob({
    name: 'someone-elses-run',
    solutionVersionArn: version.arn,
    numResults: 1,
    inputPath: 's3://demo-bucket/demo/batch/batch-input.jsonl',
    outputPath: 's3://demo-bucket/demo/output/x/',
    roleArn: typeof version.input['roleArn'] === 'string' ? version.input['roleArn'] : '',
    filterArn: old.arn,
    tags: {},
  });
  engine.world.res.get(inFlight)!.describes = -1_000; // stays CREATE PENDING however often it is described
  const { summary } = await apply(spec(NOT_UK));
  assert.match(summary.steps.find((s) => s.id === 'filter')!.note ?? '', new RegExp(`kept filter ${old.name} \\(a batch segment job in flight still reads it`));
  assert.equal(filters().length, 2);
  await destroy(spec(NOT_UK));
  assert.equal(filters().length, 0);
});

test('destroy removes the filters and the users dataset and schema; the users import is listed as undeletable', async () => {
  await apply(spec());
  const summary = await destroy(spec());
  assert.ok(
    summary.deleted.some((d) => /^filter demo-flt-/.test(d)),
    summary.deleted.join('|'),
  );
  assert.ok(summary.deleted.includes('dataset demo-users'), summary.deleted.join('|'));
  assert.ok(
    summary.deleted.some((d) => /^schema demo-usr-/.test(d)),
    summary.deleted.join('|'),
  );
  assert.ok(
    summary.undeletable.some((u) => /^dataset import job demo-imp-usr-/.test(u)),
    summary.undeletable.join('|'),
  );
  for (const t of ['filter', 'dataset', 'schema', 'dataset-group'] as const) assert.equal(engine.world.count(t), 0, t);
});

test('a filter removed from the spec re-runs the segments unfiltered; destroy still finds the old filter', async () => {
  await apply(spec());
  const { plan } = await apply(spec(null));
  const segments = plan.steps.find((s) => s.id === 'segments')!;
  assert.equal(segments.action, 'run');
  assert.ok(segments.reasons.includes(`filter: ${UK} -> (none)`), segments.reasons.join('|'));
  assert.ok(!plan.steps.some((s) => s.id === 'filter'));
  assert.deepEqual(await segmentUsers(), ['u1', 'u2']);
  const summary = await destroy(spec(null));
  assert.ok(
    summary.deleted.some((d) => /^filter demo-flt-/.test(d)),
    summary.deleted.join('|'),
  );
  assert.equal(engine.world.count('filter'), 0);
});

test('users without a filter: the users steps run, nothing waits on them, no filter is made', async () => {
  const { plan } = await apply(spec(null));
  assert.equal(actions(plan)['import-users'], 'run');
  assert.ok(!plan.steps.some((s) => s.deps.includes('import-users')));
  assert.equal(engine.world.count('filter'), 0);
  const job = [...engine.world.res.values()].find((r) => r.type === 'batch-segment-job')!;
  assert.equal(job.input['filterArn'], undefined);
});
