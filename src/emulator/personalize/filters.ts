import { ApiError } from '../api-error.js';
import { parseFilterExpression } from '../../spec/filter-expression.js';
import { distinctFields, filterProblems, MAX_FIELDS_PER_DATASET_GROUP } from '../../spec/filter-limits.js';
import type { PzOperations } from './handler.js';
import { readOps } from './read-ops.js';
import { alreadyExists, DELETING, inUse, mustFind, newRecord, ofKind, pzArn, requireStatus, resources, setTags, SETTLED } from './resources.js';
import { startDelete, walkCreate } from './transitions.js';
import { checkActive } from './quotas.js';
import { ARN, NAME, readTags } from './validate.js';

export const filterOps: PzOperations = {
  ...readOps({
    kind: 'filter',
    name: 'Filter',
    arnMember: 'filterArn',
    key: 'filter',
    listKey: 'Filters',
    summary: ['name', 'filterArn', 'creationDateTime', 'lastUpdatedDateTime', 'datasetGroupArn', 'failureReason', 'status'],
    parent: { member: 'datasetGroupArn', field: 'datasetGroupArn' },
  }),
  async CreateFilter(emu, input, info) {
    const name = input.requiredStr('name', { min: 1, ...NAME });
    const datasetGroupArn = input.requiredStr('datasetGroupArn', ARN);
    const filterExpression = input.requiredStr('filterExpression', { min: 1, max: 2500 });
    const tags = readTags(input);
    const parsed = parseFilterExpression(filterExpression);
    if (!parsed.ok) throw new ApiError('InvalidInputException', `Invalid filter expression: ${parsed.error}.`);
    const problem = filterProblems(parsed.clauses)[0];
    if (problem) throw new ApiError('InvalidInputException', `Invalid filter expression: ${problem.message}.`);
    const dsg = mustFind(emu, info, datasetGroupArn, 'datasetGroup');
    requireStatus(dsg, datasetGroupArn, 'ACTIVE', 'dataset group');
    // Distinct fields across every filter of the group (those being deleted no longer count).
    const groupFields = new Set(distinctFields(parsed.clauses));
    for (const f of ofKind(emu, info, 'filter', (x) => x.datasetGroupArn === datasetGroupArn && !DELETING.has(x.status ?? ''))) {
      const other = parseFilterExpression(String(f.filterExpression));
      if (other.ok) for (const field of distinctFields(other.clauses)) groupFields.add(field);
    }
    if (groupFields.size > MAX_FIELDS_PER_DATASET_GROUP) {
      throw new ApiError(
        'LimitExceededException',
        `The filters of dataset group ${datasetGroupArn} would read ${groupFields.size} distinct dataset fields; the maximum across all filters in a dataset group is ${MAX_FIELDS_PER_DATASET_GROUP}.`,
      );
    }
    const arn = pzArn(info, 'filter', name);
    if (resources(emu)[arn]) throw alreadyExists(arn);
    checkActive(
      emu,
      'filtersPerDatasetGroup',
      'filter',
      ofKind(emu, info, 'filter', (f) => f.datasetGroupArn === datasetGroupArn && !DELETING.has(f.status ?? '')).length,
    );
    resources(emu)[arn] = newRecord(emu, info, 'filter', { name, filterArn: arn, datasetGroupArn, filterExpression, status: 'CREATE PENDING' });
    setTags(emu, arn, tags);
    await emu.store.commit();
    walkCreate(emu, arn, 'CreateFilter');
    return { filterArn: arn };
  },

  async DeleteFilter(emu, input, info) {
    const arn = input.requiredStr('filterArn', ARN);
    const f = mustFind(emu, info, arn, 'filter');
    if (!SETTLED.has(f.status ?? '')) throw inUse(`Filter ${arn} cannot be deleted while its status is ${f.status}.`);
    startDelete(emu, f, arn);
    await emu.store.commit();
    return {};
  },
};
