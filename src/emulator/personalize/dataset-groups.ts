import { ApiError } from '../api-error.js';
import type { PzOperations } from './handler.js';
import { readOps } from './read-ops.js';
import { alreadyExists, inUse, mustFind, newRecord, ofKind, pzArn, resources, setTags, SETTLED, DELETING } from './resources.js';
import { startDelete, walkCreate } from './transitions.js';
import { checkActive } from './quotas.js';
import { ARN, KMS_ARN, NAME, readTags, ROLE_ARN } from './validate.js';

const DOMAINS = ['ECOMMERCE', 'VIDEO_ON_DEMAND'] as const;

export const datasetGroupOps: PzOperations = {
  ...readOps({
    kind: 'datasetGroup',
    name: 'DatasetGroup',
    arnMember: 'datasetGroupArn',
    key: 'datasetGroup',
    listKey: 'datasetGroups',
    summary: ['name', 'datasetGroupArn', 'status', 'creationDateTime', 'lastUpdatedDateTime', 'failureReason', 'domain'],
  }),
  async CreateDatasetGroup(emu, input, info) {
    const name = input.requiredStr('name', { min: 1, ...NAME });
    const roleArn = input.str('roleArn', ROLE_ARN);
    const kmsKeyArn = input.str('kmsKeyArn', KMS_ARN);
    const domain = input.str('domain', { enum: DOMAINS });
    const tags = readTags(input);
    if (kmsKeyArn && !roleArn) throw new ApiError('InvalidInputException', 'roleArn is required when kmsKeyArn is provided.');
    const arn = pzArn(info, 'datasetGroup', name);
    if (resources(emu)[arn]) throw alreadyExists(arn);
    checkActive(emu, 'datasetGroups', 'dataset group', ofKind(emu, info, 'datasetGroup', (r) => !DELETING.has(r.status ?? '')).length);
    resources(emu)[arn] = newRecord(emu, info, 'datasetGroup', {
      name,
      datasetGroupArn: arn,
      status: 'CREATE PENDING',
      roleArn,
      kmsKeyArn,
      domain,
    });
    setTags(emu, arn, tags);
    await emu.store.commit();
    walkCreate(emu, arn, 'CreateDatasetGroup');
    return domain ? { datasetGroupArn: arn, domain } : { datasetGroupArn: arn };
  },

  async DeleteDatasetGroup(emu, input, info) {
    const arn = input.requiredStr('datasetGroupArn', ARN);
    const r = mustFind(emu, info, arn, 'datasetGroup');
    if (!SETTLED.has(r.status ?? '')) throw inUse(`Dataset group ${arn} cannot be deleted while its status is ${r.status}.`);
    const dependents = Object.values(resources(emu)).filter((d) => (d._kind === 'dataset' || d._kind === 'solution') && d.datasetGroupArn === arn);
    if (dependents.length > 0) {
      const kinds = [...new Set(dependents.map((d) => (d._kind === 'dataset' ? 'datasets' : 'solutions')))].join(' and ');
      throw inUse(`Dataset group ${arn} still contains ${kinds}. Delete them first.`);
    }
    startDelete(emu, r, arn);
    await emu.store.commit();
    return {};
  },
};
