import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { withEmulator } from '../../test/support/emulator.js';
import { requireTool } from '../../test/support/required-tool.js';

const run = promisify(execFile);

function hasAwsCli(): boolean {
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// The AWS CLI (botocore + s3transfer: multipart uploads, ranged parallel downloads): skipped without `aws`, except in CI.
test('the AWS CLI works against the emulator', async (t) => {
  if (!requireTool(t, hasAwsCli(), 'the aws CLI is not installed (apt-get install -y awscli)')) return;
  const dir = await mkdtemp(join(tmpdir(), 'segflow-awscli-'));
  try {
    await withEmulator(async (emu) => {
      const env = {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_PAGER: '',
        AWS_CONFIG_FILE: join(dir, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      };
      const aws = async (...args: string[]) => (await run('aws', ['--endpoint-url', emu.endpoint, ...args], { env })).stdout;
      assert.match(await aws('sts', 'get-caller-identity', '--output', 'text'), /000000000000/);
      await aws('s3', 'mb', 's3://cli-bucket');
      const data = randomBytes(12 * 1024 * 1024 + 7); // above the CLI's 8 MiB multipart threshold
      await writeFile(join(dir, 'big.bin'), data);
      await aws('s3', 'cp', '--no-progress', join(dir, 'big.bin'), 's3://cli-bucket/dir/big.bin');
      await aws('s3', 'cp', '--no-progress', 's3://cli-bucket/dir/big.bin', join(dir, 'back.bin'));
      assert.ok((await readFile(join(dir, 'back.bin'))).equals(data));
      // s3 to s3 below the multipart threshold: HeadObject, then one server-side CopyObject.
      await writeFile(join(dir, 'segments.csv'), 'query,rank,user\n');
      await aws('s3', 'cp', '--no-progress', join(dir, 'segments.csv'), 's3://cli-bucket/runs/r 1/segments.csv');
      await aws('s3', 'cp', '--no-progress', 's3://cli-bucket/runs/r 1/segments.csv', 's3://cli-bucket/latest/segments.csv');
      assert.equal(await aws('s3', 'cp', '--no-progress', 's3://cli-bucket/latest/segments.csv', '-'), 'query,rank,user\n');
      assert.equal(emu.calls().services.s3?.CopyObject, 1);
      const role = await aws(
        'iam',
        'create-role',
        '--role-name',
        'cli-role',
        '--assume-role-policy-document',
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"personalize.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
        '--query',
        'Role.Arn',
        '--output',
        'text',
      );
      assert.equal(role.trim(), 'arn:aws:iam::000000000000:role/cli-role');
      assert.match(await aws('personalize', 'list-recipes', '--query', 'recipes[].name', '--output', 'text'), /aws-item-affinity/);
      await aws('s3', 'rm', '--recursive', 's3://cli-bucket/');
      await aws('s3', 'rb', 's3://cli-bucket');
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
