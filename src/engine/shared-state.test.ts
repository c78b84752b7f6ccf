import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPipeline, type ApplyOptions } from './apply.js';
import { planPipeline } from './plan.js';
import { destroyPipeline } from './destroy.js';
import { migrateState, stateHistory, unlockState } from './state-admin.js';
import type { EngineDeps } from './deps.js';
import { FakeAws } from '../../test/support/fake-aws.js';
import { fakeDeps } from '../../test/support/engine-fakes.js';
import { testSpec as baseSpec, type TestSpecOptions } from '../../test/support/spec.js';
import type { Spec, StateSpec } from '../spec/types.js';
import { S3StateBackend } from '../state/s3-backend.js';
import { isSegflowError } from '../util/errors.js';
import { stateFile } from '../util/paths.js';
import { REPORT_FILES } from '../eval/index.js';
import { REPORT_JSON } from './reports.js';
import type { PipelineState } from '../state/types.js';

/**
 * The engine on a shared (s3) state, on the in-memory fake: two working directories stand for two machines, the
 * fake's S3 for the team's state bucket.
 */
let world: FakeAws;
let deps: EngineDeps;
let dirs: string[];

const S3_STATE: StateSpec = { backend: 's3', bucket: 'team-state', key: 'segflow/demo.json', region: 'us-east-1' };
const spec = (state: StateSpec = S3_STATE, o: TestSpecOptions = {}) => baseSpec({ interactions: { minInteractionsPerUser: 2, maxBadRows: 0 }, state, ...o });

beforeEach(async () => {
  world = new FakeAws();
  deps = fakeDeps(world);
  await world.s3.createBucket('team-state');
  dirs = [await mkdtemp(join(tmpdir(), 'segflow-a-')), await mkdtemp(join(tmpdir(), 'segflow-b-'))];
});

afterEach(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const common = (cwd: string) => ({ cwd, signal: new AbortController().signal, emit: () => undefined, deps, pollInitialMs: 1, pollMaxMs: 2 });

async function apply(s: Spec, cwd: string, extra: Partial<ApplyOptions> = {}) {
  const outcome = await applyPipeline({ spec: s, ...common(cwd), autoApprove: true, approveCost: false, ...extra });
  if (!outcome.ok) throw outcome.error;
  return outcome.summary;
}

const plan = (s: Spec, cwd: string) => planPipeline({ spec: s, ...common(cwd) });
const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

test('two machines share one S3 state: apply in one, the other plans no change; nothing is kept locally', async () => {
  const [a, b] = dirs as [string, string];
  const first = await apply(spec(), a);
  assert.equal(first.ok, true);
  assert.equal(await exists(stateFile('demo', a)), false, 'no local state file');
  const stored = await world.s3.getObjectText('team-state', 'segflow/demo.json');
  assert.ok(stored && (JSON.parse(stored.text) as PipelineState).steps['training']?.phase === 'done');
  const other = await plan(spec(), b);
  assert.equal(
    other.changes,
    0,
    other.steps
      .filter((s) => s.action !== 'noop')
      .map((s) => `${s.id}: ${s.action} ${s.reasons.join(', ')}`)
      .join('; '),
  );
  assert.deepEqual(other.state, { backend: 's3', location: 's3://team-state/segflow/demo.json', serial: (JSON.parse(stored.text) as PipelineState).serial });
});

test("the state bucket is the user's: a missing one is STATE_BUCKET_MISSING at plan time, and nothing is created", async () => {
  await assert.rejects(plan(spec({ ...S3_STATE, bucket: 'not-there' }), dirs[0]!), (e) => isSegflowError(e) && e.code === 'STATE_BUCKET_MISSING');
  assert.equal(world.s3World.buckets.has('not-there'), false);
});

test('apply is refused (exit 3) while another machine holds the lock, naming it; unlock by its id frees it', async () => {
  const backend = await S3StateBackend.open(world.s3, 'team-state', 'segflow/demo.json');
  const held = await backend.lock.acquire('apply', { who: 'ci-bot', runId: 'github run 7' });
  await assert.rejects(
    apply(spec(), dirs[0]!),
    (e) => isSegflowError(e) && e.code === 'STATE_LOCKED' && e.exitCode === 3 && /apply by ci-bot .*run github run 7/.test(e.message),
  );
  const history = await stateHistory({ spec: spec(), ...common(dirs[0]!) });
  assert.equal(history.lock?.id, held.holder.id);
  await assert.rejects(unlockState({ spec: spec(), ...common(dirs[0]!) }, 'nope'), (e) => isSegflowError(e) && e.code === 'STATE_UNLOCK_MISMATCH');
  const { holder } = await unlockState({ spec: spec(), ...common(dirs[0]!) }, held.holder.id);
  assert.equal(holder.who, 'ci-bot');
  assert.equal((await apply(spec(), dirs[0]!)).ok, true);
});

test('a saved plan is refused once the shared state moved on (another apply ran), naming the serials', async () => {
  const [a, b] = dirs as [string, string];
  await apply(spec(), a);
  const saved = await plan(spec({ ...S3_STATE }, { segments: { numResults: { count: 7 } } }), a);
  await apply(spec(S3_STATE, { segments: { numResults: { count: 6 } } }), b);
  await assert.rejects(
    apply(spec(S3_STATE, { segments: { numResults: { count: 7 } } }), a, { savedPlan: saved }),
    (e) => isSegflowError(e) && e.code === 'PLAN_STALE' && /serial \d+ -> \d+/.test(e.message),
  );
});

test('moving a pipeline from local to s3 is detected by plan; state migrate moves it and marks the old one', async () => {
  const a = dirs[0]!;
  await apply(spec({ backend: 'local' }), a);
  await assert.rejects(
    plan(spec(), a),
    (e) => isSegflowError(e) && e.code === 'STATE_MIGRATION_NEEDED' && e.exitCode === 3 && /segflow state migrate/.test(e.details.join('\n')),
  );
  const moved = await migrateState({ spec: spec(), ...common(a) });
  assert.equal(moved.to, 's3://team-state/segflow/demo.json');
  assert.equal((await plan(spec(), a)).changes, 0);
  const old = JSON.parse(await readFile(stateFile('demo', a), 'utf8')) as PipelineState;
  assert.equal(old.movedTo, 's3://team-state/segflow/demo.json');
  await assert.rejects(
    plan(spec({ backend: 'local' }), a),
    (e) => isSegflowError(e) && e.code === 'STATE_MOVED' && /moved to s3:\/\/team-state/.test(e.message),
  );
  // Between keys: this directory remembers where the state was; a second migrate refuses to overwrite.
  const other: StateSpec = { ...S3_STATE, key: 'segflow/v2/demo.json' };
  await assert.rejects(plan(spec(other), a), (e) => isSegflowError(e) && e.code === 'STATE_MIGRATION_NEEDED');
  await migrateState({ spec: spec(other), ...common(a) });
  assert.equal((await plan(spec(other), a)).changes, 0);
  await assert.rejects(migrateState({ spec: spec(other), ...common(a), from: S3_STATE }), (e) => isSegflowError(e) && e.code === 'STATE_MIGRATE_REFUSED');
});

test('destroy of everything deletes the shared state and keeps its last version in the history', async () => {
  const a = dirs[0]!;
  await apply(spec(), a);
  await destroyPipeline({ spec: spec(), ...common(a), keepData: false });
  assert.equal(await world.s3.getObjectText('team-state', 'segflow/demo.json'), undefined);
  const history = await stateHistory({ spec: spec(), ...common(a) });
  assert.ok(history.entries.length >= 10);
  assert.ok(history.entries.every((e) => !e.current));
  assert.equal(await world.s3.getObjectText('team-state', 'segflow/demo.json.lock'), undefined, 'the lock was released');
});

test('the report kept beside a shared state is the file src/eval writes', () => {
  assert.equal(REPORT_JSON, REPORT_FILES.json);
});
