import { ApiError } from '../api-error.js';
import { parseAvroSchema } from './avro-schema.js';
import type { PzOperations } from './handler.js';
import { readOps } from './read-ops.js';
import { alreadyExists, inUse, mustFind, newRecord, ofKind, pzArn, resources } from './resources.js';
import { ARN, NAME } from './validate.js';
import { checkActive } from './quotas.js';

/** Schemas are synchronous (no status), account-wide, immutable; "Total number of active schemas: 500" (quotas.ts). */

export const schemaOps: PzOperations = {
  ...readOps({
    kind: 'schema',
    name: 'Schema',
    arnMember: 'schemaArn',
    key: 'schema',
    listKey: 'schemas',
    summary: ['name', 'schemaArn', 'creationDateTime', 'lastUpdatedDateTime', 'domain'],
  }),
  async CreateSchema(emu, input, info) {
    const name = input.requiredStr('name', { min: 1, ...NAME });
    const schema = input.requiredStr('schema', { min: 1, max: 20000 });
    const domain = input.str('domain', { enum: ['ECOMMERCE', 'VIDEO_ON_DEMAND'] });
    const parsed = parseAvroSchema(schema);
    if (!parsed.ok) throw new ApiError('InvalidInputException', `Invalid schema: ${parsed.error}.`);
    const arn = pzArn(info, 'schema', name);
    if (resources(emu)[arn]) throw alreadyExists(arn);
    checkActive(emu, 'schemas', 'schema', ofKind(emu, info, 'schema').length);
    resources(emu)[arn] = newRecord(emu, info, 'schema', { name, schemaArn: arn, schema, domain });
    await emu.store.commit();
    return { schemaArn: arn };
  },

  async DeleteSchema(emu, input, info) {
    const arn = input.requiredStr('schemaArn', ARN);
    mustFind(emu, info, arn, 'schema');
    const users = Object.values(resources(emu)).filter((d) => d._kind === 'dataset' && d.schemaArn === arn);
    if (users.length > 0) throw inUse(`Schema ${arn} is still in use by dataset ${String(users[0]!.datasetArn)}. Delete the dataset first.`);
    delete resources(emu)[arn];
    await emu.store.commit();
    return {};
  },
};
