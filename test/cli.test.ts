import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../src/util/paths.js';
import { fixturesDir, runCli, runInProcess } from './support/run-cli.js';

const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

test('--version prints the package version', async () => {
  const result = await runCli(fixturesDir, ['--version']);
  assert.equal(result.stdout.trim(), version);
  assert.equal(result.code, 0);
});

test('--help lists the commands and exit codes', async () => {
  const result = await runCli(fixturesDir, ['--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /Usage: segflow COMMAND/);
  assert.match(result.stdout, /\n {2}validate {2,}/);
  assert.match(result.stdout, /Exit codes: 0 ok, 1 run failure, 2 invalid input, 3 refused/);
});

test('an unknown command, a missing file and an unknown flag are invalid input (exit 2)', async () => {
  const unknown = await runInProcess(fixturesDir, ['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const missing = await runInProcess(fixturesDir, ['validate', 'nope.yaml']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /error SPEC_FILE: cannot read pipeline file nope\.yaml: no such file/);
  const flag = await runInProcess(fixturesDir, ['validate', '--frob', 'x.yaml']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /error CLI_USAGE: validate: Unknown option '--frob'/);
  const target = await runInProcess(fixturesDir, ['validate', '--target', 'gcp', 'x.yaml']);
  assert.equal(target.code, 2);
  assert.match(target.stderr, /--target must be local or aws, not 'gcp'/);
});

test('a command prints its usage with --help', async () => {
  const result = await runInProcess(fixturesDir, ['validate', '--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /Usage: segflow validate FILE\.\.\./);
});
