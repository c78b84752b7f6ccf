import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ListTagsForResourceCommand } from '@aws-sdk/client-personalize';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetBucketTaggingCommand } from '@aws-sdk/client-s3';
import type { SpecOptions } from '../e2e-support.js';
import { census, type StandaloneEmulator } from '../reliability/support.js';
import { assertChanges, bucketExists, jobsOf, objectVersions, pipeline, useStrictEmulator, versionsOf, type Pipeline } from './support.js';
import { show } from '../support/run-cli.js';

/**
 * One pipeline, one spec key changed at a time: the plan names exactly the steps that run again and why, apply
 * converges (the next plan is empty), and every costly resource exists once per input (new jobs only where the
 * plan said so; AWS can delete no job, so an extra one would be paid for and kept forever).
 */
type Step = [action: string, reason: string];
interface Change {
  key: string;
  change: SpecOptions;
  plan: Record<string, Step>;
  /** New import jobs, trainings and segment jobs this change costs. */
  costs: [imports: number, trainings: number, segments: number];
}

/** New segments are downloaded and evaluated. */
const fetched: Record<string, Step> = { download: ['run', 'after segments'], evaluate: ['run', 'after download'] };
/** What a change of the prepared interactions runs: everything from the upload on. */
const data = (reason: string): Record<string, Step> => ({
  prepare: ['run', reason],
  upload: ['run', 'input/interactions.csv'],
  'import-interactions': ['run', 'sha256: '],
  training: ['run', 'interactions: '],
  metrics: ['run', 'after training'],
  segments: ['run', 'after training'],
  ...fetched,
});

/** A tags change: the long-lived resources are updated in place. */
const retagged = (reason: string): Record<string, Step> =>
  Object.fromEntries(['bucket', 'role', 'dataset-group', 'dataset-interactions', 'solution'].map((id) => [id, ['update', reason]]));

const CHANGES: Change[] = [
  {
    key: 'data.interactions.minInteractionsPerUser',
    change: { minInteractionsPerUser: 3 },
    plan: data('data.interactions.minInteractionsPerUser: 2 -> 3'),
    costs: [1, 1, 1],
  },
  // Tags change nothing that costs: the long-lived resources are tagged in place, jobs created from now on carry
  // them (checked with the next change), jobs already made keep theirs.
  { key: 'tags', change: { tags: { team: 'growth' } }, plan: retagged('tags.team: (none) -> growth'), costs: [0, 0, 0] },
  {
    key: 'segments.numResults',
    change: { count: 12 },
    plan: { prepare: ['run', 'segments.numResults.count: 10 -> 12'], segments: ['run', 'numResults: 10 -> 12'], ...fetched },
    costs: [0, 0, 1],
  },
  {
    key: 'queries.items.sample',
    change: { sample: 15 },
    plan: { prepare: ['run', 'queries.items.sample: 20 -> 15'], upload: ['run', 'batch/batch-input.jsonl'], segments: ['run', 'queries: '], ...fetched },
    costs: [0, 0, 1],
  },
  {
    key: 'split.testStart',
    change: { testStart: '2021-06-15T00:00:00Z' },
    plan: { ...data('split.testStart: 2021-06-01T00:00:00Z -> 2021-06-15T00:00:00Z'), evaluate: ['run', 'split.testStart'] },
    costs: [1, 1, 1],
  },
  { key: 'split.trainStart', change: { trainStart: '2021-01-15T00:00:00Z' }, plan: data('split.trainStart: (none) -> 2021-01-15T00:00:00Z'), costs: [1, 1, 1] },
  {
    key: 'training.hiddenDimension',
    change: { hiddenDimension: 64 },
    plan: {
      solution: ['replace', 'training.hiddenDimension: default -> 64'],
      training: ['run', 'after solution'],
      metrics: ['run', 'after training'],
      segments: ['run', 'after training'],
      ...fetched,
    },
    costs: [0, 1, 1],
  },
  {
    // The data is imported and the segments are made: a new prefix moves only the files. The segment job's output
    // is found where it was written, so the job does not run again (same inputs, a second bill).
    key: 'storage.prefix',
    change: { prefix: 'renamed/' },
    plan: {
      bucket: ['update', 'PersonalizeReads was changed'],
      role: ['update', 'policy documents changed'],
      upload: ['run', 'files.renamed/input/interactions.csv: (none) -> '],
    },
    costs: [0, 0, 0],
  },
  { key: 'budget.maxUsd', change: { maxUsd: 20 }, plan: {}, costs: [0, 0, 0] },
  // Only the tags segflow set are removed (checked below).
  { key: 'tags (removed)', change: { tags: {} }, plan: retagged('tags.team: growth -> (removed)'), costs: [0, 0, 0] },
];

interface Costly {
  imports: number;
  segments: number;
  trainings: number;
}

async function costly(emu: StandaloneEmulator, p: Pipeline): Promise<Costly> {
  const { imports, segments } = await jobsOf(emu.aws, p.name);
  return { imports: imports.length, segments: segments.length, trainings: (await versionsOf(emu.aws, p.name)).length };
}

describe('scenarios: each spec key changed on its own (strict emulator)', () => {
  let emu: StandaloneEmulator;
  let p: Pipeline;
  useStrictEmulator((e) => (emu = e));
  before(async () => {
    p = await pipeline(emu, { name: 'keys' });
    await p.apply();
  });

  for (const c of CHANGES) {
    test(`${c.key}: the plan runs exactly what depends on it, apply converges, no costly resource twice`, async () => {
      await p.set(c.change);
      assertChanges(await p.plan(), c.plan);
      const before = await costly(emu, p);
      const { summary } = await p.applyJson();
      const after = await costly(emu, p);
      const solutionReplaced = c.plan['solution']?.[0] === 'replace';
      assert.deepEqual(
        [after.imports - before.imports, summary.calls['personalize:CreateSolutionVersion'] ?? 0, after.segments - before.segments],
        c.costs,
        JSON.stringify(summary.calls),
      );
      // A replaced solution goes with its versions; otherwise every training stays listed, once per input.
      assert.equal(after.trainings, solutionReplaced ? 1 : before.trainings + c.costs[1]);
      assert.deepEqual((await census(emu.aws, p.name)).duplicates, []);
      assertChanges(await p.plan(), {});
    });
  }

  test("tags: a job keeps the tags it was created with; what lives on has the tags of the spec, and segflow's own", async () => {
    const steps = (await p.state()).steps;
    const tagsOf = async (resourceArn: string) => (await emu.aws.personalize.send(new ListTagsForResourceCommand({ resourceArn }))).tags ?? [];
    const job = await tagsOf(steps['segments']!.arn!);
    assert.ok(
      job.some((t) => t.tagKey === 'team' && t.tagValue === 'growth'),
      JSON.stringify(job),
    );
    for (const id of ['dataset-group', 'solution']) {
      const tags = await tagsOf(steps[id]!.arn!);
      assert.ok(!tags.some((t) => t.tagKey === 'team') && tags.some((t) => t.tagKey === 'segflow:pipeline'), `${id}: ${JSON.stringify(tags)}`);
    }
    const role = (await emu.aws.iam.send(new GetRoleCommand({ RoleName: steps['role']!.name! }))).Role?.Tags ?? [];
    assert.ok(!role.some((t) => t.Key === 'team') && role.some((t) => t.Key === 'segflow:pipeline'), JSON.stringify(role));
    const bucket = (await emu.aws.s3.send(new GetBucketTaggingCommand({ Bucket: 'segflow-keys' }))).TagSet ?? [];
    assert.ok(!bucket.some((t) => t.Key === 'team') && bucket.some((t) => t.Key === 'segflow:pipeline'), JSON.stringify(bucket));
  });

  test('budget.maxUsd below what the next change costs: apply refuses before creating anything', async () => {
    await p.set({ maxUsd: 0.01, count: 14 });
    const before = await costly(emu, p);
    const r = await p.cli(['apply', p.spec, '--auto-approve']);
    assert.equal(r.code, 3, show(r));
    assert.match(r.stderr, /error PLAN_OVER_BUDGET: the estimate \$[\d.]+ .* exceeds budget\.maxUsd \$0\.01/);
    assert.deepEqual(await costly(emu, p), before);
    await p.set({ maxUsd: 20, count: 12 });
    assertChanges(await p.plan(), {});
  });

  test('destroy after a prefix change removes the objects under both prefixes, then the bucket', async () => {
    assert.ok((await objectVersions(emu.aws, 'segflow-keys', 'keys/')).length > 0, 'objects under the old prefix before destroy');
    await p.destroy();
    assert.equal(await bucketExists(emu.aws, 'segflow-keys'), false);
  });
});
