/**
 * The first hour on your own data (issue 21), through the built CLI: each trap a new user met on a public ratings
 * file is caught where it happens, with the line to change. docs/data.md "Your own data" walks the same path.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { withTempDir } from './support/data-fixtures.js';
import { ratingsLog, ratingsPipeline } from './support/own-data.js';
import { runCli, show } from './support/run-cli.js';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createSdkClients } from '../src/aws/sdk-clients.js';
import { startEmulator } from '../src/emulator/index.js';

const iso = (epoch: number) => new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');

test('a misspelled column is located at its line and column with a did-you-mean over the real header, in validate and in plan', async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'ratings.csv'), ratingsLog().text);
    await writeFile(join(dir, 'pipeline.yaml'), ratingsPipeline({ columns: '{ USER_ID: userID, ITEM_ID: movieId, TIMESTAMP: timestamp }' }));
    const v = await runCli(dir, ['validate', 'pipeline.yaml']);
    assert.equal(v.code, 2, v.stdout);
    assert.match(
      v.stdout,
      /^pipeline\.yaml:7:25: error SPEC_COLUMN_UNKNOWN: data\.interactions\.columns\.USER_ID: no column 'userID' in the header of ratings\.csv; did you mean 'userId'\? \(columns: userId, movieId, rating, timestamp\)$/m,
    );
    assert.match(v.stdout, /^ {8}columns: \{ USER_ID: userID,.*\n {28}\^~~~~~$/m, 'the caret is under the value');
    const p = await runCli(dir, ['plan', 'pipeline.yaml']);
    assert.equal(p.code, 2);
    assert.match(p.stderr, /pipeline\.yaml:7:25: error SPEC_COLUMN_UNKNOWN: .*did you mean 'userId'\?/);
    assert.doesNotMatch(p.stderr, /DATA_MISSING_COLUMN/);
  });
});

test('validate --data reads the header of an s3:// source through the target (here a running emulator) and locates the column the same way', async () => {
  await withTempDir(async (dir) => {
    const emu = await startEmulator({ dataDir: join(dir, 'emulator'), port: 0 });
    const aws = createSdkClients({ target: { kind: 'local', region: 'us-east-1' }, endpoint: emu.endpoint });
    try {
      await aws.s3.send(new CreateBucketCommand({ Bucket: 'segflow-lake' }));
      await aws.s3.send(new PutObjectCommand({ Bucket: 'segflow-lake', Key: 'ratings/part-1.csv', Body: ratingsLog().text }));
      const yaml = ratingsPipeline({
        source: 's3://segflow-lake/ratings/part-*.csv',
        columns: '{ USER_ID: userId, ITEM_ID: movieID, TIMESTAMP: timestamp }',
      }).replace('target: { kind: local }', `target: { kind: local, endpoint: "${emu.endpoint}" }`);
      await writeFile(join(dir, 'pipeline.yaml'), yaml);
      // Without --data validate contacts nothing: the S3 source is checked when prepare reads it.
      const plain = await runCli(dir, ['validate', 'pipeline.yaml']);
      assert.equal(plain.code, 0, plain.stdout);
      const data = await runCli(dir, ['validate', '--data', 'pipeline.yaml']);
      assert.equal(data.code, 2, data.stdout + data.stderr);
      assert.match(
        data.stdout,
        /^pipeline\.yaml:7:42: error SPEC_COLUMN_UNKNOWN: data\.interactions\.columns\.ITEM_ID: no column 'movieID' in the header of s3:\/\/segflow-lake\/ratings\/part-\*\.csv; did you mean 'movieId'\?/m,
      );
    } finally {
      aws.destroy();
      await emu.close();
    }
  });
});

test('dates in another format: the error says the timestampFormat line to add, and with it the data prepares', async () => {
  await withTempDir(async (dir) => {
    for (const [dates, format] of [
      ['us', '%m/%d/%Y %H:%M'],
      ['german', '%d.%m.%Y %H:%M'],
    ] as const) {
      await writeFile(join(dir, 'ratings.csv'), ratingsLog({ dates }).text);
      await writeFile(join(dir, 'pipeline.yaml'), ratingsPipeline({}));
      const bad = await runCli(dir, ['prepare', 'pipeline.yaml']);
      assert.equal(bad.code, 2, bad.stdout);
      assert.match(bad.stderr, /error DATA_BAD_ROWS: .*ratings\.csv: \d+ bad interactions rows/);
      assert.ok(bad.stderr.includes(`add to data.interactions:  timestampFormat: "${format}"`), bad.stderr);
      assert.doesNotMatch(bad.stderr, /onBadRows: skip/, 'skipping every row is not the advice');
      await writeFile(join(dir, 'pipeline.yaml'), ratingsPipeline({ interactions: [`timestampFormat: "${format}"`] }));
      const ok = await runCli(dir, ['prepare', 'pipeline.yaml']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /prepare: \d+ rows read -> \d+ interactions/);
    }
  });
});

test('a file without a header row: init detects it and the delimiter, and the pipeline it writes applies with header: false', async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'u.data'), ratingsLog({ header: false, delimiter: '\t' }).text);
    const init = await runCli(dir, ['init', 'u.data']);
    assert.equal(init.code, 0, init.stderr);
    const yaml = await readFile(join(dir, 'pipeline.yaml'), 'utf8');
    assert.match(yaml, /^ {4}header: false /m);
    assert.match(yaml, /^ {4}delimiter: "\\t"$/m);
    assert.match(yaml, /^ {4}columns: \{ USER_ID: 1, ITEM_ID: 2, TIMESTAMP: 4 \}$/m);
    const applied = await runCli(dir, ['apply', 'pipeline.yaml', '--auto-approve']);
    assert.equal(applied.code, 0, show(applied));
    assert.match(applied.stdout, /Apply complete/);
    assert.match(applied.stdout, /holdout \(K = \d+ of 300 train users/);
    // A name where a position belongs is located, not read as a column called 'userId'.
    await writeFile(join(dir, 'pipeline.yaml'), yaml.replace('USER_ID: 1,', 'USER_ID: userId,'));
    const v = await runCli(dir, ['validate', 'pipeline.yaml']);
    assert.equal(v.code, 2);
    assert.match(v.stdout, /error SPEC_COLUMN: data\.interactions\.columns\.USER_ID: with header: false, columns are 1-based positions/);
  });
});

test("a thin holdout: apply's summary and report.md carry prepare's warning, and the figures are marked as not judgeable", async () => {
  await withTempDir(async (dir) => {
    const log = ratingsLog();
    await writeFile(join(dir, 'ratings.csv'), log.text);
    // The last 4 interactions are the whole test period: at most 4 warm test users for K = 10.
    const testStart = iso(log.times[log.times.length - 4]!);
    await writeFile(join(dir, 'pipeline.yaml'), ratingsPipeline({ testStart, count: 10 }));
    const plan = await runCli(dir, ['plan', 'pipeline.yaml']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^Data:\n(?: {2}note: .*\n)* {2}note: only \d warm test users, fewer than K = 10: recall@K cannot be judged$/m);
    const applied = await runCli(dir, ['apply', 'pipeline.yaml', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stderr);
    const summary = applied.stdout.slice(applied.stdout.indexOf('holdout ('));
    assert.match(summary, /warning: These figures cannot be judged \(only \d warm test users, fewer than K = 10/);
    assert.match(summary, /random +hits@K .* lift .*\(cannot be judged\)/);
    assert.match(summary, /warning: prepare: only \d warm test users, fewer than K = 10/);
    const reportDir = /report: (\S+)/.exec(summary)![1]!;
    const md = await readFile(join(dir, reportDir, 'report.md'), 'utf8');
    assert.match(md, /\*\*These figures cannot be judged/);
    assert.match(md, /## Warnings\n\n(?:- .*\n)*- prepare: only \d warm test users, fewer than K = 10/);
    const report = await runCli(dir, ['report', 'pipeline.yaml']);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stderr, /warning: prepare: only \d warm test users/);
  });
});

test('cold sampled queries: plan counts them and prices them; queries.items.excludeCold samples only items seen in training', async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'ratings.csv'), ratingsLog({ lateItems: true }).text);
    await writeFile(join(dir, 'pipeline.yaml'), ratingsPipeline({ queries: '{ items: { sample: 30, seed: 1 } }' }));
    const plan = await runCli(dir, ['plan', 'pipeline.yaml']);
    assert.equal(plan.code, 0, plan.stderr);
    const cold =
      /note: (\d+) of the 30 sampled queries are cold \(items never seen in training\): they cost \$(\d+\.\d\d) on AWS \((\d+) users x \1 queries\)/.exec(
        plan.stdout,
      );
    assert.ok(cold, plan.stdout);
    assert.ok(Number(cold[1]) > 0);
    assert.match(plan.stdout, /queries\.items\.excludeCold: true samples only items the model has seen/);

    await writeFile(join(dir, 'pipeline.yaml'), ratingsPipeline({ queries: '{ items: { sample: 30, seed: 1, excludeCold: true } }' }));
    const warm = await runCli(dir, ['plan', 'pipeline.yaml']);
    assert.equal(warm.code, 0, warm.stderr);
    assert.doesNotMatch(warm.stdout, /sampled queries are cold/);
    const prepared = await runCli(dir, ['prepare', 'pipeline.yaml', '--json']);
    const stats = (JSON.parse(prepared.stdout) as { stats: { queries: number; coldQueries: number } }).stats;
    assert.deepEqual([stats.queries, stats.coldQueries], [30, 0]);
  });
});

test('a filter value that never occurs in the prepared data is warned about at plan time, with a did-you-mean', async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'ratings.csv'), ratingsLog().text);
    await writeFile(
      join(dir, 'pipeline.yaml'),
      ratingsPipeline({
        columns: '{ USER_ID: userId, ITEM_ID: movieId, TIMESTAMP: timestamp, EVENT_TYPE: rating }',
        filter: 'EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("1")',
      }),
    );
    const plan = await runCli(dir, ['plan', 'pipeline.yaml']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(
      plan.stdout,
      /note: segments\.filter: "1" never occurs in Interactions\.EVENT_TYPE of the prepared data, so EXCLUDE UserID excludes no one by it; did you mean "1\.0"\? \(values: 1\.0, 2\.0, 3\.0, 4\.0, 5\.0\)/,
    );
    await writeFile(join(dir, 'pipeline.yaml'), (await readFile(join(dir, 'pipeline.yaml'), 'utf8')).replace('IN ("1")', 'IN ("1.0")'));
    const fixed = await runCli(dir, ['plan', 'pipeline.yaml']);
    assert.doesNotMatch(fixed.stdout, /never occurs/);
  });
});

test('after destroy, plan shows plain creates and runs: no "drifted"', async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'ratings.csv'), ratingsLog().text);
    await writeFile(join(dir, 'pipeline.yaml'), ratingsPipeline({}));
    assert.equal((await runCli(dir, ['apply', 'pipeline.yaml', '--auto-approve'])).code, 0);
    assert.equal((await runCli(dir, ['destroy', 'pipeline.yaml', '--auto-approve'])).code, 0);
    const plan = await runCli(dir, ['plan', 'pipeline.yaml']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.doesNotMatch(plan.stdout, /drifted/);
    assert.match(plan.stdout, /> import-interactions +run +ratings-imp-int-\w+\n +after dataset-interactions/);
    assert.match(plan.stdout, /note: ratings-imp-int-\w+ is an earlier run's job \(the interactions dataset it imported into no longer exists\)/);
  });
});
