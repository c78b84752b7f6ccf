import { ApiError } from '../api-error.js';
import { parseFilterExpression } from '../../spec/filter-expression.js';
import type { PzOperations } from './handler.js';
import { paginate } from './pagination.js';
import { alreadyExists, DELETING, inUse, mustFind, newRecord, ofKind, pzArn, render, requireStatus, resources, setTags, SETTLED } from './resources.js';
import { startDelete, walkCreate } from './transitions.js';
import { checkActive } from './quotas.js';
import { ARN, NAME, readTags } from './validate.js';


export const filterOps: PzOperations = {
  async CreateFilter(emu, input, info) {
    const name = input.requiredStr('name', { min: 1, ...NAME });
    const datasetGroupArn = input.requiredStr('datasetGroupArn', ARN);
    const filterExpression = input.requiredStr('filterExpression', { min: 1, max: 2500 });
    const tags = readTags(input);
    const parsed = parseFilterExpression(filterExpression);
    if (!parsed.ok) throw new ApiError('InvalidInputException', `Invalid filter expression: ${parsed.error}.`);
    const dsg = mustFind(emu, info, datasetGroupArn, 'datasetGroup');
    requireStatus(dsg, datasetGroupArn, 'ACTIVE', 'dataset group');
    const arn = pzArn(info, 'filter', name);
    if (resources(emu)[arn]) throw alreadyExists(arn);
    checkActive(emu, 'filtersPerDatasetGroup', 'filter', ofKind(emu, info, 'filter', (f) => f.datasetGroupArn === datasetGroupArn && !DELETING.has(f.status ?? '')).length);
    resources(emu)[arn] = newRecord(emu, info, 'filter', { name, filterArn: arn, datasetGroupArn, filterExpression, status: 'CREATE PENDING' });
    setTags(emu, arn, tags);
    await emu.store.commit();
    walkCreate(emu, arn, 'CreateFilter');
    return { filterArn: arn };
  },

  async DescribeFilter(emu, input, info) {
    const arn = input.requiredStr('filterArn', ARN);
    return { filter: render(mustFind(emu, info, arn, 'filter')) };
  },

  async ListFilters(emu, input, info) {
    const dsgArn = input.str('datasetGroupArn', ARN);
    const items = ofKind(emu, info, 'filter', (f) => !dsgArn || f.datasetGroupArn === dsgArn);
    const { page, nextToken } = paginate(emu, 'ListFilters', input, items);
    // The result key really is capitalised: ListFiltersResponse.Filters.
    return { Filters: page.map((r) => render(r, ['name', 'filterArn', 'creationDateTime', 'lastUpdatedDateTime', 'datasetGroupArn', 'failureReason', 'status'])), nextToken };
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
