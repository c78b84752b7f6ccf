import { ApiError } from '../api-error.js';
import { checkSchemaForType, parseAvroSchema, REQUIRED_FIELDS } from './avro-schema.js';
import type { PzOperations } from './handler.js';
import { readOps } from './read-ops.js';
import { alreadyExists, IN_FLIGHT, inUse, mustFind, newRecord, ofKind, pzArn, requireStatus, resources, setTags, SETTLED } from './resources.js';
import { startDelete, walkCreate } from './transitions.js';
import { NAME, ARN, readTags } from './validate.js';

export const datasetOps: PzOperations = {
  ...readOps({
    kind: 'dataset',
    name: 'Dataset',
    arnMember: 'datasetArn',
    key: 'dataset',
    listKey: 'datasets',
    summary: ['name', 'datasetArn', 'datasetType', 'status', 'creationDateTime', 'lastUpdatedDateTime'],
    parent: { member: 'datasetGroupArn', field: 'datasetGroupArn', mustExist: 'datasetGroup' },
  }),
  async CreateDataset(emu, input, info) {
    const name = input.requiredStr('name', { min: 1, ...NAME });
    const schemaArn = input.requiredStr('schemaArn', ARN);
    const datasetGroupArn = input.requiredStr('datasetGroupArn', ARN);
    const typeIn = input.requiredStr('datasetType', { max: 256, pattern: /^[A-Za-z_]+$/, patternText: '^[A-Za-z_]+$' });
    const tags = readTags(input);
    const type = typeIn.toUpperCase();
    if (!(type in REQUIRED_FIELDS)) {
      throw new ApiError('InvalidInputException', `Invalid datasetType ${typeIn}. Valid values: Interactions, Items, Users, Actions, Action_Interactions.`);
    }
    const dsg = mustFind(emu, info, datasetGroupArn, 'datasetGroup');
    const schema = mustFind(emu, info, schemaArn, 'schema');
    requireStatus(dsg, datasetGroupArn, 'ACTIVE', 'dataset group');
    const parsed = parseAvroSchema(String(schema.schema));
    const problem = parsed.ok ? checkSchemaForType(parsed.fields, type) : parsed.error;
    if (problem) throw new ApiError('InvalidInputException', `Schema ${schemaArn} does not fit dataset type ${typeIn}: ${problem}.`);
    const arn = pzArn(info, 'dataset', `${String(dsg.name)}/${type}`);
    if (resources(emu)[arn]) throw alreadyExists(arn);
    if (ofKind(emu, info, 'dataset', (d) => d.name === name && d.datasetGroupArn === datasetGroupArn).length > 0) {
      throw new ApiError('ResourceAlreadyExistsException', `A dataset named ${name} already exists in ${datasetGroupArn}.`);
    }
    resources(emu)[arn] = newRecord(emu, info, 'dataset', {
      name,
      datasetArn: arn,
      datasetGroupArn,
      datasetType: type,
      schemaArn,
      status: 'CREATE PENDING',
      _data: [] as string[],
    });
    setTags(emu, arn, tags);
    await emu.store.commit();
    walkCreate(emu, arn, 'CreateDataset');
    return { datasetArn: arn };
  },

  async DeleteDataset(emu, input, info) {
    const arn = input.requiredStr('datasetArn', ARN);
    const r = mustFind(emu, info, arn, 'dataset');
    if (!SETTLED.has(r.status ?? '')) throw inUse(`Dataset ${arn} cannot be deleted while its status is ${r.status}.`);
    const busy = Object.values(resources(emu)).find(
      (j) =>
        IN_FLIGHT.has(j.status ?? '') &&
        ((j._kind === 'datasetImportJob' && j.datasetArn === arn) || (j._kind === 'solutionVersion' && j.datasetGroupArn === r.datasetGroupArn)),
    );
    if (busy) {
      const what =
        busy._kind === 'datasetImportJob' ? `dataset import job ${String(busy.datasetImportJobArn)}` : `solution version ${String(busy.solutionVersionArn)}`;
      throw inUse(`Dataset ${arn} cannot be deleted while ${what} is ${busy.status}.`);
    }
    startDelete(emu, r, arn);
    await emu.store.commit();
    return {};
  },

  async UpdateDataset(emu, input, info) {
    const arn = input.requiredStr('datasetArn', ARN);
    const schemaArn = input.requiredStr('schemaArn', ARN);
    const r = mustFind(emu, info, arn, 'dataset');
    const schema = mustFind(emu, info, schemaArn, 'schema');
    requireStatus(r, arn, 'ACTIVE', 'dataset');
    const parsed = parseAvroSchema(String(schema.schema));
    const problem = parsed.ok ? checkSchemaForType(parsed.fields, String(r.datasetType)) : parsed.error;
    if (problem) throw new ApiError('InvalidInputException', `Schema ${schemaArn} does not fit dataset type ${String(r.datasetType)}: ${problem}.`);
    const now = Date.now();
    r.schemaArn = schemaArn;
    r.latestDatasetUpdate = { schemaArn, status: 'ACTIVE', creationDateTime: now, lastUpdatedDateTime: now };
    r.lastUpdatedDateTime = now;
    await emu.store.commit();
    return { datasetArn: arn };
  },
};
