import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awsError } from '../aws/error-kinds.js';
import { isSegflowError } from '../util/errors.js';
import { testSpec } from '../../test/support/spec.js';
import { createOrAdopt, type ResourceParts } from './create-or-adopt.js';
import type { Desired, Observation, StepContext } from './types.js';

/**
 * createOrAdopt's order is the contract every resource kind relies on: state writes (intent before the create, ARN
 * after, "created" before any wait) and AWS calls. A script of what happened, from a context that records both.
 */
function world(statuses: string[] = ['CREATE PENDING', 'ACTIVE']) {
  const script: string[] = [];
  let reads = 0;
  const ctx = {
    spec: testSpec(),
    signal: new AbortController().signal,
    pollInitialMs: 1,
    pollMaxMs: 1,
    waitTimeoutMs: 5_000,
    progress: (_id: string, p: { message: string }) => script.push(`progress ${p.message}`),
    state: {
      step: () => undefined,
      setStep: async (id: string, r: { phase: string }) => void script.push(`set ${id} ${r.phase} ${JSON.stringify(r)}`),
      patchStep: async (id: string, r: { phase?: string }) => void script.push(`patch ${id} ${JSON.stringify(r)}`),
    },
  } as unknown as StepContext;
  const describe = async (_ctx: StepContext, arn: string): Promise<Observation> => {
    script.push(`describe ${arn}`);
    const status = statuses[Math.min(reads++, statuses.length - 1)]!;
    return status === 'GONE' ? { exists: false } : { exists: true, arn, status, phase: status === 'ACTIVE' ? 'active' : 'pending' };
  };
  return { ctx, script, describe };
}

const desired: Desired = { name: 'demo-thing', inputs: { a: 1 }, inputsHash: 'h1' };
const absent: Observation = { exists: false };
const present: Observation = { exists: true, arn: 'arn:thing', status: 'ACTIVE', phase: 'active' };

function parts(w: ReturnType<typeof world>, more: Partial<ResourceParts> = {}): ResourceParts {
  return {
    arn: 'arn:thing',
    describe: w.describe,
    create: async ({ name, tags }) => {
      w.script.push(`create ${name} ${tags['segflow:pipeline']} ${tags['segflow:step']}`);
      return 'arn:thing';
    },
    ...more,
  };
}

test('absent: the intent is recorded before the create, the ARN after, done once ACTIVE', async () => {
  const w = world();
  const out = await createOrAdopt(w.ctx, 'thing', desired, absent, parts(w, { outputs: () => ({ n: 1 }) }));
  assert.deepEqual(out, { arn: 'arn:thing', adopted: false });
  assert.deepEqual(
    w.script.filter((l) => !l.startsWith('progress')),
    [
      'set thing intent {"phase":"intent","name":"demo-thing","inputsHash":"h1","inputs":{"a":1}}',
      'create demo-thing demo thing',
      'patch thing {"phase":"created","arn":"arn:thing"}',
      'describe arn:thing',
      'describe arn:thing',
      'patch thing {"phase":"done","arn":"arn:thing","outputs":{"n":1}}',
    ],
  );
});

test('present: adopted, recorded as created before the wait, never created', async () => {
  const w = world(['ACTIVE']);
  const out = await createOrAdopt(w.ctx, 'thing', { ...desired, name: 'demo-thing-2' }, present, parts(w, { attempt: 2 }));
  assert.deepEqual(out, { arn: 'arn:thing', adopted: true });
  assert.deepEqual(w.script, [
    'set thing created {"phase":"created","name":"demo-thing-2","arn":"arn:thing","inputsHash":"h1","inputs":{"a":1},"attempt":2}',
    'describe arn:thing',
    'patch thing {"phase":"done","arn":"arn:thing"}',
  ]);
});

test('a name taken between the read and the create is adopted only once the kind has checked it is ours', async () => {
  const w = world(['ACTIVE']);
  const taken = async () => {
    throw awsError('personalize', 'CreateThing', 'ResourceAlreadyExistsException', 'exists');
  };
  const checked: string[] = [];
  const out = await createOrAdopt(w.ctx, 'thing', desired, absent, parts(w, { create: taken, whenNameTaken: async () => void checked.push('checked') }));
  assert.deepEqual(out, { arn: 'arn:thing', adopted: true });
  assert.deepEqual(checked, ['checked']);

  const foreign = async () => {
    throw new Error('foreign');
  };
  await assert.rejects(createOrAdopt(world().ctx, 'thing', desired, absent, parts(w, { create: taken, whenNameTaken: foreign })), /foreign/);
});

test('replace: the live one is deleted and waited out before the new one is created', async () => {
  const w = world(['ACTIVE', 'GONE', 'ACTIVE']);
  const removed: string[] = [];
  const out = await createOrAdopt(
    w.ctx,
    'thing',
    desired,
    present,
    parts(w, { replace: { remove: async () => void removed.push('x'), message: 'replacing' } }),
  );
  assert.deepEqual(out, { arn: 'arn:thing', adopted: false });
  assert.deepEqual(removed, ['x']);
  assert.deepEqual(w.script.slice(0, 5), [
    'progress replacing',
    'describe arn:thing',
    'describe arn:thing',
    'set thing intent {"phase":"intent","name":"demo-thing","inputsHash":"h1","inputs":{"a":1}}',
    'create demo-thing demo thing',
  ]);
});

test('done when it exists (a schema): one record, no wait', async () => {
  const w = world();
  await createOrAdopt(w.ctx, 'schema', desired, present, parts(w, { doneWhen: 'exists' }));
  assert.deepEqual(w.script, ['set schema done {"phase":"done","name":"demo-thing","arn":"arn:thing","inputsHash":"h1","inputs":{"a":1}}']);
});

test('an ARN AWS does not answer is located; a failed resource is a run failure', async () => {
  const w = world(['ACTIVE']);
  const out = await createOrAdopt(w.ctx, 'training', desired, absent, {
    describe: w.describe,
    create: async () => undefined,
    locate: async () => 'arn:version',
    label: 'training',
  });
  assert.deepEqual(out, { arn: 'arn:version', adopted: false });

  const failing = world(['CREATE FAILED']);
  failing.describe = async (_c, arn) => ({ exists: true, arn, status: 'CREATE FAILED', phase: 'failed', failureReason: 'bad data' });
  await assert.rejects(
    createOrAdopt(failing.ctx, 'thing', desired, present, parts(failing, { describe: failing.describe })),
    (e) => isSegflowError(e) && e.code === 'RUN_RESOURCE_FAILED',
  );
});
