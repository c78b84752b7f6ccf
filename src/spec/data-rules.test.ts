import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkSpecFile } from './load.js';

function specDir(yaml: string, files: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'segflow-spec-'));
  writeFileSync(join(dir, 'p.yaml'), yaml);
  for (const name of files) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), '');
  }
  return dir;
}

const pipeline = (
  o: { source?: string; users?: string; columns?: string; filter?: string; testStart?: string; queries?: string; recipe?: string; items?: string } = {},
) => `version: 1
name: demo
data:
  interactions:
    source: ${o.source ?? 'events.csv'}
    columns: ${o.columns ?? '{ USER_ID: u, ITEM_ID: i, TIMESTAMP: t }'}
${o.items ?? ''}${o.users ?? ''}split: { testStart: ${o.testStart ?? '2020-01-01T00:00:00Z'} }
queries: ${o.queries ?? '{ items: { sample: 20 } }'}
storage: { bucket: segflow-demo }
recipe: ${o.recipe ?? 'aws-item-affinity'}
segments:
  numResults: { count: 10 }
${o.filter !== undefined ? `  filter: ${o.filter}\n` : ''}budget: { maxUsd: 10 }
`;

const users = `  users:
    source: users.csv
    columns: { USER_ID: CustomerID }
    attributes: [{ name: COUNTRY, column: Country }, { name: AGE, type: numeric }]
`;

async function check(yaml: string, files: string[] = ['events.csv', 'users.csv']) {
  const dir = specDir(yaml, files);
  const r = await checkSpecFile(join(dir, 'p.yaml'), { mode: 'validate', cwd: dir });
  return { ...r, at: r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.line}:${d.col}+${d.length}`) };
}

test('segments.filter: valid user-segment filters normalize to the expression and its parse', async () => {
  const r = await check(pipeline({ users, filter: `'INCLUDE UserID WHERE Users.COUNTRY IN ("United Kingdom")'` }));
  assert.deepEqual(r.at, []);
  assert.equal(r.spec?.segmentations[0]?.segments.filter?.expression, 'INCLUDE UserID WHERE Users.COUNTRY IN ("United Kingdom")');
  assert.equal(r.spec?.segmentations[0]?.segments.filter?.clauses[0]?.anyOf[0]?.[0]?.field, 'COUNTRY');
  assert.deepEqual(r.spec?.data.users?.attributes, [
    { name: 'COUNTRY', column: 'Country', type: 'categorical' },
    { name: 'AGE', column: 'AGE', type: 'numeric' },
  ]);
  const events = await check(
    pipeline({ columns: '{ USER_ID: u, ITEM_ID: i, TIMESTAMP: t, EVENT_TYPE: e }', filter: `'EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("purchase")'` }),
  );
  assert.deepEqual(events.at, []);
});

test('segments.filter: problems point at the offending token inside the YAML string', async () => {
  // line 17 is "  filter: ..."; the value starts at column 11 (the quote), its text at 12.
  const cases: Array<[string, string, RegExp]> = [
    [`'INCLUDE UserID WHERE Users.COUNTRY IN ("UK"'`, 'error SPEC_FILTER 17:55+1', /expected ',' or '\)' at the end/],
    [`'INCLUDE UserID WHERE Users.COUNTRY INN ("UK")'`, 'error SPEC_FILTER 17:47+3', /expected IN, NOT IN or a comparison at character 36, found 'INN'/],
    [`'INCLUDE ItemID WHERE Users.COUNTRY IN ("UK")'`, 'error SPEC_FILTER_TARGET 17:20+6', /write INCLUDE UserID/],
    [
      `'INCLUDE UserID WHERE Users.COUNTRI IN ("UK")'`,
      'error SPEC_FILTER_FIELD 17:33+13',
      /Users\.COUNTRI is not a declared attribute of data\.users \(declared: COUNTRY, AGE\); did you mean 'COUNTRY'\?/,
    ],
    [`'EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("purchase")'`, 'error SPEC_FILTER_FIELD 17:33+23', /needs data\.interactions\.columns\.EVENT_TYPE/],
    [`'INCLUDE UserID WHERE Users.AGE > $AGE'`, 'error SPEC_FILTER_PLACEHOLDER 17:45+4', /\$AGE would need a value/],
    // Double quotes with escapes: the caret still lands on the token.
    [`"INCLUDE UserID WHERE Users.COUNTRY IN (\\"UK\\") AND Nope.X = 1"`, 'error SPEC_FILTER 17:63+4', /unknown dataset Nope/],
  ];
  for (const [filter, at, message] of cases) {
    const r = await check(pipeline({ users, filter }));
    assert.deepEqual(r.at, [at], filter);
    assert.match(r.formatted[0]!, message, filter);
  }
  const formatted = (await check(pipeline({ users, filter: cases[1]![0] }))).formatted[0]!;
  assert.equal(formatted.split('\n')[2], '    ' + ' '.repeat(46) + '^~~');
});

test('segments.filter: interactions filter on EVENT_TYPE only, and never with aws-item-attribute-affinity', async () => {
  const columns = '{ USER_ID: u, ITEM_ID: i, TIMESTAMP: t, EVENT_TYPE: e, EVENT_VALUE: v }';
  const value = await check(pipeline({ columns, filter: `'INCLUDE UserID WHERE Interactions.EVENT_VALUE > 3'` }));
  assert.deepEqual(value.at, ['error SPEC_FILTER_FIELD 13:33+24']);
  assert.match(value.formatted[0]!, /filters interactions on EVENT_TYPE only/);
  const items = '  items: { source: items.csv, columns: { ITEM_ID: id }, attributes: [CATEGORY] }\n';
  const attribute = await check(
    pipeline({
      columns,
      items,
      recipe: 'aws-item-attribute-affinity',
      queries: `{ attributes: ['ITEMS.CATEGORY = "Tea"'] }`,
      filter: `'EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("purchase")'`,
    }),
    ['events.csv', 'items.csv'],
  );
  assert.deepEqual(attribute.at, ['error SPEC_FILTER_DATASET 14:33+12']);
  assert.match(attribute.formatted[0]!, /cannot filter aws-item-attribute-affinity segments on Interactions data/);
});

test('data.users and attributes: reserved names, duplicates, counts, and top attribute queries', async () => {
  const reserved = await check(pipeline({ users: users.replace('{ name: AGE, type: numeric }', 'user_id') }));
  assert.deepEqual(reserved.at, ['error SPEC_ATTRIBUTE_RESERVED 10:54+7']);
  const many = await check(pipeline({ users: users.replace(/attributes: .*/, `attributes: [${Array.from({ length: 26 }, (_, i) => `A${i}`).join(', ')}]`) }));
  assert.deepEqual(
    many.at.map((a) => a.split(' ').slice(0, 2).join(' ')),
    ['error SPEC_ATTRIBUTES_MAX'],
  );
  const items = `  items:
    source: items.csv
    columns: { ITEM_ID: id }
    attributes: [CATEGORY, { name: PRICE, type: numeric }]
`;
  const top = (attribute: string) =>
    pipeline({ items, recipe: 'aws-item-attribute-affinity', queries: `{ attributes: { top: 10, attribute: ${attribute} } }` });
  const ok = await check(top('category'), ['events.csv', 'items.csv']);
  assert.deepEqual(ok.at, []);
  assert.deepEqual(ok.spec?.segmentations[0]?.queries.topAttributeValues, { top: 10, attribute: 'CATEGORY' });
  assert.deepEqual(
    (await check(top('PRICE'), ['events.csv', 'items.csv'])).at.map((a) => a.split(' ')[1]),
    ['SPEC_ATTRIBUTE_UNKNOWN'],
  );
  assert.deepEqual(
    (await check(top('COLOR'), ['events.csv', 'items.csv'])).at.map((a) => a.split(' ')[1]),
    ['SPEC_ATTRIBUTE_UNKNOWN'],
  );
  // More than 10 values run as several jobs of at most 10; none is an error.
  assert.deepEqual((await check(top('CATEGORY').replace('top: 10', 'top: 25'), ['events.csv', 'items.csv'])).at, []);
  const none = await check(top('CATEGORY').replace('top: 10', 'top: 0'), ['events.csv', 'items.csv']);
  assert.deepEqual(
    none.at.map((a) => a.split(' ')[1]),
    ['SPEC_ATTRIBUTE_TOP'],
  );
});

test('sources: lists, globs, s3:// URLs and Parquet; mixed formats and empty globs are reported where they are', async () => {
  const list = await check(pipeline({ source: '[data/a.parquet, "data/b-*.parquet", "s3://my-lake/events/date=*/part-*.parquet"]' }), [
    'data/a.parquet',
    'data/b-1.parquet',
  ]);
  assert.deepEqual(list.at, []);
  assert.equal(list.spec?.data.interactions.format, 'parquet');
  assert.equal(list.spec?.data.interactions.source.length, 3);
  assert.equal(list.spec?.data.interactions.source[2], 's3://my-lake/events/date=*/part-*.parquet');
  const mixed = await check(pipeline({ source: '[a.csv, b.parquet]' }), ['a.csv', 'b.parquet']);
  assert.deepEqual(mixed.at, ['error SPEC_FORMAT_MIXED 5:13+1']);
  const empty = await check(pipeline({ source: 'data/none-*.csv.gz' }));
  assert.deepEqual(empty.at, ['warning SPEC_SOURCE_MISSING 5:13+18']);
  assert.match(empty.formatted[0]!, /matches no file/);
  const badS3 = await check(pipeline({ source: 's3://My_Bucket/x.csv' }));
  assert.deepEqual(
    badS3.at.map((a) => a.split(' ')[1]),
    ['SPEC_SOURCE'],
  );
});

test('split.testStart as PyYAML writes it back validates (unquoted, space separator, +00:00)', async () => {
  const r = await check(pipeline({ testStart: '2011-11-02 00:00:00+00:00' }));
  assert.deepEqual(r.at, []);
  assert.equal(r.spec?.split?.testStartEpoch, 1320192000);
});
