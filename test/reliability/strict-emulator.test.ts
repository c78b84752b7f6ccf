import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { endpointWorkspace, startStandalone, type StandaloneEmulator } from './support.js';
import { runCli, show } from '../support/run-cli.js';

/**
 * segflow against the emulator at its strictest settings: every list answers one item per page, and IAM changes
 * reach Personalize only seconds later (AWS: "usually" seconds). These are the ways AWS can behave on any day.
 */

describe('segflow against a strict emulator (page size 1, IAM propagation 3 s)', () => {
  let emu: StandaloneEmulator;
  before(async () => {
    emu = await startStandalone({ args: ['--page-size', '1', '--iam-propagation-delay', '3'] });
  });
  after(async () => {
    await emu.stop();
  });

  test('apply waits for the new role to propagate and completes', async () => {
    const w = await endpointWorkspace(emu.endpoint, { name: 'strict' });
    const r = await runCli(w.dir, ['apply', w.spec, '--auto-approve']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /waiting for the IAM role and bucket policy to propagate/);
    const d = await runCli(w.dir, ['destroy', w.spec, '--auto-approve']);
    assert.equal(d.code, 0, show(d));
  });

  // Destroy must read every page of ListDatasets (and of ListSolutions, ListSolutionVersions, ListBatchSegmentJobs,
  // ListDatasetImportJobs): a dataset on a second page left undeleted keeps DeleteDatasetGroup answering
  // ResourceInUseException, and the pipeline cannot be torn down.
  test('destroy removes a pipeline with two datasets (interactions and items) when lists page', async () => {
    const w = await endpointWorkspace(emu.endpoint, { name: 'strictattr', attributes: true });
    const categories = ['Candy', 'Tea', 'Coffee|Tea', 'Snacks'];
    await writeFile(join(w.dir, 'items.csv'), ['item,category', ...Array.from({ length: 100 }, (_, i) => `i${i},${categories[i % 4]}`)].join('\n') + '\n');
    const r = await runCli(w.dir, ['apply', w.spec, '--auto-approve']);
    assert.equal(r.code, 0, show(r));
    const d = await runCli(w.dir, ['destroy', w.spec, '--auto-approve']);
    assert.equal(d.code, 0, show(d));
  });

  // In a versioned bucket, deleting the current objects leaves every version and a delete marker per key, and
  // DeleteBucket answers BucketNotEmpty: emptying the bucket must delete the versions and markers too.
  test('destroy empties and deletes a bucket on which versioning was enabled', async () => {
    const w = await endpointWorkspace(emu.endpoint, { name: 'strictver' });
    const r = await runCli(w.dir, ['apply', w.spec, '--auto-approve']);
    assert.equal(r.code, 0, show(r));
    await emu.aws.s3.send(new PutBucketVersioningCommand({ Bucket: 'segflow-strictver', VersioningConfiguration: { Status: 'Enabled' } }));
    const d = await runCli(w.dir, ['destroy', w.spec, '--auto-approve']);
    assert.equal(d.code, 0, show(d));
    await assert.rejects(
      emu.aws.s3.send(new HeadBucketCommand({ Bucket: 'segflow-strictver' })),
      (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 404,
    );
  });

  // With storage.kmsKeyArn, the role's policy must grant what "Giving Amazon Personalize permission to use your AWS
  // KMS key" lists: kms:DescribeKey and kms:ListGrants besides kms:Decrypt and kms:GenerateDataKey. A key policy that
  // leaves the role to its IAM policies (the default key policy plus the documented statement for the service
  // principal) refuses Personalize anything the role's policy lacks.
  test('apply works with a KMS key whose key policy delegates the role to IAM', async () => {
    const kms = new KMSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'AllowPersonalize',
          Effect: 'Allow',
          Principal: { Service: 'personalize.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ListGrants'],
          Resource: '*',
        },
      ],
    };
    const key = (await kms.send(new CreateKeyCommand({ Policy: JSON.stringify(policy) }))).KeyMetadata!.Arn!;
    kms.destroy();
    const w = await endpointWorkspace(emu.endpoint, { name: 'strictkms', kmsKeyArn: key });
    const r = await runCli(w.dir, ['apply', w.spec, '--auto-approve']);
    assert.equal(r.code, 0, show(r));
  });
});
