import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Plan } from '../src/plan/types.js';
import { runCli } from './support/run-cli.js';

/**
 * The budget gate at the scale where it matters: the seed article's data size (5,074,160 reviews, as
 * `segflow sample-data` generates it) and its 500 item queries. Batch segments are billed per user in the dataset
 * per query, so that job alone passes $1,000; the advisor must find a change that fits a $100 budget, and that
 * change, applied to the spec, must give the plan it promised.
 */
let dir = '';

const spec = (o: { sample: number; minInteractionsPerUser?: number }) => `version: 1
name: seed-scale-cost
target: { kind: local, region: ap-northeast-1 }
data:
  interactions:
    source: reviews.json.gz
    format: jsonl
    columns: { USER_ID: reviewerID, ITEM_ID: asin, TIMESTAMP: unixReviewTime }
    minInteractionsPerUser: ${o.minInteractionsPerUser ?? 4}
split: { testStart: 2018-02-01T00:00:00Z }
queries: { items: { sample: ${o.sample}, seed: 10 } }
storage: { bucket: segflow-seed-scale-cost }
recipe: aws-item-affinity
segments: { numResults: { fractionOfUsers: 0.01 } }
budget: { maxUsd: 100 }
`;

async function plan(o: Parameters<typeof spec>[0]): Promise<{ code: number; plan: Plan }> {
  await writeFile(join(dir, 'p.yaml'), spec(o));
  const r = await runCli(dir, ['plan', 'p.yaml', '--json']);
  assert.ok(r.code === 0 || r.code === 4, r.stderr);
  return { code: r.code, plan: JSON.parse(r.stdout) as Plan };
}

const line = (p: Plan, item: string) => p.cost.lines.find((l) => l.item === item)!;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'segflow-cost-'));
  const gen = await runCli(dir, ['sample-data', '--out', 'reviews.json.gz', '--reviews', '5074160']);
  assert.equal(gen.code, 0, gen.stderr);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('seed scale, 500 queries: batch segments over $1,000, refused by a $100 budget, and the advice fits it', { timeout: 600_000 }, async () => {
  const { plan: p } = await plan({ sample: 500 });
  const seg = line(p, 'batch segments');
  const users = p.cost.segments!.users;
  assert.ok(users > 150_000, `train users ${users}`);
  assert.equal(p.cost.segments!.queries, 500);
  assert.ok(seg.usd >= 1000, `batch segments $${seg.usd}`);
  assert.equal(seg.usd, Math.round(((users * 500) / 1000) * 0.016 * 10_000) / 10_000);
  // The budget gate uses the high end of the training range.
  assert.ok(line(p, 'training').usd > line(p, 'training').lowUsd);
  assert.ok(p.cost.pricing.notes.some((n) => /not confirmed/.test(n)));

  const advice = p.cost.advice!;
  assert.equal(advice.why, 'over budget');
  assert.equal(advice.driver.item, 'batch segments');
  const fits = advice.suggestions.filter((s) => s.underBudget);
  assert.ok(fits.length >= 2, JSON.stringify(advice.suggestions));
  for (const s of fits) assert.ok(s.totalUsd < 100, JSON.stringify(s));

  // apply refuses before touching anything, and names the cheaper runs.
  const refused = await runCli(dir, ['apply', 'p.yaml', '--auto-approve']);
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /error PLAN_OVER_BUDGET: the estimate \$1\d{3}\.\d\d/);
  assert.match(refused.stderr, /queries\.items\.sample: 500 -> \d+ brings it to \$\d+\.\d\d/);

  // Each suggestion, applied, gives the plan it promised: the same users and queries, a total no higher.
  const byKey = Object.fromEntries(fits.map((s) => [s.key, s]));
  const q = byKey['queries.items.sample']!;
  const fewer = (await plan({ sample: Number(q.to) })).plan;
  assert.equal(fewer.cost.segments!.queries, q.queries);
  assert.equal(fewer.cost.totalUsd, q.totalUsd);

  const t = byKey['data.interactions.minInteractionsPerUser']!;
  const raised = (await plan({ sample: 500, minInteractionsPerUser: Number(t.to) })).plan;
  assert.equal(raised.cost.segments!.users, t.users, 'the histogram predicts the user count exactly');
  assert.ok(raised.cost.totalUsd <= t.totalUsd + 0.01 && raised.cost.totalUsd < 100, `${raised.cost.totalUsd} vs ${t.totalUsd}`);
});
