import { ApiError } from '../api-error.js';
import type { PzOperations } from './handler.js';
import { readOps } from './read-ops.js';
import { alreadyExists, IN_FLIGHT, mustFind, newRecord, ofKind, pzArn, requireStatus, resources, setTags } from './resources.js';
import { runSegmentJob, segmentJobAccess } from './segmenting.js';
import { checkJobAccess } from './job-access.js';
import { checkInFlight } from './quotas.js';
import { ARN, KMS_ARN, NAME, readTags, ROLE_ARN, S3_LOCATION, type Input } from './validate.js';

/** numResults when the request has none (the console's default; the API default is not documented). */
export const DEFAULT_NUM_RESULTS = 25;
export const MAX_NUM_RESULTS = 5_000_000;

function readLocation(input: Input, outer: string, inner: string): Record<string, unknown> {
  const o = input.obj(outer, true)!.obj(inner, true)!;
  const path = o.requiredStr('path', S3_LOCATION);
  const kmsKeyArn = o.str('kmsKeyArn', KMS_ARN);
  return { [inner]: kmsKeyArn ? { path, kmsKeyArn } : { path } };
}

export const batchSegmentJobOps: PzOperations = {
  ...readOps({
    kind: 'batchSegmentJob',
    name: 'BatchSegmentJob',
    arnMember: 'batchSegmentJobArn',
    key: 'batchSegmentJob',
    listKey: 'batchSegmentJobs',
    summary: ['batchSegmentJobArn', 'jobName', 'status', 'creationDateTime', 'lastUpdatedDateTime', 'failureReason', 'solutionVersionArn'],
    parent: { member: 'solutionVersionArn', field: 'solutionVersionArn' },
  }),
  async CreateBatchSegmentJob(emu, input, info) {
    const jobName = input.requiredStr('jobName', { min: 1, ...NAME });
    const solutionVersionArn = input.requiredStr('solutionVersionArn', ARN);
    const filterArn = input.str('filterArn', ARN);
    const numResults = input.int('numResults', { min: 1, max: MAX_NUM_RESULTS }) ?? DEFAULT_NUM_RESULTS;
    const jobInput = readLocation(input, 'jobInput', 's3DataSource');
    const jobOutput = readLocation(input, 'jobOutput', 's3DataDestination');
    const roleArn = input.requiredStr('roleArn', ROLE_ARN);
    const tags = readTags(input);
    const version = mustFind(emu, info, solutionVersionArn, 'solutionVersion');
    requireStatus(version, solutionVersionArn, 'ACTIVE', 'solution version');
    if (filterArn) requireStatus(mustFind(emu, info, filterArn, 'filter'), filterArn, 'ACTIVE', 'filter');
    const arn = pzArn(info, 'batchSegmentJob', jobName);
    if (resources(emu)[arn]) throw alreadyExists(arn);
    checkInFlight(emu, 'batchSegmentJobsInFlight', ofKind(emu, info, 'batchSegmentJob', (j) => IN_FLIGHT.has(j.status ?? '')).length);
    const denied = checkJobAccess(emu, segmentJobAccess(emu, arn, roleArn, info.region, jobInput as never, jobOutput as never));
    if (denied) throw new ApiError('InvalidInputException', denied);
    resources(emu)[arn] = newRecord(emu, info, 'batchSegmentJob', {
      jobName,
      batchSegmentJobArn: arn,
      filterArn,
      solutionVersionArn,
      numResults,
      jobInput,
      jobOutput,
      roleArn,
      status: 'CREATE PENDING',
    });
    setTags(emu, arn, tags);
    await emu.store.commit();
    runSegmentJob(emu, arn);
    return { batchSegmentJobArn: arn };
  },
};
