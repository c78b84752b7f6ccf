import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { operations } from './personalize/router.js';
import { iamOperations } from './iam/router.js';
import { withEmulator } from '../../test/support/emulator.js';
import { signedFetch } from '../../test/support/signer.js';

/**
 * Random, well-signed requests to every Personalize and IAM operation: whatever the body, the answer is a client
 * error in the service's shape (4xx), never a 500, and the emulator keeps serving.
 */
function send(endpoint: string, service: string, headers: Record<string, string>, body: string): Promise<Response> {
  return signedFetch({ method: 'POST', endpoint, path: '/', service, region: 'us-east-1', headers, body });
}

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.constantFrom(
        'name',
        'datasetGroupArn',
        'schemaArn',
        'schema',
        'datasetType',
        'solutionArn',
        'recipeArn',
        'tags',
        'jobInput',
        'jobOutput',
        'numResults',
        'maxResults',
        'nextToken',
        'dataSource',
        'solutionConfig',
        'filterExpression',
        'tagKeys',
        'resourceArn',
      ),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map((v) => JSON.stringify(v)),
  fc.string(),
);

test('fuzz: random bodies to every Personalize and IAM operation never crash the emulator', async () => {
  await withEmulator(async (emu) => {
    const pzOps = Object.keys(operations);
    const iamOps = Object.keys(iamOperations);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...pzOps), jsonish, async (op, body) => {
        const res = await send(emu.endpoint, 'personalize', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonPersonalize.${op}` }, body);
        const text = await res.text();
        assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `${op} ${body} -> ${res.status} ${text}`);
        if (res.status !== 200) assert.match((JSON.parse(text) as { __type: string }).__type, /Exception$/);
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...iamOps),
        fc.dictionary(
          fc.constantFrom(
            'RoleName',
            'PolicyName',
            'PolicyDocument',
            'AssumeRolePolicyDocument',
            'PolicyArn',
            'Path',
            'MaxItems',
            'Marker',
            'Tags.member.1.Key',
            'MaxSessionDuration',
          ),
          fc.string(),
        ),
        async (op, params) => {
          const body = new URLSearchParams({ Action: op, Version: '2010-05-08', ...params }).toString();
          const res = await send(emu.endpoint, 'iam', { 'content-type': 'application/x-www-form-urlencoded' }, body);
          const text = await res.text();
          assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `${op} ${body} -> ${res.status} ${text}`);
        },
      ),
      { numRuns: 200 },
    );
    assert.equal((await fetch(`${emu.endpoint}/_emulator/health`)).status, 200);
  });
});
