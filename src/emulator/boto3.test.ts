import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { withEmulator } from '../../test/support/emulator.js';
import { requireTool } from '../../test/support/required-tool.js';
import { runProcess, show } from '../../test/support/run-cli.js';

function hasBoto3(): boolean {
  try {
    execFileSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// A client in another language, following AWS's protocols through botocore: skipped without boto3, except in CI.
test("boto3 (Python) runs the seed article's calls against the emulator", async (t) => {
  if (!requireTool(t, hasBoto3(), 'python3 with boto3 is not installed (apt-get install -y python3-boto3)')) return;
  await withEmulator(async (emu) => {
    const script = join(packageRoot, 'test/support/boto3-smoke.py');
    const r = await runProcess('python3', [script, emu.endpoint], packageRoot);
    assert.equal(r.code, 0, show(r));
    const out = r.stdout + r.stderr;
    for (const step of ['sts ok', 's3 ok', 'iam ok', 'import ok', 'training ok', 'segments ok', 'deletion rules ok']) assert.match(out, new RegExp(step));
  });
});
