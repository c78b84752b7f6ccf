import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineSpec, useFakeEngine } from '../../test/support/engine-run.js';
import { withUsersAndFilter } from '../../test/support/spec.js';
import type { Plan } from '../plan/types.js';
import type { Spec } from '../spec/types.js';
import { isSegflowError } from '../util/errors.js';

/**
 * spec.tags follow the spec on what already exists: a changed tag set plans `update` of the long-lived resources
 * only (nothing re-runs, nothing is paid for), apply tags and untags them in place, and tags that others put on
 * them, or on a bucket segflow did not create, stay as they are.
 */

const spec = (tags: Record<string, string>, o: Partial<Spec> = {}) => engineSpec({ tags, ...o });
const LONG_LIVED = ['bucket', 'role', 'dataset-group', 'dataset-interactions', 'solution'];

const engine = useFakeEngine();
const { apply, actions } = engine;

function arnOf(plan: Plan, id: string): string {
  return plan.steps.find((s) => s.id === id)!.arn!;
}

/** The user tags (not segflow:*) on each long-lived resource and on the segment job (ARNs from a plan after the first apply). */
async function userTagsOf(plan: Plan): Promise<Record<string, Record<string, string>>> {
  const mine = (t: Record<string, string>) => Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith('segflow:')));
  const role = plan.steps.find((s) => s.id === 'role')!.name;
  return {
    bucket: mine((await engine.world.s3.getBucketTagging('demo-bucket')) ?? {}),
    role: mine((await engine.world.iam.getRole(role))!.tags),
    'dataset-group': mine(await engine.world.personalize.listTagsForResource(arnOf(plan, 'dataset-group'))),
    'dataset-interactions': mine(await engine.world.personalize.listTagsForResource(arnOf(plan, 'dataset-interactions'))),
    solution: mine(await engine.world.personalize.listTagsForResource(arnOf(plan, 'solution'))),
    segments: mine(await engine.world.personalize.listTagsForResource(arnOf(plan, 'segments'))),
  };
}

test('a tags change updates the long-lived resources in place: set, changed, removed; jobs keep theirs; nothing re-runs', async () => {
  await apply(spec({ team: 'growth', env: 'prod' }));
  const first = (await apply(spec({ team: 'growth', env: 'prod' }))).plan;
  assert.equal(first.changes, 0, 'tags as created: nothing to do');
  // Someone else's tag on the dataset group, which segflow must leave alone.
  await engine.world.personalize.tagResource(arnOf(first, 'dataset-group'), { 'cost-center': '4711' });
  await engine.world.s3.putBucketTagging('demo-bucket', { ...(await engine.world.s3.getBucketTagging('demo-bucket')), backup: 'daily' });
  const creates = engine.world.core.log.filter((l) => l.startsWith('create')).length;

  const { plan, summary, events } = await apply(spec({ team: 'ads', owner: 'kim' }));
  assert.deepEqual(
    events.filter((e) => e.type === 'step-done' && e.adopted),
    [],
    'an update is not an adoption',
  );
  const a = actions(plan);
  for (const id of LONG_LIVED) {
    assert.equal(a[id], 'update', id);
    assert.deepEqual(
      plan.steps.find((s) => s.id === id)!.reasons,
      ['tags.owner: (none) -> kim', 'tags.team: growth -> ads', 'tags.env: prod -> (removed)'],
      id,
    );
  }
  assert.deepEqual(
    Object.entries(a).filter(([id, act]) => !LONG_LIVED.includes(id) && act !== 'noop'),
    [],
    'only the long-lived resources change',
  );
  assert.equal(plan.cost.totalUsd, 0, 'a tags change costs nothing');
  assert.equal(summary.ok, true);
  assert.equal(engine.world.core.log.filter((l) => l.startsWith('create')).length, creates, 'nothing created');

  const tags = await userTagsOf(plan);
  for (const id of LONG_LIVED.filter((id) => id !== 'dataset-group' && id !== 'bucket')) assert.deepEqual(tags[id], { owner: 'kim', team: 'ads' }, id);
  assert.deepEqual(tags['dataset-group'], { 'cost-center': '4711', owner: 'kim', team: 'ads' }, "someone else's tag stays");
  assert.deepEqual(tags['bucket'], { backup: 'daily', owner: 'kim', team: 'ads' }, "someone else's tag on the bucket segflow created stays");
  assert.deepEqual(tags['segments'], { env: 'prod', team: 'growth' }, 'a job keeps the tags it was billed under');

  assert.equal((await apply(spec({ team: 'ads', owner: 'kim' }))).plan.changes, 0, 'converged');
  // All user tags dropped: segflow removes the ones it set, and only those.
  const cleared = await apply(spec({}));
  assert.ok(LONG_LIVED.every((id) => actions(cleared.plan)[id] === 'update'));
  const after = await userTagsOf(cleared.plan);
  assert.deepEqual(after['dataset-group'], { 'cost-center': '4711' });
  assert.deepEqual(after['solution'], {});
  assert.equal((await apply(spec({}))).plan.changes, 0);
});

test('a tag segflow set and someone changed by hand is drift the plan names and apply sets back', async () => {
  await apply(spec({ team: 'growth' }));
  const first = (await apply(spec({ team: 'growth' }))).plan;
  await engine.world.personalize.tagResource(arnOf(first, 'solution'), { team: 'someone-else' });
  const { plan } = await apply(spec({ team: 'growth' }));
  assert.equal(actions(plan)['solution'], 'update');
  assert.deepEqual(plan.steps.find((s) => s.id === 'solution')!.reasons, ['tags.team: someone-else (changed out of band) -> growth']);
  assert.equal(plan.changes, 1);
  assert.equal((await engine.world.personalize.listTagsForResource(arnOf(plan, 'solution')))['team'], 'growth');
});

test("a bucket segflow adopted keeps its owner's tags whatever spec.tags say", async () => {
  await engine.world.s3.createBucket('demo-bucket');
  await engine.world.s3.putBucketTagging('demo-bucket', { owner: 'data-platform' });
  await apply(spec({ team: 'growth' }));
  const { plan } = await apply(spec({ team: 'ads' }));
  assert.equal(actions(plan)['bucket'], 'noop');
  assert.equal(actions(plan)['dataset-group'], 'update');
  assert.deepEqual(await engine.world.s3.getBucketTagging('demo-bucket'), { owner: 'data-platform' });
});

test('with a Users dataset and a segment filter: both follow the tags too, and the filter is not re-made', async () => {
  const withFilter = (tags: Record<string, string>): Spec => withUsersAndFilter(spec(tags), 'INCLUDE UserID WHERE Users.COUNTRY IN ("a")');
  await apply(withFilter({ team: 'growth' }));
  const { plan } = await apply(withFilter({ team: 'ads' }));
  const changed = Object.entries(actions(plan)).filter(([, a]) => a !== 'noop');
  assert.deepEqual(changed.map(([id]) => id).sort(), [...LONG_LIVED, 'dataset-users', 'filter'].sort());
  assert.ok(changed.every(([, a]) => a === 'update'));
  for (const id of ['filter', 'dataset-users']) assert.equal((await engine.world.personalize.listTagsForResource(arnOf(plan, id)))['team'], 'ads', id);
  assert.equal([...engine.world.res.values()].filter((r) => r.type === 'filter').length, 1, 'the filter was tagged, not re-made');
});

test('a refused TagResource names the step, the resource and the reason; the next apply tags it', async () => {
  await apply(spec({ team: 'growth' }));
  engine.world.failNext('TagResource', 'AccessDeniedException', {
    message: 'User: arn:aws:sts::000000000000:assumed-role/ci/x is not authorized to perform: personalize:TagResource',
    status: 403,
  });
  await assert.rejects(
    apply(spec({ team: 'ads' })),
    (e) => isSegflowError(e) && e.code === 'AWS_ACCESS_DENIED' && /tagging demo-/.test(e.message) && /personalize:TagResource/.test(e.message),
  );
  const again = await apply(spec({ team: 'ads' }));
  assert.ok(again.plan.changes >= 1);
  assert.equal((await apply(spec({ team: 'ads' }))).plan.changes, 0, 'converged');
});
