import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from './support/run-cli.js';

/**
 * What AWS would refuse only after the import and the training were paid for (issue 20, defect 6) is refused by
 * `segflow validate` through the built CLI, with the line and column of the offending text: an S3 path Personalize
 * cannot take (over 256 characters), and filter expressions Personalize documents as invalid.
 */
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function spec(o: { prefix?: string; filter?: string; bucket?: string }): string {
  return [
    'version: 1',
    'name: late',
    'data:',
    '  interactions:',
    '    source: data.csv',
    '    columns: { USER_ID: user, ITEM_ID: item, TIMESTAMP: ts, EVENT_TYPE: event }',
    '  users:',
    '    source: users.csv',
    '    columns: { USER_ID: user }',
    '    attributes: [COUNTRY, A, B, C, D]',
    'split: { testStart: 2021-06-01T00:00:00Z }',
    'queries: { items: { sample: 10 } }',
    `storage: { bucket: ${o.bucket ?? 'segflow-late'}${o.prefix !== undefined ? `, prefix: ${o.prefix}` : ''} }`,
    'recipe: aws-item-affinity',
    'segments:',
    '  numResults: { count: 10 }',
    ...(o.filter ? [`  filter: '${o.filter}'`] : []),
    'budget: { maxUsd: 5 }',
    '',
  ].join('\n');
}

async function validate(o: Parameters<typeof spec>[0]): Promise<{ code: number | null; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'segflow-late-'));
  dirs.push(dir);
  await writeFile(join(dir, 'data.csv'), 'user,item,ts,event\nu1,i1,1600000000,purchase\n');
  await writeFile(join(dir, 'users.csv'), 'user,COUNTRY,A,B,C,D\nu1,UK,a,1,2,d\n');
  await writeFile(join(dir, 'pipeline.yaml'), spec(o));
  const r = await runCli(dir, ['validate', 'pipeline.yaml']);
  return { code: r.code, out: r.stdout + r.stderr };
}

test('a storage prefix that makes S3 paths longer than Personalize takes (256) is refused at validate, at the prefix', async () => {
  // s3://segflow-late/ (18) + the prefix + output/<63-character job name>/ (71): 167 prefix characters fit 256.
  const r = await validate({ prefix: `${'p'.repeat(167)}/` });
  assert.equal(r.code, 2, r.out);
  // `storage: { bucket: segflow-late, prefix: ` puts the prefix at column 42 of line 13.
  assert.match(
    r.out,
    /pipeline\.yaml:13:42: error SPEC_S3_PATH_TOO_LONG: s3:\/\/segflow-late\/p{37}\.\.\. makes S3 paths of up to 257 characters \(with output\/<job name>\/\), and Personalize takes at most 256 \(S3Location\): shorten storage\.prefix or storage\.bucket by 1 characters/,
  );
  const ok = await validate({ prefix: `${'p'.repeat(166)}/` });
  assert.equal(ok.code, 0, ok.out);
});

const FILTERS: Array<[string, string, string, RegExp]> = [
  [
    'AND across two datasets',
    'INCLUDE UserID WHERE Users.COUNTRY IN ("UK") AND Interactions.EVENT_TYPE IN ("purchase")',
    'SPEC_FILTER_DATASETS',
    /Interactions\.EVENT_TYPE is chained with AND\/OR to a condition on Users/,
  ],
  [
    'OR across two datasets',
    'EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("return") OR Users.COUNTRY IN ("UK")',
    'SPEC_FILTER_DATASETS',
    /Users\.COUNTRY is chained with AND\/OR to a condition on Interactions/,
  ],
  [
    'six distinct fields',
    'INCLUDE UserID WHERE Users.COUNTRY IN ("UK") AND Users.A IN ("a") | EXCLUDE UserID WHERE Users.B > 1 AND Users.C < 2 | INCLUDE UserID WHERE Users.D IN ("d") | EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("x")',
    'SPEC_FILTER_FIELDS',
    /reads 6 distinct dataset fields .*Personalize allows at most 5 per filter/,
  ],
  ['NOT IN with a placeholder', 'EXCLUDE UserID WHERE Users.COUNTRY NOT IN ($C)', 'SPEC_FILTER_PLACEHOLDER', /\$C would need a value/],
  ['INCLUDE ItemID', 'INCLUDE ItemID WHERE Users.COUNTRY IN ("UK")', 'SPEC_FILTER_TARGET', /user segment filters select users: write INCLUDE UserID/],
];

for (const [what, filter, code, message] of FILTERS) {
  test(`validate refuses a filter Personalize refuses: ${what}`, async () => {
    const r = await validate({ filter });
    assert.equal(r.code, 2, r.out);
    const line = new RegExp(`pipeline\\.yaml:17:(\\d+): error ${code}: segments\\.filter: `).exec(r.out);
    assert.ok(line, r.out);
    assert.match(r.out, message);
    // The column points into the expression (after `  filter: '` on line 17).
    assert.ok(Number(line[1]) > 12, r.out);
  });
}

test('a valid filter on two datasets, written as two expressions joined by |, passes', async () => {
  const r = await validate({ filter: 'INCLUDE UserID WHERE Users.COUNTRY IN ("UK") | EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("return")' });
  assert.equal(r.code, 0, r.out);
});
