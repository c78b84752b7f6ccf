import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { withEmulator } from '../../test/support/emulator.js';
import { requireTool } from '../../test/support/required-tool.js';

function hasBoto3(): boolean {
  try {
    execFileSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// A client in another language, following AWS's protocols through botocore: skipped without boto3, except in CI.
test('boto3 (Python) runs the seed article\'s calls against the emulator', async (t) => {
  if (!requireTool(t, hasBoto3(), 'python3 with boto3 is not installed (apt-get install -y python3-boto3)')) return;
  await withEmulator(async (emu) => {
    const script = join(packageRoot, 'test/support/boto3-smoke.py');
    const { code, out } = await new Promise<{ code: number | null; out: string }>((done) => {
      const child = spawn('python3', [script, emu.endpoint], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (c) => done({ code: c, out }));
    });
    assert.equal(code, 0, out);
    for (const step of ['sts ok', 's3 ok', 'iam ok', 'import ok', 'training ok', 'segments ok', 'deletion rules ok']) assert.match(out, new RegExp(step));
  });
});
