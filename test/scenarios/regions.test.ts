import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { ListDatasetGroupsCommand } from '@aws-sdk/client-personalize';
import type { SdkClients } from '../../src/aws/sdk-clients.js';
import type { StandaloneEmulator } from '../reliability/support.js';
import { ACCOUNT, assertChanges, bucketExists, clientsIn, jobsOf, objectVersions, pipeline, useStrictEmulator } from './support.js';

const trustOf = async (aws: SdkClients, RoleName: string) => {
  const role = (await aws.iam.send(new GetRoleCommand({ RoleName }))).Role!;
  return {
    role,
    trust: JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)) as { Statement: Array<{ Condition: Record<string, Record<string, string>> }> },
  };
};

describe('scenarios: regions and names (strict emulator)', () => {
  let emu: StandaloneEmulator;
  let eu: SdkClients;
  useStrictEmulator((e) => {
    emu = e;
    eu = clientsIn(e, 'eu-west-1');
  });
  after(() => eu.destroy());

  test('one pipeline name in two regions: two roles named by region, neither run disturbs the other', async () => {
    const us = await pipeline(emu, { name: 'twin', bucket: 'segflow-twin-us' });
    const euPipeline = await pipeline(emu, { name: 'twin', bucket: 'segflow-twin-eu', region: 'eu-west-1' });
    await us.apply();
    await euPipeline.apply();
    assertChanges(await us.plan(), {});
    const again = await us.applyJson();
    assert.equal(again.summary.changes, 0);

    // IAM is global: one role per region, each trusting only its own region's Personalize.
    for (const region of ['us-east-1', 'eu-west-1']) {
      const { role, trust } = await trustOf(emu.aws, `twin-personalize-${region}`);
      assert.equal(role.Arn, `arn:aws:iam::${ACCOUNT}:role/twin-personalize-${region}`);
      assert.equal(trust.Statement[0]!.Condition['ArnLike']!['aws:SourceArn'], `arn:aws:personalize:${region}:${ACCOUNT}:*`);
    }
    for (const [aws, region] of [
      [emu.aws, 'us-east-1'],
      [eu, 'eu-west-1'],
    ] as const) {
      const groups = ((await aws.personalize.send(new ListDatasetGroupsCommand({}))).datasetGroups ?? []).filter((g) => g.name === 'twin-dsg');
      assert.deepEqual(
        groups.map((g) => g.datasetGroupArn),
        [`arn:aws:personalize:${region}:${ACCOUNT}:dataset-group/twin-dsg`],
      );
      const { imports, segments } = await jobsOf(aws, 'twin');
      assert.deepEqual(
        [...imports, ...segments].map((j) => j.status),
        ['ACTIVE', 'ACTIVE'],
        region,
      );
    }

    // Destroying one region leaves the other's role (IAM is global) and everything else alone.
    await euPipeline.destroy();
    await assert.rejects(emu.aws.iam.send(new GetRoleCommand({ RoleName: 'twin-personalize-eu-west-1' })), /NoSuchEntity/);
    await trustOf(emu.aws, 'twin-personalize-us-east-1');
    assertChanges(await us.plan(), {});
  });

  test('a Japanese storage.prefix: apply succeeds (the role description is made Latin-1), objects under the prefix, destroy cleans up', async () => {
    const p = await pipeline(emu, { name: 'kokyaku', prefix: '顧客/' });
    await p.apply();
    const { role } = await trustOf(emu.aws, 'kokyaku-personalize-us-east-1');
    // IAM takes Latin-1 only in a role description (botocore roleDescriptionType); the emulator does not check it.
    assert.equal(role.Description, 'segflow pipeline kokyaku: Personalize access to s3://segflow-kokyaku/??/');
    assert.match(role.Description, /^[\t\n\r\x20-\x7E\xA1-\xFF]*$/);
    const objects = await objectVersions(emu.aws, 'segflow-kokyaku');
    assert.ok(objects.includes('顧客/input/interactions.csv') && objects.some((k) => k.startsWith('顧客/output/kokyaku-seg-')), objects.join('\n'));
    assertChanges(await p.plan(), {});
    await p.destroy();
    assert.equal(await bucketExists(emu.aws, 'segflow-kokyaku'), false);
  });
});
