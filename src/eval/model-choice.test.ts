import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { evaluateRun } from './evaluate.js';
import { modelChoiceFrom, personalizeMetrics } from './model-choice.js';
import { renderMarkdown } from './render-md.js';
import { summarizeReport } from './summary.js';
import { outputLine, writeFixtureWorkDir } from '../../test/support/eval-fixtures.js';
import { testSpec } from '../../test/support/spec.js';

/** What the emulator returns for a local model that chose a blend (src/model/choice-metrics.ts writes these keys). */
const METRICS = {
  coverage: 0.4,
  hits_at_1_percent: 1.2,
  recall_at_1_percent: 0.31,
  'segflow.model.item-knn+activity-hl90d-0.3': 1,
  'segflow.validation.queries': 500,
  'segflow.validation.k': 36,
  'segflow.validation.start': 1318438800,
  'segflow.validation.item-knn.recall_at_1_percent': 0.3,
  'segflow.validation.item-knn.hits_at_1_percent': 2.0,
  'segflow.validation.item-knn+activity-hl90d-0.3.recall_at_1_percent': 0.32,
  'segflow.validation.item-knn+activity-hl90d-0.3.hits_at_1_percent': 2.1,
  'segflow.validation.activity.recall_at_1_percent': 0.18,
  'segflow.validation.activity.hits_at_1_percent': 1.3,
};

test('the model choice is read back from the segflow.* solution metrics, best validation recall first', () => {
  assert.deepEqual(personalizeMetrics(METRICS), { coverage: 0.4, hits_at_1_percent: 1.2, recall_at_1_percent: 0.31 });
  const c = modelChoiceFrom(METRICS)!;
  assert.equal(c.chosen, 'item-knn+activity-hl90d-0.3');
  assert.deepEqual(
    c.candidates.map((x) => [x.name, x.recall, x.hits, x.chosen]),
    [
      ['item-knn+activity-hl90d-0.3', 0.32, 2.1, true],
      ['item-knn', 0.3, 2.0, false],
      ['activity', 0.18, 1.3, false],
    ],
  );
  assert.match(c.protocol, /latest 10%.*500 queries, k = 36/);
  assert.equal(modelChoiceFrom({ coverage: 1 }), null); // AWS: no contest to show
  assert.equal(modelChoiceFrom(undefined), null);
  assert.deepEqual(modelChoiceFrom({ 'segflow.model.item-knn': 1 })?.candidates, []);
});

test('the report names the model chosen and every candidate, and keeps Personalize metrics apart', async () => {
  const dir = await writeFixtureWorkDir({
    activity: { a: 3, b: 2, c: 1 },
    queries: [{ itemId: 'i1', truth: ['a'] }],
    k: 1,
    segmentFiles: { 'out.json.out': outputLine({ itemId: 'i1' }, ['a']) + '\n' },
    runInfo: { solutionMetrics: METRICS },
  });
  try {
    const r = await evaluateRun(dir, testSpec());
    assert.deepEqual(r.solutionMetrics?.values, { coverage: 0.4, hits_at_1_percent: 1.2, recall_at_1_percent: 0.31 });
    assert.equal(r.modelChoice?.chosen, 'item-knn+activity-hl90d-0.3');
    const md = renderMarkdown(r);
    assert.match(md, /Served: \*\*item-knn\+activity-hl90d-0\.3\*\*/);
    assert.match(md, /\| \*\*item-knn\+activity-hl90d-0\.3\*\* \(chosen\) \| 0\.3200 \| 2\.100 \|/);
    assert.match(md, /\| activity \| 0\.1800 \| 1\.300 \|/);
    assert.ok(summarizeReport(r).some((l) => /chosen on a validation split: item-knn\+activity-hl90d-0\.3, best of 3 candidates .*popularity 0\.180/.test(l)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
