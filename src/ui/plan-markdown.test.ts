import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan, PlannedStep } from '../plan/types.js';
import { GITHUB_COMMENT_LIMIT, GITHUB_SUMMARY_LIMIT, commentMarker, planMarkdown } from './plan-markdown.js';
import { fixturesDir } from '../../test/support/run-cli.js';

const dir = join(fixturesDir, 'plans');
const plan = JSON.parse(readFileSync(join(dir, 'review.plan.json'), 'utf8')) as Plan;

test('plan --format markdown: the golden file (test/fixtures/plans/review.plan.md)', () => {
  const md = planMarkdown(plan, { planFile: 'plans/online-retail.plan.json' });
  const golden = join(dir, 'review.plan.md');
  // SEGFLOW_UPDATE_GOLDEN=1 rewrites it; review the diff by hand before committing.
  if (process.env['SEGFLOW_UPDATE_GOLDEN']) writeFileSync(golden, md);
  assert.equal(md, readFileSync(golden, 'utf8'));
});

test('the markdown leads with what a reviewer must not miss, and escapes table breakers', () => {
  const md = planMarkdown(plan);
  assert.ok(md.startsWith(commentMarker('online-retail') + '\n'));
  const warning = md.slice(md.indexOf('> [!WARNING]'), md.indexOf('| step |'));
  assert.match(warning, /`solution` will be \*\*replaced\*\*/);
  assert.match(warning, /costly: `import-interactions`, `training`, `segments` will run/);
  assert.match(warning, /over the budget/);
  assert.match(md, /Insufficient data \\\| see the training log &lt;details&gt;/);
  assert.match(md, /\| `queries.items.sample` \| 500 -&gt; 300 \|/);
});

function bigPlan(steps: number, reasonLength: number): Plan {
  const many: PlannedStep[] = Array.from({ length: steps }, (_, i) => ({
    id: `step-${i}`,
    kind: 'upload',
    title: 'x',
    deps: [],
    action: i % 10 === 0 ? 'noop' : 'create',
    reasons: Array.from({ length: 5 }, (_, r) => `reason ${r} ${'x'.repeat(reasonLength)}`),
    name: `online-retail-resource-${i}`,
    inputs: {},
    inputsHash: 'h',
    costly: false,
    local: false,
  }));
  return { ...plan, steps: many, changes: many.filter((s) => s.action !== 'noop').length };
}

test('a plan too long for a GitHub comment drops detail, never the cost, and says so', () => {
  for (const [steps, reasonLength] of [
    [300, 40],
    [3000, 200],
    [20000, 10],
  ] as const) {
    const big = bigPlan(steps, reasonLength);
    const md = planMarkdown(big);
    assert.ok(Buffer.byteLength(md) <= GITHUB_COMMENT_LIMIT, `${steps} steps: ${md.length}`);
    assert.match(md, /#### Cost estimate/);
    assert.match(md, /to fit GitHub's size limit/);
    const summary = planMarkdown(big, { limit: GITHUB_SUMMARY_LIMIT });
    assert.ok(Buffer.byteLength(summary) <= GITHUB_SUMMARY_LIMIT);
    assert.ok(summary.length >= md.length, 'the job summary keeps at least as much');
  }
  // Rows are cut, not reasons alone, when even one reason per step does not fit: the count left out is named.
  const md = planMarkdown(bigPlan(20000, 10));
  const left = /… and (\d+) more changing step\(s\)/.exec(md);
  assert.ok(left && Number(left[1]) > 0);
  const rows = md.split('\n').filter((l) => l.startsWith('| `step-')).length;
  assert.equal(rows + Number(left[1]), 18000);
});
