import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { rm } from 'node:fs/promises';
import {
  CreateSolutionVersionCommand,
  DescribeSolutionVersionCommand,
  ListDatasetGroupsCommand,
  ListSolutionVersionsCommand,
} from '@aws-sdk/client-personalize';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ACCOUNT, clientsFor, REGION, tempDataDir, withEmulator, type Clients } from '../../test/support/emulator.js';
import { bucketWithData, importedSolution } from '../../test/support/emulator-flow.js';
import { isSegflowError } from '../util/errors.js';
import { parseCredentialExpirySpec, startEmulator } from './index.js';
import { ExpiryClock } from './auth/expiry.js';

const OTHER = { accountId: '111111111111', accessKeyId: 'OTHERKEY', secretAccessKey: 'other-secret' };

async function failure(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  return p.then(
    () => ({ name: 'no error', message: '' }),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({ name: e.name, status: e.$metadata?.httpStatusCode, message: e.message }),
  );
}

/** One call per protocol: Personalize and KMS (JSON), S3 (REST-XML), IAM and STS (query). */
function oneOfEach(c: Clients): Array<[string, () => Promise<unknown>]> {
  return [
    ['personalize', () => c.personalize.send(new ListDatasetGroupsCommand({}))],
    ['kms', () => c.kms.send(new ListKeysCommand({}))],
    ['s3', () => c.s3.send(new ListBucketsCommand({}))],
    [
      'iam',
      () => c.iam.send(new GetRoleCommand({ RoleName: 'none' })).catch((e: Error) => (e.name === 'NoSuchEntityException' ? undefined : Promise.reject(e))),
    ],
    ['sts', () => c.sts.send(new GetCallerIdentityCommand({}))],
  ];
}

test('after N signed requests the default credentials answer as an expired session token in every protocol, until renewed', async () => {
  await withEmulator(
    async (emu, c) => {
      for (const [, call] of oneOfEach(c)) await call();
      const answers = [];
      for (const [service, call] of oneOfEach(c)) answers.push([service, ...Object.values(await failure(call()))]);
      assert.deepEqual(answers, [
        ['personalize', 'ExpiredTokenException', 400, 'The security token included in the request is expired'],
        ['kms', 'ExpiredTokenException', 400, 'The security token included in the request is expired'],
        ['s3', 'ExpiredToken', 400, 'The provided token has expired.'],
        ['iam', 'ExpiredToken', 403, 'The security token included in the request is expired'],
        ['sts', 'ExpiredToken', 403, 'The security token included in the request is expired'],
      ]);
      // Another account's credentials do not expire; refused requests did not count.
      const other = clientsFor(emu.endpoint, { accessKeyId: OTHER.accessKeyId, secretAccessKey: OTHER.secretAccessKey });
      try {
        for (const [, call] of oneOfEach(other)) await call();
      } finally {
        for (const client of Object.values(other)) client.destroy();
      }
      const status = (await (await fetch(`${emu.endpoint}/_emulator/credentials`)).json()) as Record<string, unknown>;
      assert.deepEqual([status.expired, status.requestsUsed, status.requestsLeft], [true, 5, 0]);

      emu.renewCredentials();
      for (const [, call] of oneOfEach(c)) await call();
      assert.equal((await failure(c.sts.send(new GetCallerIdentityCommand({})))).name, 'ExpiredToken');
      const renewed = (await (await fetch(`${emu.endpoint}/_emulator/credentials/renew`, { method: 'POST' })).json()) as Record<string, unknown>;
      assert.deepEqual([renewed.expired, renewed.requestsLeft, renewed.renewals], [false, 5, 2]);
      assert.equal((await c.sts.send(new GetCallerIdentityCommand({}))).Account, '000000000000');
    },
    { credentialExpiry: { afterRequests: 5 }, accounts: [OTHER] },
  );
});

test('credentials can expire after a time instead (a clock the test moves, no sleep)', () => {
  let now = 1_000_000;
  const clock = new ExpiryClock({ afterMs: 400 }, () => now);
  assert.equal(clock.admit(), true);
  now += 399;
  assert.equal(clock.admit(), true);
  now += 1;
  assert.equal(clock.admit(), false, 'expired 400 ms after the start');
  assert.equal(clock.status().expired, true);
  clock.renew();
  assert.equal(clock.admit(), true, 'a new window after renewal');
  assert.equal(clock.status().expiresAt, new Date(now + 400).toISOString());
});

test('through the emulator: credentials with no time left are refused at once; renewed with time, they work', async () => {
  await withEmulator(
    async (emu, c) => {
      assert.equal((await failure(c.personalize.send(new ListDatasetGroupsCommand({})))).name, 'ExpiredTokenException');
      const status = (await (await fetch(`${emu.endpoint}/_emulator/credentials`)).json()) as Record<string, unknown>;
      assert.deepEqual([status.expires, status.expired], [true, true]);
    },
    { credentialExpiry: { afterMs: 0 } },
  );
  await withEmulator(
    async (_emu, c) => {
      await c.personalize.send(new ListDatasetGroupsCommand({}));
    },
    { credentialExpiry: { afterMs: 3_600_000 } },
  );
});

test('options: --credential-expiry requests=N,ms=N', async () => {
  assert.deepEqual(parseCredentialExpirySpec('requests=10,ms=5000'), { afterRequests: 10, afterMs: 5000 });
  for (const bad of ['', 'requests=-1', 'requests=1.5', 'hours=1', 'ms=x']) {
    assert.throws(
      () => parseCredentialExpirySpec(bad),
      (e) => isSegflowError(e) && e.code === 'EMU_OPTIONS',
      bad,
    );
  }
  await assert.rejects(startEmulator({ dataDir: '/nonexistent/never-created', credentialExpiry: {} }), (e) => isSegflowError(e) && e.code === 'EMU_OPTIONS');
});

/** Imported interactions and a solution, then a training started under the realistic lifecycle (so it is in flight). */
async function trainingInFlight(dataDir: string): Promise<{ solutionArn: string; solutionVersionArn: string }> {
  const solutionArn = await withEmulator(
    async (_e, c) => {
      const scope = { account: ACCOUNT, region: REGION, partition: 'aws' };
      await bucketWithData(c, scope, 'long-wait');
      return (await importedSolution(c, scope, 'long-wait', 'long-wait')).solutionArn;
    },
    { dataDir },
  );
  const solutionVersionArn = await withEmulator(
    async (_e, c) => (await c.personalize.send(new CreateSolutionVersionCommand({ solutionArn }))).solutionVersionArn!,
    { dataDir, lifecycle: 'realistic' },
  );
  return { solutionArn, solutionVersionArn };
}

/** Polls until `done`; on an expired token it renews the credentials (a user logging in again) and polls on. */
async function waitRenewing<T>(emu: { renewCredentials(): void }, read: () => Promise<T>, done: (v: T) => boolean): Promise<{ value: T; renewals: number }> {
  let renewals = 0;
  const until = Date.now() + 60_000;
  for (;;) {
    const v = await read().then(
      (x) => ({ x }),
      (e: Error) => {
        if (e.name !== 'ExpiredTokenException') throw e;
        return undefined;
      },
    );
    if (!v) {
      emu.renewCredentials();
      renewals++;
    } else if (done(v.x)) return { value: v.x, renewals };
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a long wait meets expired credentials: training goes on, and a re-run after renewal re-attaches to it and sees it finish', async () => {
  const dataDir = await tempDataDir();
  try {
    const { solutionArn, solutionVersionArn } = await trainingInFlight(dataDir);
    await withEmulator(
      async (emu, c) => {
        const describe = (clients: Clients) => () => clients.personalize.send(new DescribeSolutionVersionCommand({ solutionVersionArn }));
        const inFlight = (s: string | undefined) => s === 'CREATE PENDING' || s === 'CREATE IN_PROGRESS';
        for (let i = 0; i < 3; i++) assert.ok(inFlight((await describe(c)()).solutionVersion?.status));
        // The first run's wait meets the expiry: ExpiredTokenException; the training is not affected.
        assert.equal((await failure(describe(c)())).name, 'ExpiredTokenException');
        emu.renewCredentials();
        // A re-run (new clients) finds the version in flight by listing the solution's versions, and waits for it.
        const rerun = clientsFor(emu.endpoint);
        try {
          const versions = (await rerun.personalize.send(new ListSolutionVersionsCommand({ solutionArn }))).solutionVersions ?? [];
          assert.deepEqual(
            versions.map((v) => v.solutionVersionArn),
            [solutionVersionArn],
          );
          const { value, renewals } = await waitRenewing(emu, describe(rerun), (r) => !inFlight(r.solutionVersion?.status));
          assert.equal(value.solutionVersion?.status, 'ACTIVE', value.solutionVersion?.failureReason);
          assert.ok(renewals >= 1, 'the re-run outlived at least one more expiry');
        } finally {
          for (const client of Object.values(rerun)) client.destroy();
        }
      },
      { dataDir, credentialExpiry: { afterRequests: 3 } },
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
