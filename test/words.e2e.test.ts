/**
 * Words that misled a new user (issue 21), through the built CLI: each says what happened, once.
 */
import assert from 'node:assert/strict';
import { appendFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withTempDir } from './support/data-fixtures.js';
import { ratingsLog, ratingsPipeline } from './support/own-data.js';
import { runCli } from './support/run-cli.js';

test("apply: prepare says it was prepared while planning, Personalize's own metrics say they are not the holdout", async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'ratings.csv'), ratingsLog().text);
    await writeFile(join(dir, 'pipeline.yaml'), ratingsPipeline({}));
    const r = await runCli(dir, ['apply', 'pipeline.yaml', '--auto-approve']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[prepare\] done in \d+\.\ds: \d+ training rows, prepared while planning$/m);
    assert.match(r.stdout, /^\[metrics\] done in \d+\.\ds: Personalize's own metrics \(its protocol, not comparable with the holdout\): coverage=/m);
  });
});

test('plan over budget: the advice in plain words, not "Cost advice (dominated)"', async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'ratings.csv'), ratingsLog().text);
    await writeFile(join(dir, 'pipeline.yaml'), ratingsPipeline({}).replace('maxUsd: 25', 'maxUsd: 0.2'));
    const r = await runCli(dir, ['plan', 'pipeline.yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^Over budget: (batch segments are|training is|data ingestion is) \d+% of the cost \(\$\d+\.\d\d\): .*; (cheaper options:|no cheaper option\.)$/m,
    );
    assert.doesNotMatch(r.stdout, /Cost advice/);
  });
});

test('iam-policy on the embedded emulator prints the policy without starting it; prepare names a changed source once', async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'ratings.csv'), ratingsLog().text);
    await writeFile(join(dir, 'pipeline.yaml'), ratingsPipeline({}));
    const policy = await runCli(dir, ['iam-policy', 'pipeline.yaml', '--read-only']);
    assert.equal(policy.code, 0, policy.stderr);
    assert.match(policy.stdout, /"Version": "2012-10-17"/);
    assert.match(policy.stdout, /arn:aws:iam::000000000000:role\/ratings-personalize-us-east-1/);
    assert.doesNotMatch(policy.stderr, /emulator/);
    assert.equal(existsSync(join(dir, '.segflow', 'local')), false, 'no emulator data directory was made');

    assert.equal((await runCli(dir, ['prepare', 'pipeline.yaml'])).code, 0);
    await appendFile(join(dir, 'ratings.csv'), '999,1,3.0,1620000000\n');
    const again = await runCli(dir, ['prepare', 'pipeline.yaml']);
    assert.equal(again.code, 0, again.stderr);
    const said = (again.stdout + again.stderr).match(/ratings\.csv changed \(sha256 \w+ -> \w+\)/g) ?? [];
    assert.equal(said.length, 1, again.stdout + again.stderr);
  });
});
