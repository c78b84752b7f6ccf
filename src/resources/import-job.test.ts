import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineSpec, useFakeEngine } from '../../test/support/engine-run.js';
import { isSegflowError } from '../util/errors.js';
import { readState } from '../state/store.js';
import { stateFile } from '../util/paths.js';

/**
 * Going back to earlier inputs (the chaos test's spec variants: minInteractionsPerUser 2 -> 3 -> 2). A FULL import
 * replaces the dataset's rows, so the earlier import's rows are gone once the later one ran. They are imported
 * again (and paid for again) only for a step that reads them: a training that has to be made. A training of those
 * inputs that exists is adopted by its segflow:inputs tag and reads nothing, so the earlier import is kept.
 */

const engine = useFakeEngine();
const { apply, actions } = engine;

/** Variant A (users need 2 interactions) and B (3): two import fingerprints; `hidden` changes only the training. */
const variant = (min: 2 | 3, hidden?: number) =>
  engineSpec({ interactions: { minInteractionsPerUser: min }, ...(hidden ? { training: { hiddenDimension: hidden } } : {}) });

const imports = () =>
  engine.world.personalizeWorld
    .all('dataset-import-job')
    .map((j) => `${j.name} ${j.status}`)
    .reverse();
const creates = (summary: { calls: Record<string, number> }, op: string) => summary.calls[`personalize:${op}`] ?? 0;
/** What the interactions dataset holds: the fake's data carries minInteractionsPerUser in its one row. */
const datasetRows = () => engine.world.personalizeWorld.all('dataset')[0]!.data;

test('back to earlier inputs whose training exists: their import is kept, not paid for again (the chaos duplicate)', async () => {
  await apply(variant(2));
  const [first] = imports();
  await apply(variant(3));
  assert.equal(imports().length, 2);

  const back = await apply(variant(2));
  const a = actions(back.plan);
  assert.equal(a['training'], 'adopt', 'the training of these inputs exists');
  assert.equal(a['import-interactions'], 'adopt', back.plan.steps.find((s) => s.id === 'import-interactions')!.reasons.join('|'));
  assert.equal(creates(back.summary, 'CreateDatasetImportJob'), 0, `an import paid for again that nothing reads: ${imports().join(', ')}`);
  assert.equal(creates(back.summary, 'CreateSolutionVersion'), 0);
  assert.deepEqual(imports(), [first, imports()[1]], 'still one import per input');
  assert.equal((await readState(stateFile('demo', engine.cwd)))?.steps['import-interactions']?.name, first!.split(' ')[0]);

  // A training that does read the rows (a new hiddenDimension) gets them back first: imported again, once.
  const retrain = await apply(variant(2, 64));
  const step = retrain.plan.steps.find((s) => s.id === 'import-interactions')!;
  assert.equal(step.action, 'run');
  assert.match(step.reasons.join('|'), /a later import .* replaced the rows .*training will learn from them/);
  assert.equal(creates(retrain.summary, 'CreateDatasetImportJob'), 1);
  assert.equal(creates(retrain.summary, 'CreateSolutionVersion'), 1);
  const order = engine.world.log.filter((l) => /create (dataset-import-job|solution-version)/.test(l));
  assert.deepEqual(
    order.slice(-2).map((l) => l.split(' ')[1]),
    ['dataset-import-job', 'solution-version'],
    'rows restored before the training',
  );
  assert.match(datasetRows() ?? '', /,2\n$/, 'the new training learnt from the rows of minInteractionsPerUser 2');
  assert.equal((await apply(variant(2, 64))).plan.changes, 0);
});

test('back to earlier inputs whose training was never made: imported again exactly once, also across a crash', async () => {
  // A: imported, but the training is refused (a quota) before it starts.
  engine.world.failNext('CreateSolutionVersion', 'LimitExceededException');
  await assert.rejects(apply(variant(2)), (e) => isSegflowError(e) && e.code === 'AWS_QUOTA');
  await apply(variant(3));
  assert.equal(imports().length, 2);

  // Back to A: its rows were replaced and its training must be made, so they are imported again; the answer to that
  // create is lost (a kill between create and record), and the next apply adopts the job instead of a third one.
  engine.world.crashAfter = 'CreateDatasetImportJob';
  await assert.rejects(apply(variant(2)));
  const resumed = await apply(variant(2));
  assert.equal(creates(resumed.summary, 'CreateDatasetImportJob'), 0);
  assert.equal(creates(resumed.summary, 'CreateSolutionVersion'), 1);
  const names = imports().map((j) => j.split(' ')[0]!);
  assert.equal(names.length, 3, names.join(', '));
  assert.equal(names[2], `${names[0]}-2`, 'A, B, then A again under its next name');
  assert.match(datasetRows() ?? '', /,2\n$/);

  // And B again: its training exists, so its import is kept.
  const b = await apply(variant(3));
  assert.equal(creates(b.summary, 'CreateDatasetImportJob'), 0);
  assert.equal(creates(b.summary, 'CreateSolutionVersion'), 0);
  assert.equal((await apply(variant(3))).plan.changes, 0);
});
