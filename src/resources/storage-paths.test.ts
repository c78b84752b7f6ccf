import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LONGEST_SUFFIX, MAX_S3_LOCATION, batchSuffix, longestS3Path } from '../spec/storage-paths.js';
import { chunkFile, segmentationDir } from '../data/artifacts.js';
import { batchObjectKey } from './layout.js';
import { primarySegmentation, testSpec } from '../../test/support/spec.js';
import { jobName, prefixOf, s3Uri } from './naming.js';
import { outputPrefix, SEGMENT_ROLE } from './segments.js';
import { objectKeys } from './upload.js';

test("every S3 path segflow hands Personalize fits the suffix validate allows for (so validate's 256-character check holds)", () => {
  // The longest pipeline name, a failed job's hundredth attempt, every dataset.
  const name = `a${'b'.repeat(39)}`;
  const spec = testSpec({ name, storage: { bucket: 'b'.repeat(63), prefix: 'p/' } });
  const base = `s3://${spec.storage.bucket}/${prefixOf(spec)}`;
  const paths = [
    ...Object.values(
      objectKeys({
        ...spec,
        data: {
          ...spec.data,
          items: { ...spec.data.interactions, columns: { ITEM_ID: 'i' }, attributes: [] },
          users: { ...spec.data.interactions, columns: { USER_ID: 'u' }, attributes: [] },
        },
      }),
    ).map((k) => s3Uri(spec.storage.bucket, k)),
    s3Uri(spec.storage.bucket, outputPrefix(spec, jobName(spec, SEGMENT_ROLE, 'f'.repeat(16), 99))),
  ];
  for (const path of paths) {
    assert.ok(path.startsWith(base), path);
    assert.ok(path.length - base.length <= LONGEST_SUFFIX, `${path}: suffix ${path.length - base.length} > ${LONGEST_SUFFIX}`);
    assert.ok(path.length <= longestS3Path(spec.storage.bucket, prefixOf(spec)));
  }
  assert.ok(longestS3Path(spec.storage.bucket, prefixOf(spec)) <= MAX_S3_LOCATION);
});

test("a segmentation's own batch input paths, at the longest name and a five-digit chunk, fit what validate allows for", () => {
  const seg = `s${'e'.repeat(39)}`;
  const spec = testSpec({ name: 'p', storage: { bucket: 'b'.repeat(63), prefix: 'p/' }, segmentations: [{ ...primarySegmentation(seg), primary: false }] });
  const key = batchObjectKey(spec, `${segmentationDir({ name: seg, primary: false })}${chunkFile(99_999)}`);
  const base = `s3://${spec.storage.bucket}/${prefixOf(spec)}`;
  const path = s3Uri(spec.storage.bucket, key);
  assert.equal(path.length - base.length, batchSuffix(seg));
  assert.ok(path.length <= longestS3Path(spec.storage.bucket, prefixOf(spec), [seg]));
  assert.ok(
    longestS3Path(spec.storage.bucket, prefixOf(spec), [seg]) > longestS3Path(spec.storage.bucket, prefixOf(spec)),
    "longer than a job's output folder",
  );
});
