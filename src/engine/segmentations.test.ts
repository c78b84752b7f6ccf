import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planPipeline } from './plan.js';
import { engineSpec, useFakeEngine } from '../../test/support/engine-run.js';
import { primarySegmentation, testMetadata } from '../../test/support/spec.js';
import type { RunInfo } from '../data/artifacts.js';
import type { Segmentation, Spec } from '../spec/types.js';

/**
 * The engine over several segmentations and job chunks, with the in-memory fakes: which steps exist, what they
 * share, what runs again, what the plan prices, and what destroy sweeps. Adding a segmentation or a chunk adds
 * steps; the walks stay the same.
 */

const engine = useFakeEngine();
const { apply, destroy, actions } = engine;
const plan = (spec: Spec) =>
  planPipeline({ spec, deps: engine.deps, cwd: engine.cwd, signal: new AbortController().signal, emit: () => undefined, pollInitialMs: 1, pollMaxMs: 2 });
const keys = (bucket: string) => [...(engine.world.buckets.get(bucket)?.objects.keys() ?? [])].sort();

const ids = (name: string, list: string[], recipe: Segmentation['recipe'] = 'aws-item-affinity'): Segmentation => ({
  ...primarySegmentation(name, {
    recipe,
    queries:
      recipe === 'aws-item-affinity'
        ? { items: { kind: 'ids', ids: list, keepUnknown: false } }
        : { attributes: list.map((v) => ({ expression: `ITEMS.CAT = "${v}"`, conditions: [{ attribute: 'CAT', value: v }] })) },
  }),
  primary: false,
});

/** A production pipeline (no split) with these segmentations and an items dataset. */
function production(segmentations: Segmentation[]): Spec {
  const { split: _s, ...spec } = engineSpec({ segmentations });
  return { ...spec, data: { ...spec.data, items: testMetadata('/nonexistent/items.csv', 'csv', { ITEM_ID: 'item' }, [['CAT', 'cat']]) } };
}

test('two segmentations of one recipe share one solution and training; of two recipes, two; every job and delivery is its own step', async () => {
  const spec = production([ids('products', ['i1', 'i2']), ids('more', ['i3']), ids('cats', ['a', 'b'], 'aws-item-attribute-affinity')]);
  const p = await plan(spec);
  const stepIds = p.steps.map((s) => s.id);
  for (const id of ['solution:item', 'training:item', 'metrics:item', 'solution:attr', 'training:attr', 'metrics:attr']) assert.ok(stepIds.includes(id), id);
  for (const seg of ['products', 'more', 'cats'])
    for (const kind of ['segments', 'download', 'evaluate']) assert.ok(stepIds.includes(`${kind}:${seg}`), `${kind}:${seg}`);
  assert.equal(stepIds.filter((s) => s.startsWith('import-interactions')).length, 1);
  const r = await apply(spec);
  assert.equal(r.summary.ok, true, JSON.stringify(r.summary.steps.filter((s) => s.outcome !== 'done')));
  assert.equal(engine.world.count('solution'), 2);
  assert.equal(engine.world.count('solution-version'), 2);
  assert.equal(engine.world.count('batch-segment-job'), 3);
  assert.equal(engine.world.count('dataset-import-job'), 2, 'interactions and items, once each');
  assert.deepEqual(r.summary.report.filter((l) => !l.startsWith('report:')).length, 3, 'one report per segmentation');
  assert.equal((await apply(spec)).plan.changes, 0);
});

test('adding a segmentation adds its steps and runs only them (and the model it needs); the others stay', async () => {
  const one = production([ids('products', ['i1', 'i2'])]);
  await apply(one);
  const two = production([ids('products', ['i1', 'i2']), ids('cats', ['a'], 'aws-item-attribute-affinity')]);
  const { plan: p } = await apply(two);
  const changed = Object.entries(actions(p))
    .filter(([, a]) => a !== 'noop')
    .map(([id]) => id)
    .sort();
  assert.deepEqual(changed, ['download:cats', 'evaluate:cats', 'metrics:attr', 'prepare', 'segments:cats', 'solution:attr', 'training:attr', 'upload']);
  assert.equal(engine.world.count('batch-segment-job'), 2);
});

test('1,200 item queries are 3 chunks in a chain; the plan prices every job; appending ids re-runs only the last chunk', async () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => `i${i}`);
  const spec = production([ids('products', many(1200))]);
  const p = await plan(spec);
  const jobs = p.steps.filter((s) => s.kind === 'segments');
  assert.deepEqual(
    jobs.map((s) => s.id),
    ['segments:products', 'segments:products/2', 'segments:products/3'],
  );
  assert.deepEqual(jobs[2]!.deps.slice(-1), ['segments:products/2'], 'chunks run one after another');
  assert.deepEqual(p.cost.segments && { queries: p.cost.segments.queries, jobs: p.cost.segments.jobs }, { queries: 1200, jobs: 3 });
  await apply(spec);
  assert.equal(engine.world.count('batch-segment-job'), 3);
  const { plan: grown } = await apply(production([ids('products', many(1210))]));
  const ran = Object.entries(actions(grown))
    .filter(([id, a]) => a === 'run' && id.startsWith('segments'))
    .map(([id]) => id);
  assert.deepEqual(ran, ['segments:products/3']);
  assert.equal(engine.world.count('batch-segment-job'), 4);
});

test('delivery: each run adds runs/<id>/ and moves latest/; the second run records entered, stayed and left; destroy removes every delivered object', async () => {
  const spec = production([ids('products', ['i1'])]);
  await apply(spec);
  const runInfo = async () => JSON.parse(await readFile(join(engine.cwd, '.segflow/work/demo/segmentations/products/run-info.json'), 'utf8')) as RunInfo;
  const first = await runInfo();
  assert.equal(first.changes, undefined, 'nothing to compare the first run with');
  const changed = { ...spec, data: { ...spec.data, interactions: { ...spec.data.interactions, minInteractionsPerUser: 3 } } };
  const second = await apply(changed);
  assert.equal(second.summary.ok, true);
  const delivered = keys('demo-bucket').filter((k) => k.startsWith('demo/segments/products/'));
  assert.equal(delivered.filter((k) => k.endsWith('/segments.csv')).length, 3, delivered.join(', '));
  assert.ok(delivered.includes('demo/segments/products/latest/changes.csv'));
  const now = await runInfo();
  assert.ok(delivered.includes(`demo/segments/products/runs/${now.runId}/segments.csv`));
  // The fake segments every query with the same users: all of them stay.
  assert.deepEqual(now.changes, { previousRunId: first.runId, entered: 0, stayed: now.changes!.stayed, left: 0, queriesAdded: 0, queriesRemoved: 0 });
  assert.ok(now.changes.stayed > 0);
  await destroy(changed);
  assert.deepEqual(
    keys('demo-bucket').filter((k) => k.includes('/segments/')),
    [],
  );
});
