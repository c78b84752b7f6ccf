import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CreateBucketCommand, HeadObjectCommand, PutBucketPolicyCommand, PutBucketRequestPaymentCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPorts } from '../src/aws/create-ports.js';
import { startEmulator } from '../src/emulator/index.js';
import { objectStoreOf } from '../src/resources/object-store.js';
import { isSegflowError } from '../src/util/errors.js';
import { generateInteractions, removeWorkspaces, workspace } from './e2e-support.js';
import { runCli } from './support/run-cli.js';

after(removeWorkspaces);

/**
 * s3:// sources that are not in the pipeline's region or account (issue 20, defect 8): a bucket in another region is
 * reached by following S3's redirect, a Requester Pays bucket with `requesterPays: true` (without it, the refusal
 * says what to set), and a download is pinned to the ETag the listing saw.
 */
const OTHER = { accountId: '111122223333', accessKeyId: 'LAKEOWNER', secretAccessKey: 'lake-secret' };

const spec = (endpoint: string, requesterPays: boolean) => `version: 1
name: faraway
target: { kind: local, endpoint: ${endpoint} }
data:
  interactions:
    source: s3://lake-eu/events/part-*.csv
    columns: { USER_ID: user, ITEM_ID: item, TIMESTAMP: ts }
    minInteractionsPerUser: 2${requesterPays ? '\n    requesterPays: true' : ''}
split: { testStart: 2021-06-01T00:00:00Z }
queries: { items: { sample: 20, seed: 1 } }
storage: { bucket: segflow-faraway }
recipe: aws-item-affinity
segments: { numResults: { count: 10 } }
budget: { maxUsd: 25 }
`;

test('a source bucket in another region and account, Requester Pays: refused with the hint, read with requesterPays: true', async () => {
  const { dir } = await workspace();
  const dataDir = await mkdtemp(join(tmpdir(), 'segflow-faraway-emu-'));
  const emu = await startEmulator({ dataDir, port: 0, accounts: [OTHER] });
  const owner = new S3Client({ endpoint: emu.endpoint, region: 'eu-west-1', forcePathStyle: true, credentials: OTHER });
  try {
    await owner.send(new CreateBucketCommand({ Bucket: 'lake-eu', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await owner.send(new PutObjectCommand({ Bucket: 'lake-eu', Key: 'events/part-1.csv', Body: generateInteractions() }));
    await owner.send(new PutBucketRequestPaymentCommand({ Bucket: 'lake-eu', RequestPaymentConfiguration: { Payer: 'Requester' } }));
    const reader = {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::000000000000:root' },
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::lake-eu', 'arn:aws:s3:::lake-eu/*'],
    };
    await owner.send(new PutBucketPolicyCommand({ Bucket: 'lake-eu', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [reader] }) }));

    // A plain client in the pipeline's region is sent away (S3's 301 with the bucket's region).
    const plain = new S3Client({
      endpoint: emu.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    await assert.rejects(
      plain.send(new HeadObjectCommand({ Bucket: 'lake-eu', Key: 'events/part-1.csv' })),
      (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 301,
    );
    plain.destroy();

    await writeFile(join(dir, 'p.yaml'), spec(emu.endpoint, false));
    const refused = await runCli(dir, ['prepare', 'p.yaml']);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /DATA_SOURCE_ACCESS: cannot list s3:\/\/lake-eu\/events\/\*: access denied \(bucket lake-eu/);
    assert.match(refused.stderr, /if lake-eu is a Requester Pays bucket, say so on the source: requesterPays: true/);

    await writeFile(join(dir, 'p.yaml'), spec(emu.endpoint, true));
    const read = await runCli(dir, ['prepare', 'p.yaml']);
    assert.equal(read.code, 0, read.stdout + read.stderr);
    assert.match(read.stdout, /downloaded \d+ bytes \(1 objects, 0 cached\)/);
  } finally {
    owner.destroy();
    await emu.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a source object replaced between its listing and its download is refused (DATA_SOURCE_CHANGED), never read half old, half new', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'segflow-etag-emu-'));
  const emu = await startEmulator({ dataDir, port: 0 });
  const ports = createPorts({ target: { kind: 'local', region: 'us-east-1' }, endpoint: emu.endpoint });
  try {
    await ports.s3.createBucket('lake');
    await ports.s3.putObject('lake', 'k.csv', { data: 'a,b\n1,2\n' });
    const store = objectStoreOf(ports.s3, 'test');
    const listed = await store.head('lake', 'k.csv');
    assert.notEqual(listed, 'absent');
    const etag = (listed as { etag: string }).etag;
    await store.download('lake', 'k.csv', join(dataDir, 'first'), { etag });
    await ports.s3.putObject('lake', 'k.csv', { data: 'a,b\n3,4\n' });
    await assert.rejects(
      store.download('lake', 'k.csv', join(dataDir, 'second'), { etag }),
      (e) => isSegflowError(e) && e.code === 'DATA_SOURCE_CHANGED' && e.message.includes(`ETag ${etag}`),
    );
  } finally {
    ports.close();
    await emu.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
