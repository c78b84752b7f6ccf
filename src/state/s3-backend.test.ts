import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import type { AwsPorts } from '../aws/ports.js';
import { isSegflowError } from '../util/errors.js';
import { S3StateBackend } from './s3-backend.js';
import { StateStore } from './store.js';
import { withEmulatorPorts } from '../../test/support/emulator-ports.js';
import { clientsFor } from '../../test/support/emulator.js';

const target = { kind: 'local' as const, region: 'eu-west-1' };
const BUCKET = 'team-state';
const KEY = 'segflow/demo.json';

/** The state bucket, with versioning turned on or not. */
async function stateBucket(ports: AwsPorts, endpoint: string, versioned: boolean): Promise<void> {
  await ports.s3.createBucket(BUCKET);
  if (!versioned) return;
  const { s3 } = clientsFor(endpoint);
  await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
  s3.destroy();
}

async function open(ports: AwsPorts): Promise<StateStore> {
  return StateStore.load(await S3StateBackend.open(ports.s3, BUCKET, KEY), 'demo', target);
}

test('a missing or foreign state bucket is a clear error before anything is read', async () => {
  await withEmulatorPorts(async (ports) => {
    await assert.rejects(
      S3StateBackend.open(ports.s3, 'no-such-state-bucket', KEY),
      (e) => isSegflowError(e) && e.code === 'STATE_BUCKET_MISSING' && e.exitCode === 2 && /no-such-state-bucket/.test(e.message),
    );
  });
});

for (const versioned of [false, true]) {
  test(`concurrent writers on one S3 state (${versioned ? 'versioned bucket' : 'history prefix'}): every lost race is retried, nothing is lost, history has every version`, async () => {
    await withEmulatorPorts(async (ports, emu) => {
      await stateBucket(ports, emu.endpoint, versioned);
      // Four machines, each with its own store (own reads, own ETags), writing at once.
      const writers = await Promise.all([0, 1, 2, 3].map(() => open(ports)));
      const perWriter = 8;
      await Promise.all(
        writers.map((store, w) =>
          Promise.all(Array.from({ length: perWriter }, (_, i) => store.setStep(`w${w}-s${i}`, { phase: 'done', name: `n${w}-${i}` }))),
        ),
      );
      const conflicts = writers.reduce((n, s) => n + s.conflicts, 0);
      assert.ok(conflicts > 0, 'the writers really raced (some conditional writes lost)');

      const final = await open(ports);
      const total = writers.length * perWriter;
      assert.equal(Object.keys(final.current.steps).length, total, 'every update of every writer is in the state');
      assert.equal(final.current.serial, total, 'one serial per successful write: no write counted twice or lost');

      // The history has every version: serials 1..total, each version one step more than the one before.
      const history = await final.backend.history(1000);
      assert.deepEqual(
        history.map((h) => h.serial),
        Array.from({ length: total }, (_, i) => total - i),
      );
      assert.deepEqual(
        history.map((h) => h.steps),
        Array.from({ length: total }, (_, i) => total - i),
      );
      assert.equal(history.filter((h) => h.current).length, 1);
      assert.equal(history[0]?.current, true);
    });
  });
}

test('a stale writer never overwrites: its change is re-applied on top of the newer version', async () => {
  await withEmulatorPorts(async (ports) => {
    await ports.s3.createBucket(BUCKET);
    const a = await open(ports);
    await a.setStep('bucket', { phase: 'done', name: 'b' });
    const b = await open(ports); // reads serial 1
    await a.setStep('role', { phase: 'done', name: 'r' }); // serial 2: b's ETag is stale now
    await b.patchStep('bucket', { arn: 'arn:aws:s3:::b' });
    assert.equal(b.conflicts, 1);
    const now = await open(ports);
    assert.equal(now.current.serial, 3);
    assert.deepEqual(Object.keys(now.current.steps).sort(), ['bucket', 'role']);
    assert.equal(now.step('bucket')?.arn, 'arn:aws:s3:::b');
  });
});

test('deleting the state keeps its last version in the history', async () => {
  await withEmulatorPorts(async (ports) => {
    await ports.s3.createBucket(BUCKET);
    const store = await open(ports);
    await store.setStep('bucket', { phase: 'done' });
    await store.deleteFile();
    assert.equal(await store.backend.read(), undefined);
    const history = await store.backend.history();
    assert.deepEqual(
      history.map((h) => [h.serial, h.current]),
      [[1, false]],
    );
  });
});

for (const versioned of [false, true]) {
  test(`history --limit N reads the newest N versions, not every one (${versioned ? 'versioned bucket' : 'history prefix'})`, async () => {
    await withEmulatorPorts(async (ports, emu) => {
      await stateBucket(ports, emu.endpoint, versioned);
      const store = await open(ports);
      for (let i = 0; i < 12; i++) await store.setStep(`s${i}`, { phase: 'done' });
      let reads = 0;
      const counting = { ...ports.s3, getObjectText: (...a: Parameters<typeof ports.s3.getObjectText>) => (reads++, ports.s3.getObjectText(...a)) };
      const backend = await S3StateBackend.open(counting, BUCKET, KEY);
      reads = 0;
      const history = await backend.history(3);
      assert.deepEqual(
        history.map((h) => h.serial),
        [12, 11, 10],
      );
      assert.ok(reads <= 6, `${reads} objects read for 3 versions`);
    });
  });
}
