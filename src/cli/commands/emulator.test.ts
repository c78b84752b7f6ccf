import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../run.js';

function io() {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  return { out, err, text: () => ({ stdout, stderr }) };
}

test('segflow emulator: bad flags are invalid input (exit 2)', async () => {
  for (const args of [
    ['--port', 'x'],
    ['--lifecycle', 'slow'],
    ['--faults', 'throttle=7'],
    ['--faults', 'boom=1'],
    ['--nope'],
    ['--page-size', '0'],
    ['--page-size', 'x'],
    ['--iam-propagation-delay', '-1'],
    ['--iam-propagation-delay', 'soon'],
    ['--quotas', 'datasetGroups=6'],
    ['--quotas', 'nope=1'],
    ['--quotas', 'datasetGroups'],
    ['--account', '111111111111:KEY'],
    ['--account', '000000000000:KEY:S'],
    ['--account', '111111111111:test:S'],
    ['--credential-expiry', 'requests=-1'],
    ['--credential-expiry', 'hours=1'],
    ['--credential-expiry', ''],
  ]) {
    const s = io();
    const code = await runCli(['emulator', ...args], {
      cwd: tmpdir(),
      env: {},
      stdin: Readable.from([]),
      stdout: s.out,
      stderr: s.err,
      isTTY: false,
      signal: new AbortController().signal,
    });
    assert.equal(code, 2, `${args.join(' ')}: ${s.text().stderr}`);
  }
});

test('segflow emulator: serves until interrupted, then stops cleanly', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'segflow-emu-cli-'));
  const controller = new AbortController();
  const s = io();
  try {
    const flags = [
      '--page-size',
      '2',
      '--iam-propagation-delay',
      '0.5',
      '--quotas',
      'batchSegmentJobsInFlight=1',
      '--account',
      '111111111111:KEY1:s1',
      '--account',
      '222222222222:KEY2:s2',
      '--credential-expiry',
      'requests=5,ms=60000',
    ];
    const running = runCli(['emulator', '--port', '0', '--data-dir', join(dir, 'data'), '--lifecycle', 'fast', ...flags], {
      cwd: dir,
      env: {},
      stdout: s.out,
      stderr: s.err,
      stdin: Readable.from([]),
      isTTY: false,
      signal: controller.signal,
    });
    for (let i = 0; i < 200 && !/listening on/.test(s.text().stdout); i++) await new Promise((r) => setTimeout(r, 10));
    const endpoint = /listening on (\S+)/.exec(s.text().stdout)?.[1];
    assert.ok(endpoint, s.text().stdout + s.text().stderr);
    const health = (await (await fetch(`${endpoint}/_emulator/health`)).json()) as {
      status: string;
      lifecycle: string;
      pageSize: number;
      iamPropagationDelayMs: number;
      quotas: object;
      accounts: string[];
    };
    assert.deepEqual(
      [health.status, health.lifecycle, health.pageSize, health.iamPropagationDelayMs, health.quotas],
      ['ok', 'fast', 2, 500, { batchSegmentJobsInFlight: 1 }],
    );
    assert.deepEqual(health.accounts, ['000000000000', '111111111111', '222222222222']);
    const expiry = (await (await fetch(`${endpoint}/_emulator/credentials`)).json()) as { expires: boolean; requestsLeft: number };
    assert.deepEqual([expiry.expires, expiry.requestsLeft], [true, 5]);
    controller.abort();
    assert.equal(await running, 0);
    assert.match(s.text().stdout, /stopped/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
