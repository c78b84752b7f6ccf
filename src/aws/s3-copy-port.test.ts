import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { isAwsError } from './errors.js';
import { copySourceHeader } from './s3-object-port.js';
import { LOCAL_CREDENTIALS } from './sdk-clients.js';
import { TEST_REGION, withEmulatorPorts } from '../../test/support/emulator-ports.js';

const B = 'segflow-copy-bucket';

test('copySourceHeader: bucket/key URL-encoded per key segment, ?versionId= for a version', () => {
  assert.equal(copySourceHeader({ bucket: B, key: 'segments/products/runs/r 1/segments.csv' }), `${B}/segments/products/runs/r%201/segments.csv`);
  assert.equal(copySourceHeader({ bucket: B, key: 'a?b#c%/ü', versionId: 'v+1' }), `${B}/a%3Fb%23c%25/%C3%BC?versionId=v%2B1`);
});

test('s3 port on the emulator: copyObject copies on the server side, versions, conditions, refusals as AwsErrors', async () => {
  await withEmulatorPorts(async ({ s3, calls }, emu) => {
    await s3.createBucket(B);
    const sdk = new S3Client({ endpoint: emu.endpoint, region: TEST_REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true });
    try {
      await sdk.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
    } finally {
      sdk.destroy();
    }
    const run1 = 'segments/products/runs/r1/segments.csv';
    const put = await s3.putObject(B, run1, { data: 'query,rank,user\ni1,1,u1\n' }, { metadata: { run: 'r1' } });
    const uploaded = calls.bytesUploaded;
    const creates = calls.creates();

    const latest = await s3.copyObject(B, 'segments/products/latest/segments.csv', { bucket: B, key: run1 }, { ifMatch: put.etag });
    assert.equal(latest.etag, put.etag);
    assert.ok(latest.versionId, 'a versioned bucket gives the copy its own version');
    assert.equal(calls.bytesUploaded, uploaded, 'no bytes go through segflow');
    assert.equal(calls.get('s3:CopyObject'), 1);
    assert.equal(calls.creates(), creates + 1, 'a copy counts as a write');
    const head = await s3.headObject(B, 'segments/products/latest/segments.csv');
    assert.deepEqual([head?.metadata, head?.versionId], [{ run: 'r1' }, latest.versionId]);

    // An older version by id, with the metadata replaced.
    const first = (await s3.listObjectVersions(B, run1))[0]!.versionId;
    await s3.putObject(B, run1, { data: 'query,rank,user\ni2,1,u2\n' });
    await s3.copyObject(B, 'old.csv', { bucket: B, key: run1, versionId: first }, { metadata: { restored: 'yes' } });
    assert.equal((await s3.getObjectText(B, 'old.csv'))?.text, 'query,rank,user\ni1,1,u1\n');
    assert.deepEqual((await s3.headObject(B, 'old.csv'))?.metadata, { restored: 'yes' });

    await assert.rejects(
      s3.copyObject(B, 'x', { bucket: B, key: run1 }, { ifMatch: put.etag }),
      (e) => isAwsError(e, 'precondition-failed') && e.status === 412 && e.operation === 'CopyObject',
    );
    await assert.rejects(s3.copyObject(B, 'x', { bucket: B, key: 'absent' }), (e) => isAwsError(e, 'not-found') && e.code === 'NoSuchKey');
    await assert.rejects(s3.copyObject(B, 'x', { bucket: 'segflow-absent-bucket', key: run1 }), (e) => isAwsError(e, 'not-found') && e.code === 'NoSuchBucket');
    const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/frozen/*` }] };
    await s3.putBucketPolicy(B, JSON.stringify(deny));
    await assert.rejects(
      s3.copyObject(B, 'frozen/x', { bucket: B, key: run1 }),
      (e) => isAwsError(e, 'access-denied') && e.code === 'AccessDenied' && /s3:PutObject/.test(e.awsMessage),
    );
  });
});
