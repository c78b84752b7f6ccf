import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobFingerprint, needlessReimports, repeatedImports } from './support.js';

/**
 * The census's rules on import histories, on a history of the chaos test's spec variants: imports of two
 * fingerprints, A and B, in one dataset, with A imported again.
 */
const t = (s: number) => new Date(Date.UTC(2026, 11, 6, 23, 32, 0) + s * 1000);
const A = 'chaos-imp-int-59571602';
const B = 'chaos-imp-int-8e8cf5f2';

test('census: a job fingerprint drops the attempt number only, also after a hash of 8 digits', () => {
  assert.equal(jobFingerprint(A), A);
  assert.equal(jobFingerprint(`${A}-2`), A);
  assert.equal(jobFingerprint(`${B}-13`), B);
  assert.equal(jobFingerprint('chaos-seg-0a1b2c3d'), 'chaos-seg-0a1b2c3d');
});

test('census: the same import twice in a row is a duplicate; again after another import is not', () => {
  const history = [
    { name: A, status: 'ACTIVE', createdAt: t(13) },
    { name: B, status: 'ACTIVE', createdAt: t(19) },
    { name: `${A}-2`, status: 'ACTIVE', createdAt: t(25) },
  ];
  assert.deepEqual([...repeatedImports(history)], []);
  // A job taken for stale or failed while it was not, or a create sent twice: the dataset already held those rows.
  assert.deepEqual([...repeatedImports([...history, { name: `${A}-3`, status: 'ACTIVE', createdAt: t(30) }])], [[A, 2]]);
  // A failed attempt imported nothing; nor is an items import in between an interactions import.
  const failedBetween = [
    { name: A, status: 'ACTIVE', createdAt: t(1) },
    { name: `${A}-2`, status: 'CREATE FAILED', createdAt: t(2) },
    { name: 'chaos-imp-itm-12345678', status: 'ACTIVE', createdAt: t(3) },
    { name: `${A}-3`, status: 'ACTIVE', createdAt: t(4) },
  ];
  assert.deepEqual([...repeatedImports(failedBetween)], [[A, 2]]);
});

test('census: an import made again while the training of its rows existed is needless', () => {
  const jobs = [
    { name: A, status: 'ACTIVE', createdAt: t(13) },
    { name: B, status: 'ACTIVE', createdAt: t(19) },
    { name: `${A}-2`, status: 'ACTIVE', createdAt: t(25) }, // A's training did not exist yet: needed
    { name: `${B}-2`, status: 'ACTIVE', createdAt: t(31) }, // B's training existed since t(21)
    { name: `${A}-3`, status: 'ACTIVE', createdAt: t(49) }, // A's training existed since t(27)
  ];
  const versions = [
    { tag: 'train-b', at: t(21).getTime() },
    { tag: 'train-a', at: t(27).getTime() },
  ];
  const tagOf = (fp: string) => ({ [A]: 'train-a', [B]: 'train-b' })[fp];
  assert.deepEqual(
    needlessReimports(jobs, versions, tagOf).map((l) => l.split(' ')[0]),
    [`${B}-2`, `${A}-3`],
  );
  assert.deepEqual(needlessReimports(jobs.slice(0, 3), versions, tagOf), []);
});
