import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isSegflowError } from '../util/errors.js';
import { checkSpecFile, loadSpec } from './load.js';

function specDir(yaml: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'segflow-spec-'));
  writeFileSync(join(dir, 'p.yaml'), yaml);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const minimal = `version: 1
name: demo
data:
  interactions:
    source: events.csv.gz
    columns: { USER_ID: u, ITEM_ID: i, TIMESTAMP: t }
split: { testStart: "2020-01-01T09:00:00+09:00" }
queries: { items: { sample: 20 } }
storage: { bucket: segflow-demo }
recipe: aws-item-affinity
segments: { numResults: { fractionOfUsers: 0.01 } }
budget: { maxUsd: 10 }
`;

test('defaults are filled in and paths resolved against the spec file', async () => {
  const dir = specDir(minimal, { 'events.csv.gz': '' });
  const spec = await loadSpec('p.yaml', { mode: 'run', cwd: dir });
  assert.equal(spec.target.kind, 'local');
  assert.equal(spec.target.region, 'us-east-1');
  assert.deepEqual(spec.data.interactions.source, [join(dir, 'events.csv.gz')]);
  assert.equal(spec.data.interactions.format, 'csv');
  assert.equal(spec.data.interactions.dedupe, true);
  assert.equal(spec.data.interactions.minInteractionsPerUser, 1);
  assert.equal(spec.data.interactions.onBadRows, 'fail');
  assert.equal(spec.split!.testStartEpoch, Date.UTC(2020, 0, 1, 0) / 1000);
  assert.equal(spec.split!.warmUsersOnly, true);
  assert.deepEqual(spec.segmentations[0]?.queries.items, { kind: 'sample', sample: 20, seed: 10 });
  assert.equal(spec.storage.prefix, 'demo/');
  assert.deepEqual(spec.tags, {});
  assert.match(spec.fileHash, /^[0-9a-f]{64}$/);
});

test('a missing data file warns in validate and fails in run mode', async () => {
  const dir = specDir(minimal);
  const checked = await checkSpecFile('p.yaml', { mode: 'validate', cwd: dir });
  assert.ok(checked.spec);
  assert.deepEqual(
    checked.diagnostics.map((d) => `${d.severity} ${d.code} ${d.line}:${d.col}`),
    ['warning SPEC_SOURCE_MISSING 5:13'],
  );
  await assert.rejects(loadSpec('p.yaml', { mode: 'run', cwd: dir }), (e: unknown) => {
    assert.ok(isSegflowError(e));
    assert.equal(e.exitCode, 2);
    assert.equal(e.code, 'SPEC_INVALID');
    assert.match(e.details.join('\n'), /^p\.yaml:5:13: error SPEC_SOURCE_MISSING: data\.interactions\.source does not exist/);
    return true;
  });
});

test('--target aws needs a region in the file; the override wins over target.kind', async () => {
  const dir = specDir(minimal, { 'events.csv.gz': '' });
  const checked = await checkSpecFile('p.yaml', { mode: 'validate', cwd: dir, target: 'aws' });
  assert.equal(checked.spec, undefined);
  assert.match(checked.formatted[0]!, /error SPEC_REGION_REQUIRED: target\.region is required for target kind aws \(--target aws was given\)/);
  const withRegion = specDir(minimal.replace('version: 1\n', 'version: 1\ntarget: { region: eu-west-1 }\n'), { 'events.csv.gz': '' });
  const spec = await loadSpec('p.yaml', { mode: 'run', cwd: withRegion, target: 'aws' });
  assert.equal(spec.target.kind, 'aws');
  assert.equal(spec.target.region, 'eu-west-1');
});

test('attribute affinity: attributes normalized, queries parsed', async () => {
  const yaml = minimal
    .replace('recipe: aws-item-affinity', 'recipe: aws-item-attribute-affinity')
    .replace('queries: { items: { sample: 20 } }', `queries:\n  attributes: ['ITEMS.CATEGORY = "a" AND ITEMS.BRAND = "b"']`)
    .replace('split:', `  items:\n    source: items.jsonl\n    columns: { ITEM_ID: id }\n    attributes: [CATEGORY, { name: BRAND, column: brand }]\nsplit:`);
  const dir = specDir(yaml, { 'events.csv.gz': '', 'items.jsonl': '' });
  const spec = await loadSpec('p.yaml', { mode: 'run', cwd: dir });
  assert.deepEqual(spec.data.items?.attributes, [
    { name: 'CATEGORY', column: 'CATEGORY', type: 'categorical' },
    { name: 'BRAND', column: 'brand', type: 'categorical' },
  ]);
  assert.equal(spec.data.items?.format, 'jsonl');
  assert.deepEqual(spec.segmentations[0]?.queries.attributes?.[0]?.conditions, [
    { attribute: 'CATEGORY', value: 'a' },
    { attribute: 'BRAND', value: 'b' },
  ]);
});

test('split.trainStart: normalized to epoch seconds; zone-less or not before testStart is an error at its line', async () => {
  const withStart = (v: string) =>
    minimal.replace('split: { testStart: "2020-01-01T09:00:00+09:00" }', `split:\n  testStart: "2020-01-01T09:00:00+09:00"\n  trainStart: ${v}`);
  const ok = await loadSpec('p.yaml', { mode: 'run', cwd: specDir(withStart('2019-07-01T00:00:00Z'), { 'events.csv.gz': '' }) });
  assert.equal(ok.split!.trainStart, '2019-07-01T00:00:00Z');
  assert.equal(ok.split!.trainStartEpoch, Date.UTC(2019, 6, 1) / 1000);
  assert.equal((await loadSpec('p.yaml', { mode: 'run', cwd: specDir(minimal, { 'events.csv.gz': '' }) })).split!.trainStart, undefined);
  for (const [value, message] of [
    ['2019-07-01', /split\.trainStart has no time zone/],
    ['2020-01-01T00:00:00Z', /split\.trainStart must be before split\.testStart/],
  ] as const) {
    const checked = await checkSpecFile('p.yaml', { mode: 'validate', cwd: specDir(withStart(value), { 'events.csv.gz': '' }) });
    const d = checked.diagnostics.find((x) => x.code === 'SPEC_TRAIN_START');
    assert.ok(d, value);
    assert.equal(`${d.line}:${d.col}`, '9:15');
    assert.match(d.message, message);
  }
});
