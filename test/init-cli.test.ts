import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { withTempDir } from './support/data-fixtures.js';
import { packageRoot } from '../src/util/paths.js';
import { runCli, runInProcess } from './support/run-cli.js';

const retail = join(packageRoot, 'examples', 'data', 'online-retail.csv.gz');

test('segflow init on the online-retail file writes a commented pipeline that validates and applies within its budget', async () => {
  await withTempDir(async (dir) => {
    const r = await runCli(dir, ['init', retail, '--out', 'retail.yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /csv, 541909 rows/);
    assert.match(r.stdout, /CustomerID +BIGINT +-> USER_ID/);
    assert.match(r.stdout, /StockCode +VARCHAR +-> ITEM_ID/);
    assert.match(r.stdout, /InvoiceDate +TIMESTAMP +-> TIMESTAMP/);
    const yaml = await readFile(join(dir, 'retail.yaml'), 'utf8');
    assert.match(yaml, /columns: \{ USER_ID: CustomerID, ITEM_ID: StockCode, TIMESTAMP: InvoiceDate \}/);
    assert.match(yaml, /testStart: 2011-11-02T00:00:00Z/, "the 80% quantile of the retail log is the seed article's own split");
    assert.match(yaml, /minInteractionsPerUser: 4/);
    assert.match(yaml, /^# .*541,909 rows/m);
    const validate = await runInProcess(dir, ['validate', 'retail.yaml']);
    assert.equal(validate.code, 0, validate.stdout);
    // The budget it writes is what the run would cost on AWS, with headroom: the first apply is not refused.
    assert.match(yaml, /On AWS this run would cost at most about \$\d+\.\d\d: a batch segment job is billed per user/);
    assert.match(yaml, /maxUsd: 45 /);
    const applied = await runCli(dir, ['apply', 'retail.yaml', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /holdout \(K = \d+ of \d+ train users, 500 queries/);

    const again = await runInProcess(dir, ['init', retail, '--out', 'retail.yaml']);
    assert.equal(again.code, 3);
    assert.match(again.stderr, /retail\.yaml exists; pass --force/);
    assert.equal(await readFile(join(dir, 'retail.yaml'), 'utf8'), yaml);
    assert.equal((await runInProcess(dir, ['init', retail, '--out', 'retail.yaml', '--force', '--name', 'shop'])).code, 0);
    assert.match(await readFile(join(dir, 'retail.yaml'), 'utf8'), /^name: shop$/m);
  });
});

test('segflow init names the flag to pass when a column cannot be guessed, and takes it', async () => {
  await withTempDir(async (dir) => {
    const rows = ['who,what,when,kind'];
    for (let u = 0; u < 60; u++)
      for (let k = 0; k < 30; k++) rows.push(`p${u},x${(u * 7 + k) % 50},${1577836800 + ((u * 97 + k * 3601) % 31536000)},${k % 3 ? 'view' : 'buy'}`);
    await writeFile(join(dir, 'log.csv'), rows.join('\n') + '\n');
    const r = await runInProcess(dir, ['init', 'log.csv']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot tell which column of log\.csv holds USER_ID \(columns: who, what, when, kind\); pass --user-column NAME/);
    const ok = await runInProcess(dir, ['init', 'log.csv', '--user-column', 'who', '--item-column', 'what', '--event-type-column', 'kind']);
    assert.equal(ok.code, 0, ok.stderr);
    const yaml = await readFile(join(dir, 'pipeline.yaml'), 'utf8');
    assert.match(yaml, /columns: \{ USER_ID: who, ITEM_ID: what, TIMESTAMP: when, EVENT_TYPE: kind \}/);
    assert.match(yaml, /^name: log$/m);
    const bad = await runInProcess(dir, ['init', 'log.csv', '--out', 'x.yaml', '--item-column', 'nope', '--user-column', 'who']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--item-column nope: no such column/);
  });
});
