import assert from 'node:assert/strict';
import { test } from 'node:test';
import { didYouMean } from './did-you-mean.js';
import { resolveNumResults } from './normalize.js';
import { bucketNameProblem } from './s3-bucket-name.js';
import { detectFormat } from './source-format.js';
import { checkTestStart } from './test-start.js';

test('testStart needs an explicit zone and a real date', () => {
  assert.deepEqual(checkTestStart('2011-11-02T00:00:00Z'), { ok: true, epochSeconds: 1320192000 });
  assert.deepEqual(checkTestStart('2011-11-02T09:00:00+09:00'), { ok: true, epochSeconds: 1320192000 });
  assert.deepEqual(checkTestStart('2018-02-01T00:00:00.5Z'), { ok: true, epochSeconds: 1517443200.5 });
  for (const naive of ['2011-11-02', '2011-11-02T00:00:00', '2011-11-02 10:00']) {
    const r = checkTestStart(naive);
    assert.ok(!r.ok && /has no time zone/.test(r.problem), naive);
  }
  for (const bad of ['2011-13-02T00:00:00Z', '2011-02-29T00:00:00Z', '2011-11-02T24:00:00Z', 'tomorrow']) assert.equal(checkTestStart(bad).ok, false, bad);
  assert.equal(checkTestStart('2012-02-29T00:00:00Z').ok, true);
});

test('testStart accepts the zoned forms RFC 3339 and YAML allow, e.g. as PyYAML writes them back', () => {
  const same = 1320192000;
  for (const v of [
    '2011-11-02 00:00:00+00:00', // PyYAML's yaml.dump of a zoned datetime
    '2011-11-02t00:00:00z',
    '2011-11-02T00:00:00.000000Z',
    '2011-11-02T09:00:00+09:00',
    '2011-11-02T09:00:00+0900',
    '2011-11-02 09:00:00 +09',
    '2011-11-01 19:00:00 -5', // YAML 1.1's one-digit offset
    '2011-11-2T0:00:00Z',
    '2011-11-02T00:00Z',
  ])
    assert.deepEqual(checkTestStart(v), { ok: true, epochSeconds: same }, v);
  assert.deepEqual(checkTestStart('2011-11-02T00:00:00.25+00:00'), { ok: true, epochSeconds: same + 0.25 });
  const naive = checkTestStart('2011-11-2 0:00:00');
  assert.ok(!naive.ok && naive.problem.includes('write 2011-11-02T00:00:00Z'), JSON.stringify(naive));
  assert.equal(checkTestStart('2011-11-02T00:00:00+24:00').ok, false);
});

test('S3 bucket naming rules', () => {
  for (const ok of ['segflow-online-retail', 'abc', 'a.b-c1', 'x'.repeat(63)]) assert.equal(bucketNameProblem(ok), undefined, ok);
  const bad: Array<[string, RegExp]> = [
    ['ab', /3 to 63/],
    ['x'.repeat(64), /3 to 63/],
    ['My_Bucket', /lower-case/],
    ['-abc', /begin and end/],
    ['abc.', /begin and end/],
    ['a..b', /adjacent periods/],
    ['192.168.1.1', /IP address/],
    ['xn--abc', /reserved prefix/],
    ['sthree-abc', /reserved prefix/],
    ['abc-s3alias', /reserved suffix/],
    ['abc--ol-s3', /reserved suffix/],
  ];
  for (const [name, why] of bad) assert.match(bucketNameProblem(name) ?? '', why, name);
});

test('did-you-mean suggests close keys only', () => {
  assert.equal(didYouMean('minInteractionsPerUsr', ['minInteractionsPerUser', 'minInteractionsPerItem']), 'minInteractionsPerUser');
  assert.equal(didYouMean('recipie', ['recipe', 'tags']), 'recipe');
  assert.equal(didYouMean('completely-different', ['recipe', 'tags']), undefined);
});

test('format from extension', () => {
  assert.equal(detectFormat('a/b.csv.gz'), 'csv');
  assert.equal(detectFormat('x.JSON.gz'), 'jsonl');
  assert.equal(detectFormat('x.jsonl'), 'jsonl');
  assert.equal(detectFormat('x.parquet'), 'parquet');
  assert.equal(detectFormat('s3://b/events/date=*/part-*.PARQUET'), 'parquet');
  assert.equal(detectFormat('x.tsv'), 'csv');
  assert.equal(detectFormat('x.parquet.gz'), undefined);
  assert.equal(detectFormat('x.txt'), undefined);
});

test("numResults: a fraction of train users rounds down (the notebook's users // 100), at least 1", () => {
  assert.equal(resolveNumResults({ fractionOfUsers: 0.01 }, 3834), 38);
  assert.equal(resolveNumResults({ fractionOfUsers: 0.01 }, 50), 1);
  assert.equal(resolveNumResults({ fractionOfUsers: 0.07 }, 100), 7); // 0.07 * 100 is 7.000000000000001 in floats
  assert.equal(resolveNumResults({ count: 2263 }, 10), 2263);
});
