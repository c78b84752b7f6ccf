import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attemptOf, usableAttempt } from './earlier-job.js';
import type { Observation } from './types.js';

const job = (phase: Observation['phase']): Observation => ({ exists: true, arn: 'arn:job', status: phase === 'failed' ? 'CREATE FAILED' : 'ACTIVE', phase });

test('attemptOf: the recorded attempt while the inputs are the same, else the first', () => {
  assert.equal(attemptOf({ phase: 'done', updatedAt: '', inputsHash: 'h', attempt: 3 }, 'h'), 3);
  assert.equal(attemptOf({ phase: 'done', updatedAt: '', inputsHash: 'h' }, 'h'), 1);
  assert.equal(attemptOf({ phase: 'done', updatedAt: '', inputsHash: 'old', attempt: 3 }, 'h'), 1);
  assert.equal(attemptOf(undefined, 'h'), 1);
});

test("usableAttempt steps past failed jobs and jobs that are not this run's, to a free name or one to adopt", async () => {
  const world: Record<string, Observation> = { 'j-2': job('failed'), 'j-3': job('active'), 'j-4': job('active') };
  const reads: string[] = [];
  const kind = {
    nameOf: (n: number) => `j-${n}`,
    read: async (name: string) => {
      reads.push(name);
      return world[name] ?? { exists: false };
    },
    passOver: async (_seen: Observation, name: string) => (name === 'j-3' ? 'made from another training' : undefined),
  };
  const adopt = await usableAttempt({ attempt: 2, name: 'j-2' }, kind);
  assert.deepEqual([adopt.attempt, adopt.name, adopt.seen.exists], [4, 'j-4', true]);
  assert.deepEqual(reads, ['j-2', 'j-3', 'j-4']);

  const fresh = await usableAttempt({ attempt: 1, name: 'j' }, kind);
  assert.deepEqual([fresh.attempt, fresh.name, fresh.seen.exists], [1, 'j', false], 'a free name is used as it is');
});
