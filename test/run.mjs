#!/usr/bin/env node
// npm test (every test) and npm run test:unit (--unit: the unit tests beside the code, dist/src/**/*.test.js): node's
// test runner over the built tests, several files at a time. Most of the suite waits (emulator lifecycles, IAM
// propagation, child CLIs), so running more files than cores keeps both busy; node's default (cores - 1) runs one
// file at a time on 2 cores. The slowest files start first so that none of them sets the wall time alone at the end.
// SEGFLOW_TEST_CONCURRENCY=N overrides the number of files at a time; extra arguments go to node --test.
// Every file's scratch (workspaces, emulator data, generated data, the CLIs' own temporary files) goes under one
// directory per run (TMPDIR), removed after a passing run: what a test leaves behind (a child killed on purpose, a
// crash mid-test) no longer piles up in the system's temporary directory run after run. A failing run keeps it for
// a look, and says where; SEGFLOW_KEEP_TEST_TMP=1 keeps it always.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const args = process.argv.slice(2);
const unit = args.includes('--unit');
const passThrough = args.filter((a) => a !== '--unit');

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    return e.name.endsWith('.test.js') ? [relative(root, path).split('\\').join('/')] : [];
  });
}

/** The longest files of a full run on 2 cores (seconds each took alone, one file at a time), slowest first. */
const SLOWEST = [
  'dist/test/engine.e2e.test.js', // 109
  'dist/test/scenarios/production.test.js', // 66
  'dist/test/cost.e2e.test.js', // 52
  'dist/test/scenarios/lifecycle.test.js', // 35
  'dist/test/reliability/strict-emulator.test.js', // 36
  'dist/test/scenarios/spec-changes.test.js', // 34
  'dist/test/team/shared-state.e2e.test.js', // 33
  'dist/test/scenarios/limits.test.js', // 31
  'dist/test/filter.e2e.test.js', // 29
  'dist/test/reliability/chaos.test.js', // 29
  'dist/test/own-data.e2e.test.js', // 25
  'dist/test/scenarios/buckets.test.js', // 24
  'dist/test/scenarios/access.test.js', // 24
  'dist/test/reliability/data-fuzz.test.js', // 24
  'dist/src/emulator/quotas.test.js', // 22
  'dist/test/scenarios/ownership.test.js', // 19
  'dist/test/reliability/least-privilege.test.js', // 18
  'dist/test/reliability/concurrency.test.js', // 16
  'dist/test/init-cli.test.js', // 15
  'dist/test/scenarios/regions.test.js', // 14
  'dist/test/team/ci-script.test.js', // 14
  'dist/test/install.e2e.test.js', // 13
  'dist/src/emulator/personalize-access.test.js', // 12
];

const found = (unit ? ['dist/src'] : ['dist/src', 'dist/test']).flatMap((d) => testFiles(join(root, d))).sort();
const files = [...SLOWEST.filter((f) => found.includes(f)), ...found.filter((f) => !SLOWEST.includes(f))];
const concurrency = Number(process.env['SEGFLOW_TEST_CONCURRENCY']) || Math.max(2, availableParallelism() * 2);

const scratch = mkdtempSync(join(tmpdir(), 'segflow-test-run-'));

const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...passThrough, ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', TMPDIR: scratch },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  const failed = code !== 0 && signal === null;
  if (failed || process.env['SEGFLOW_KEEP_TEST_TMP']) process.stderr.write(`test scratch kept in ${scratch}\n`);
  else rmSync(scratch, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
