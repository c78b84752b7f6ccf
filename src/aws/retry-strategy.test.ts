import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CreateDatasetGroupCommand, PersonalizeClient } from '@aws-sdk/client-personalize';
import { isAwsError } from './errors.js';
import { isQuotaError } from './retry-strategy.js';
import { LOCAL_CREDENTIALS } from './sdk-clients.js';
import { packageRoot } from '../util/paths.js';
import { TEST_REGION, withEmulatorPorts } from '../../test/support/emulator-ports.js';

const requests = (emu: { calls(): { services: Record<string, Record<string, number>> } }, service: string, op: string) =>
  emu.calls().services[service]?.[op] ?? 0;

test('a Personalize quota error surfaces at once as limit-exceeded: one request, where the SDK default would retry it', async () => {
  await withEmulatorPorts(
    async ({ personalize, calls }, emu) => {
      // The emulator allows 5 dataset groups per region, like AWS's default quota.
      for (let i = 0; i < 5; i++) await personalize.createDatasetGroup({ name: `dsg-${i}`, tags: {} });
      assert.equal(requests(emu, 'personalize', 'CreateDatasetGroup'), 5);
      await assert.rejects(personalize.createDatasetGroup({ name: 'dsg-5', tags: {} }), (e) => {
        assert.ok(isAwsError(e, 'limit-exceeded'));
        assert.equal(e.code, 'LimitExceededException');
        assert.match(e.awsMessage, /More than 5 resources/);
        return true;
      });
      assert.equal(requests(emu, 'personalize', 'CreateDatasetGroup'), 6, 'the quota error was not retried');
      assert.equal(calls.get('personalize:CreateDatasetGroup'), 6);

      // The premise: the SDK's standard strategy classifies LimitExceededException as throttling and retries it.
      const plain = new PersonalizeClient({ endpoint: emu.endpoint, region: TEST_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 });
      await assert.rejects(plain.send(new CreateDatasetGroupCommand({ name: 'dsg-6' })), { name: 'LimitExceededException' });
      plain.destroy();
      assert.equal(requests(emu, 'personalize', 'CreateDatasetGroup'), 8, 'a plain client sent it twice');
    },
    { maxAttempts: 5 },
  );
});

test("IAM's LimitExceeded (the SDK class LimitExceededException) is not retried either", async () => {
  await withEmulatorPorts(
    async ({ iam }, emu) => {
      const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
      const trust = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'personalize.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
      await assert.rejects(
        iam.createRole({ name: 'r', trustPolicy: trust, description: '', tags }),
        (e) => isAwsError(e, 'limit-exceeded') && e.code === 'LimitExceeded' && e.status === 409,
      );
      assert.equal(requests(emu, 'iam', 'CreateRole'), 1);
    },
    { maxAttempts: 5 },
  );
});

test('throttling and 5xx are still retried, and a logical call counts once however many attempts it took', async () => {
  await withEmulatorPorts(
    async ({ personalize, s3, calls }, emu) => {
      emu.setFaults({ throttleRate: 1 });
      await assert.rejects(personalize.listDatasetGroups(), (e) => isAwsError(e, 'throttled') && e.code === 'ThrottlingException');
      assert.equal(requests(emu, 'personalize', 'ListDatasetGroups'), 3, 'maxAttempts 3');
      assert.equal(calls.get('personalize:ListDatasetGroups'), 1);
      await assert.rejects(s3.headBucket('b'), (e) => isAwsError(e, 'throttled') && e.status === 503);

      emu.setFaults({ errorRate: 1 });
      await assert.rejects(personalize.listSchemas(), (e) => isAwsError(e, 'other') && e.code === 'InternalFailure' && e.status === 500);
      assert.equal(requests(emu, 'personalize', 'ListSchemas'), 3);

      // A third of the requests throttled: every call gets through, counted once.
      emu.setFaults({ throttleRate: 0.3, seed: 3 });
      for (let i = 0; i < 4; i++) assert.deepEqual(await personalize.listSolutions(`arn:aws:personalize:${TEST_REGION}:000000000000:dataset-group/none`), []);
      assert.equal(calls.get('personalize:ListSolutions'), 4);
      assert.ok(requests(emu, 'personalize', 'ListSolutions') > 4, 'retries reached the emulator');
    },
    { maxAttempts: 3 },
  );
});

test('isQuotaError knows both spellings and nothing else', () => {
  assert.equal(isQuotaError({ name: 'LimitExceededException' }), true);
  assert.equal(isQuotaError({ name: 'LimitExceeded' }), true);
  assert.equal(isQuotaError({ name: 'ThrottlingException' }), false);
  assert.equal(isQuotaError(undefined), false);
});

test('one @smithy/core: the strategy segflow wraps is the one every SDK client retries with', () => {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const sdk = Object.entries(pkg.dependencies).filter(([name]) => name.startsWith('@aws-sdk/'));
  assert.ok(sdk.length > 0);
  assert.deepEqual(new Set(sdk.map(([, range]) => range)).size, 1, `every @aws-sdk/* package in one range: ${JSON.stringify(Object.fromEntries(sdk))}`);
  const ours = createRequire(join(packageRoot, 'package.json')).resolve('@smithy/core/package.json');
  for (const [name] of sdk) {
    const client = createRequire(join(packageRoot, 'package.json')).resolve(`${name}/package.json`);
    assert.equal(createRequire(client).resolve('@smithy/core/package.json'), ours, `${name} resolves another @smithy/core`);
  }
});
