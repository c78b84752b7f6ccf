import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { HeadBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { clientsFor, tempDataDir, withEmulator } from '../../../test/support/emulator.js';
import { startEmulator } from '../index.js';

const ACCOUNT = '000000000000';
const OTHER = { accountId: '111111111111', accessKeyId: 'OTHERKEY', secretAccessKey: 'other-secret' };

/** What a version-1 (single-account) emulator wrote: buckets keyed by name without owner, roles keyed by name. */
function versionOneState(): object {
  const role = {
    roleName: 'old-role',
    roleId: 'AROAOLDROLEOLDROLEOLD',
    path: '/',
    arn: `arn:aws:iam::${ACCOUNT}:role/old-role`,
    created: 0,
    assumeRolePolicyDocument: '{"Statement":[]}',
    maxSessionDuration: 3600,
    tags: [],
    inlinePolicies: {},
    attachedPolicies: [],
  };
  return {
    version: 1,
    seq: 0,
    personalize: { resources: {}, tags: {} },
    s3: { buckets: { 'old-bucket': { name: 'old-bucket', region: 'eu-west-1', created: 0, objects: {}, uploads: {} } } },
    iam: { roles: { 'old-role': role }, policies: {} },
    kms: { keys: {} },
  };
}

test('a data directory of a version-1 emulator opens: its buckets belong to the default account, its roles stay', async () => {
  const dataDir = await tempDataDir();
  try {
    await writeFile(join(dataDir, 'state.json'), JSON.stringify(versionOneState()));
    await withEmulator(
      async (emu, c) => {
        assert.equal((await c.s3.send(new HeadBucketCommand({ Bucket: 'old-bucket' }))).$metadata.httpStatusCode, 200);
        assert.equal((await c.iam.send(new GetRoleCommand({ RoleName: 'old-role' }))).Role?.Arn, `arn:aws:iam::${ACCOUNT}:role/old-role`);
        const other = clientsFor(emu.endpoint, { accessKeyId: OTHER.accessKeyId, secretAccessKey: OTHER.secretAccessKey });
        try {
          assert.deepEqual((await other.s3.send(new ListBucketsCommand({}))).Buckets ?? [], []);
          await assert.rejects(other.iam.send(new GetRoleCommand({ RoleName: 'old-role' })), { name: 'NoSuchEntityException' });
        } finally {
          for (const client of Object.values(other)) client.destroy();
        }
      },
      { dataDir, accounts: [OTHER] },
    );
    const written = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as { version: number; s3: { buckets: Record<string, { owner: string }> } };
    assert.equal(written.version, 2);
    assert.deepEqual(
      Object.entries(written.s3.buckets).map(([k, b]) => [k, b.owner]),
      [['aws/old-bucket', ACCOUNT]],
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a state.json newer than this emulator is refused with EMU_STATE', async () => {
  const dataDir = await tempDataDir();
  try {
    await writeFile(join(dataDir, 'state.json'), JSON.stringify({ ...versionOneState(), version: 99 }));
    await assert.rejects(startEmulator({ dataDir }), (e: Error & { code?: string }) => e.code === 'EMU_STATE' && /version 99/.test(e.message));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
