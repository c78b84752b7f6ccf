import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { removeWorkspaces, workspace } from './e2e-support.js';
import { runCli } from './support/run-cli.js';

after(removeWorkspaces);

/**
 * Real data as it sits in a lake, through the built CLI against the emulator: a Parquet source split over several
 * files, attribute queries generated from the training data, and a testStart written the way PyYAML writes a
 * zoned datetime back.
 */
test('parquet parts + generated attribute queries + a PyYAML-style testStart: validate, apply, converge', async () => {
  const w = await workspace();
  // The generated purchase log, as three Parquet files (what an export to a data lake looks like).
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  for (let part = 0; part < 3; part++) {
    await db.run(
      `COPY (SELECT * FROM read_csv('${join(w.dir, 'data.csv')}', header = true, all_varchar = true) WHERE hash(user) % 3 = ${part})
       TO '${join(w.dir, `events-${part}.parquet`)}' (FORMAT parquet)`,
    );
  }
  db.closeSync();
  await writeFile(
    w.spec,
    [
      'version: 1',
      'name: lake',
      'target: { kind: local }',
      'data:',
      '  interactions:',
      '    source: events-*.parquet',
      '    columns: { USER_ID: user, ITEM_ID: item, TIMESTAMP: ts }',
      '    minInteractionsPerUser: 2',
      '  items:',
      '    source: items.csv',
      '    columns: { ITEM_ID: item }',
      '    attributes: [ { name: CATEGORY, column: category } ]',
      'split:',
      '  testStart: 2021-06-01 00:00:00+00:00',
      'queries:',
      '  attributes: { top: 2, attribute: CATEGORY }',
      'storage: { bucket: segflow-lake }',
      'recipe: aws-item-attribute-affinity',
      'segments: { numResults: { count: 10 } }',
      'budget: { maxUsd: 25 }',
      '',
    ].join('\n'),
  );
  const validated = await runCli(w.dir, ['validate', 'pipeline.yaml']);
  assert.equal(validated.code, 0, validated.stdout + validated.stderr);

  const applied = await runCli(w.dir, ['apply', 'pipeline.yaml', '--auto-approve', '--json']);
  assert.equal(applied.code, 0, applied.stderr);
  const work = join(w.dir, '.segflow', 'work', 'lake');
  const stats = JSON.parse(await readFile(join(work, 'stats.json'), 'utf8')) as { rowsRead: number; generatedQueries?: string[] };
  // Every row of the three parts was read (the CSV has one header line).
  const csvRows = (await readFile(join(w.dir, 'data.csv'), 'utf8')).trim().split('\n').length - 1;
  assert.equal(stats.rowsRead, csvRows);
  // The two most interacted categories of the training period, in the batch input the segment job read.
  const batch = (await readFile(join(work, 'batch-input.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { itemAttributes: string });
  assert.equal(batch.length, 2);
  for (const q of batch) assert.match(q.itemAttributes, /^ITEMS\.CATEGORY = "(Candy|Tea|Coffee|Snacks)"$/);
  assert.deepEqual(
    stats.generatedQueries,
    batch.map((q) => q.itemAttributes),
  );
  const segments = (await readFile(join(work, 'segments', 'batch-input.jsonl.out'), 'utf8')).trim().split('\n');
  assert.equal(segments.length, 2);

  const again = await runCli(w.dir, ['plan', 'pipeline.yaml', '--detailed-exitcode']);
  assert.equal(again.code, 0, again.stdout);
});
