import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outputLine } from '../../test/support/eval-fixtures.js';
import { compareSegments } from './compare-segments.js';
import { csvRecordBatches, splitCsvRecord } from './csv-records.js';
import { writeSegmentsCsv } from './segment-stream.js';

const TEA = 'ITEMS.CATEGORY = "Tea, green"';

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'segflow-delivery-'));
}

test('writeSegmentsCsv: both output shapes, job errors, repeated queries and users, invalid and blank lines, CRLF, RFC 4180 quoting', async () => {
  const dir = await scratch();
  try {
    await mkdir(join(dir, 'segments'));
    // the shape real jobs wrote (input.itemId, output.usersList), with CRLF line ends and a blank line
    await writeFile(
      join(dir, 'segments', 'batch-input.jsonl.out'),
      [
        outputLine({ itemId: 'i1' }, ['a', 'b', 'a', 'c']),
        JSON.stringify({ input: { itemId: 'i2' }, output: null, error: 'Item i2 is not in the dataset' }),
        '',
        '{not json',
        outputLine({ itemId: 'i1' }, ['z']),
        JSON.stringify({ input: { itemId: 'i3' }, error: 'cold item' }),
        outputLine({ itemId: 'i3' }, ['d']),
      ].join('\r\n') + '\r\n',
    );
    // the documented shape (top-level itemAttributes, output.recommendedUsers), no trailing newline
    await writeFile(
      join(dir, 'segments', 'batch-input-2.jsonl.out'),
      JSON.stringify({ itemAttributes: TEA, output: { recommendedUsers: ['x', 'y,z', ' w'] } }),
    );
    const out = join(dir, 'segments.csv');
    const r = await writeSegmentsCsv(dir, ['segments/batch-input.jsonl.out', 'segments/batch-input-2.jsonl.out'], out);
    assert.deepEqual({ queries: r.queries, rows: r.rows }, { queries: 3, rows: 7 });
    assert.deepEqual(
      r.files.map((f) => [f.file, f.lines]),
      [
        ['segments/batch-input.jsonl.out', 6],
        ['segments/batch-input-2.jsonl.out', 1],
      ],
    );
    assert.equal(
      await readFile(out, 'utf8'),
      [
        'query,rank,user',
        'i1,1,a',
        'i1,2,b',
        'i1,3,c',
        'i3,1,d', // the job's error line for i3 is skipped; its later answer is the segment
        '"ITEMS.CATEGORY = ""Tea, green""",1,x',
        '"ITEMS.CATEGORY = ""Tea, green""",2,"y,z"',
        '"ITEMS.CATEGORY = ""Tea, green""",3," w"',
        '',
      ].join('\n'),
    );
    const back: string[][] = [];
    for await (const batch of csvRecordBatches(out)) back.push(...batch);
    assert.deepEqual(back.at(-2), [TEA, '2', 'y,z'], 'the reader reads back what the writer wrote');
    await assert.rejects(writeSegmentsCsv(dir, ['segments/missing.out'], join(dir, 'x.csv')), /RUN_EVAL_INPUT|does not exist/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('csv records: quoted fields with commas, quotes and line breaks', () => {
  assert.deepEqual(splitCsvRecord('a,"b,c","say ""hi""",'), ['a', 'b,c', 'say "hi"', '']);
});

test('compareSegments: per query entered, stayed and left, queries only in one run, exact totals and changes.csv', async () => {
  const dir = await scratch();
  try {
    const csv = (rows: Array<[string, string[]]>) =>
      ['query,rank,user', ...rows.flatMap(([q, users]) => users.map((u, i) => `${q.includes(',') ? `"${q.replace(/"/g, '""')}"` : q},${i + 1},${u}`))].join(
        '\n',
      ) + '\n';
    await writeFile(
      join(dir, 'previous.csv'),
      csv([
        ['i1', ['a', 'b', 'c']],
        ['i2', ['d', 'e']],
        ['i3', ['f']],
        [TEA, ['a', 'g']],
      ]),
    );
    await writeFile(
      join(dir, 'current.csv'),
      csv([
        ['i1', ['b', 'c', 'x']],
        ['i2', ['e', 'd']],
        ['i4', ['g', 'h']],
        [TEA, ['g', 'a']],
      ]),
    );
    const totals = await compareSegments(join(dir, 'previous.csv'), join(dir, 'current.csv'), join(dir, 'changes.csv'));
    assert.deepEqual(totals, { entered: 3, stayed: 6, left: 2, queriesAdded: 1, queriesRemoved: 1 });
    assert.equal(
      await readFile(join(dir, 'changes.csv'), 'utf8'),
      ['query,entered,stayed,left', '"ITEMS.CATEGORY = ""Tea, green""",0,2,0', 'i1,1,2,1', 'i2,0,2,0', 'i3,0,0,1', 'i4,2,0,0', ''].join('\n'),
    );
    // against itself nothing moves; against an empty run every user entered
    await writeFile(join(dir, 'empty.csv'), 'query,rank,user\n');
    assert.deepEqual(await compareSegments(join(dir, 'current.csv'), join(dir, 'current.csv'), join(dir, 'same.csv')), {
      entered: 0,
      stayed: 9,
      left: 0,
      queriesAdded: 0,
      queriesRemoved: 0,
    });
    assert.deepEqual(await compareSegments(join(dir, 'empty.csv'), join(dir, 'current.csv'), join(dir, 'new.csv')), {
      entered: 9,
      stayed: 0,
      left: 0,
      queriesAdded: 4,
      queriesRemoved: 0,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
