import { CreateSchemaCommand, DeleteSchemaCommand, DescribeSchemaCommand } from '@aws-sdk/client-personalize';
import { isInUse } from '../aws/errors.js';
import type { Spec } from '../spec/types.js';
import { inputsHashOf, jobName, personalizeArn } from './naming.js';
import { awsFailure, createRecorded, deleteIgnoringAbsent, readOrAbsent } from './lifecycle.js';
import type { Observation, StepContext, StepDefinition } from './types.js';

export type DatasetType = 'interactions' | 'items';

/** Avro schemas; field order matches the CSV headers prepare writes. */
export function avroSchema(spec: Spec, type: DatasetType): Record<string, unknown> {
  if (type === 'interactions') {
    return {
      type: 'record',
      name: 'Interactions',
      namespace: 'com.amazonaws.personalize.schema',
      fields: [
        { name: 'USER_ID', type: 'string' },
        { name: 'ITEM_ID', type: 'string' },
        { name: 'TIMESTAMP', type: 'long' },
        // Reserved fields, only when mapped (custom-datasets-and-schemas.html): the order of interactions.csv.
        ...(spec.data.interactions.columns.EVENT_TYPE !== undefined ? [{ name: 'EVENT_TYPE', type: 'string' }] : []),
        ...(spec.data.interactions.columns.EVENT_VALUE !== undefined ? [{ name: 'EVENT_VALUE', type: 'float' }] : []),
      ],
      version: '1.0',
    };
  }
  return {
    type: 'record',
    name: 'Items',
    namespace: 'com.amazonaws.personalize.schema',
    fields: [
      { name: 'ITEM_ID', type: 'string' },
      ...(spec.data.items?.attributes ?? []).map((a) =>
        a.type === 'numeric' ? { name: a.name, type: ['null', 'float'] } : { name: a.name, type: ['null', 'string'], categorical: true },
      ),
    ],
    version: '1.0',
  };
}

export function describeSchema(ctx: StepContext, arn: string): Promise<Observation> {
  return readOrAbsent(async () => {
    const r = await ctx.aws.personalize.send(new DescribeSchemaCommand({ schemaArn: arn }));
    return { exists: true, arn, name: r.schema?.name, status: 'ACTIVE', phase: 'active', details: { schema: r.schema?.schema } };
  });
}

/** Schemas are immutable and account-wide, so their name carries a hash of their content. */
export function schemaStep(type: DatasetType): StepDefinition {
  const id = `schema-${type}`;
  return {
    id,
    kind: 'schema',
    title: `${type} schema`,
    deps: [],
    desired({ spec }) {
      const inputs = { schema: avroSchema(spec, type) };
      const inputsHash = inputsHashOf(inputs);
      return { name: jobName(spec, type === 'interactions' ? 'int' : 'itm', inputsHash), inputs, inputsHash };
    },
    read(ctx, desired) {
      return describeSchema(ctx, personalizeArn(ctx.aws.region, ctx.account, 'schema', desired.name));
    },
    async apply(ctx, desired) {
      const arn = personalizeArn(ctx.aws.region, ctx.account, 'schema', desired.name);
      const seen = await describeSchema(ctx, arn);
      let adopted = seen.exists;
      if (!seen.exists) {
        adopted = (
          await createRecorded(ctx, id, desired, async () => {
            const out = await ctx.aws.personalize.send(
              new CreateSchemaCommand({ name: desired.name, schema: JSON.stringify(desired.inputs['schema']) }),
            );
            return out.schemaArn;
          })
        ).adopted;
      }
      await ctx.state.setStep(id, { phase: 'done', name: desired.name, arn, inputsHash: desired.inputsHash, inputs: desired.inputs });
      return { arn, adopted };
    },
    async destroy(ctx, record) {
      if (!record.arn) return;
      try {
        await deleteIgnoringAbsent(() => ctx.aws.personalize.send(new DeleteSchemaCommand({ schemaArn: record.arn })));
      } catch (e) {
        // Another dataset (maybe another pipeline's) still uses it: leave it, schemas cost nothing.
        if (!isInUse(e)) throw awsFailure(id, `deleting schema ${record.name}`, e);
      }
    },
  };
}
