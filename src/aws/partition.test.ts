import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iamSigningRegion, partitionOf } from './partition.js';

test('partitions and the region IAM signs for (botocore endpoints data)', () => {
  assert.deepEqual([partitionOf('eu-west-1'), iamSigningRegion('eu-west-1')], ['aws', 'us-east-1']);
  assert.deepEqual([partitionOf('us-east-1'), iamSigningRegion('us-east-1')], ['aws', 'us-east-1']);
  assert.deepEqual([partitionOf('cn-northwest-1'), iamSigningRegion('cn-northwest-1')], ['aws-cn', 'cn-north-1']);
  assert.deepEqual([partitionOf('us-gov-east-1'), iamSigningRegion('us-gov-east-1')], ['aws-us-gov', 'us-gov-west-1']);
  assert.equal(partitionOf('ap-southeast-7'), 'aws');
});
