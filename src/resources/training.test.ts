import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awsError } from '../aws/error-kinds.js';
import { TAG_INPUTS } from './naming.js';
import { findVersionByInputs } from './training.js';
import type { StepContext } from './types.js';

/**
 * The versions are listed, then each one's tags are read: a step replacing the solution may delete a listed version
 * in between (the import step asks which inputs' training exists while the solution is being replaced).
 */
function contextWith(versions: string[], tagsOf: (arn: string) => Record<string, string>): StepContext {
  const personalize = {
    listSolutionVersions: async () => versions.map((arn, i) => ({ arn, status: 'ACTIVE', createdAt: new Date(Date.UTC(2026, 0, 1 + i)) })),
    listTagsForResource: async (arn: string) => tagsOf(arn),
  };
  return {
    aws: { personalize },
    env: { partition: 'aws', region: 'us-east-1', account: '123456789012' },
    desired: () => ({ name: 'p-solution' }),
  } as unknown as StepContext;
}

test('findVersionByInputs: a version deleted between the list and its tags is not the one; the search goes on', async () => {
  const gone = 'arn:aws:personalize:us-east-1:123456789012:solution/p-solution/new';
  const kept = 'arn:aws:personalize:us-east-1:123456789012:solution/p-solution/old';
  const ctx = contextWith([kept, gone], (arn) => {
    if (arn === gone) throw awsError('personalize', 'ListTagsForResource', 'ResourceNotFoundException', `Could not find resource with arn = ${arn}`);
    return { [TAG_INPUTS]: 'h1' };
  });
  const found = await findVersionByInputs(ctx, { key: '' }, 'h1');
  assert.equal(found.exists, true);
  assert.equal(found.arn, kept);
  assert.deepEqual(await findVersionByInputs(ctx, { key: '' }, 'h2'), { exists: false });
});

test('findVersionByInputs: any other failure to read the tags is not hidden', async () => {
  const arn = 'arn:aws:personalize:us-east-1:123456789012:solution/p-solution/v';
  const ctx = contextWith([arn], () => {
    throw awsError('personalize', 'ListTagsForResource', 'AccessDeniedException', 'not authorized', 400);
  });
  await assert.rejects(findVersionByInputs(ctx, { key: '' }, 'h1'), /AccessDeniedException/);
});
