import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LONGEST_SUFFIX, MAX_S3_LOCATION, longestS3Path } from '../spec/storage-paths.js';
import { testSpec } from '../../test/support/spec.js';
import { jobName, prefixOf, s3Uri } from './naming.js';
import { outputPrefix, SEGMENT_ROLE } from './segments.js';
import { objectKeys } from './upload.js';

test('every S3 path segflow hands Personalize fits the suffix validate allows for (so validate\'s 256-character check holds)', () => {
  // The longest pipeline name, a failed job's hundredth attempt, every dataset.
  const name = `a${'b'.repeat(39)}`;
  const spec = testSpec({ name, storage: { bucket: 'b'.repeat(63), prefix: 'p/' } });
  const base = `s3://${spec.storage.bucket}/${prefixOf(spec)}`;
  const paths = [
    ...Object.values(objectKeys({ ...spec, data: { ...spec.data, items: { ...spec.data.interactions, columns: { ITEM_ID: 'i' }, attributes: [] }, users: { ...spec.data.interactions, columns: { USER_ID: 'u' }, attributes: [] } } })).map((k) => s3Uri(spec.storage.bucket, k)),
    s3Uri(spec.storage.bucket, outputPrefix(spec, jobName(spec, SEGMENT_ROLE, 'f'.repeat(16), 99))),
  ];
  for (const path of paths) {
    assert.ok(path.startsWith(base), path);
    assert.ok(path.length - base.length <= LONGEST_SUFFIX, `${path}: suffix ${path.length - base.length} > ${LONGEST_SUFFIX}`);
    assert.ok(path.length <= longestS3Path(spec.storage.bucket, prefixOf(spec)));
  }
  assert.ok(longestS3Path(spec.storage.bucket, prefixOf(spec)) <= MAX_S3_LOCATION);
});
