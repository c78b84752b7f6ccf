import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeRows, toCsv, withTempDir, writeFixture } from './support/data-fixtures.js';
import { runCli, runInProcess } from './support/run-cli.js';

const pipeline = (source: string) => `version: 1
name: cli-prepare
data:
  interactions:
    source: ${source}
    columns: { USER_ID: user, ITEM_ID: item, TIMESTAMP: ts }
split:
  testStart: 2020-01-01T00:00:00Z
queries:
  items: { sample: 10, seed: 1 }
storage: { bucket: segflow-cli-prepare }
recipe: aws-item-affinity
segments:
  numResults: { count: 5 }
budget: { maxUsd: 10 }
`;

test('segflow prepare writes the work dir, then is up to date; bad rows exit 2 naming the line', async () => {
  await withTempDir(async (dir) => {
    await writeFixture(dir, 'events.csv', toCsv(makeRows()));
    await writeFile(join(dir, 'p.yaml'), pipeline('events.csv'));
    const first = await runCli(dir, ['prepare', 'p.yaml']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /10 queries .*K = 5/);
    const batch = await readFile(join(dir, '.segflow/work/cli-prepare/batch-input.jsonl'), 'utf8');
    assert.equal(batch.trim().split('\n').length, 10);
    const second = await runInProcess(dir, ['prepare', 'p.yaml']);
    assert.equal(second.code, 0);
    assert.match(second.stdout, /^prepare: up to date \(fingerprint [0-9a-f]{12}\)/);

    await writeFixture(dir, 'bad.csv', toCsv(makeRows()) + 'u1,i1,not-a-date\n');
    await writeFile(join(dir, 'bad.yaml'), pipeline('bad.csv'));
    const bad = await runInProcess(dir, ['prepare', 'bad.yaml']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /error DATA_BAD_ROWS: .*1 bad interactions row/);
    assert.match(bad.stderr, new RegExp(`line ${makeRows().length + 2}: TIMESTAMP`));
  });
});

test('segflow sample-data writes reviews and items, and rejects a missing --reviews', async () => {
  await withTempDir(async (dir) => {
    const ok = await runInProcess(dir, ['sample-data', '--out', 'r.jsonl', '--reviews', '500', '--items-out', 'items.csv']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await readFile(join(dir, 'r.jsonl'), 'utf8')).trim().split('\n').length, 500);
    assert.match(await readFile(join(dir, 'items.csv'), 'utf8'), /^asin,title,brand,category\nB\d{9},[^,]+,[^,]+,"Grocery & Gourmet Food\|/);
    const bad = await runInProcess(dir, ['sample-data', '--out', 'x.jsonl']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--reviews N is required/);
  });
});
