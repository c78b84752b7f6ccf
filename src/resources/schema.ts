import { isAwsError } from '../aws/errors.js';
import type { DataAttribute, Spec } from '../spec/types.js';
import { inputsHashOf, jobName, personalizeArn } from './naming.js';
import { observed } from './lifecycle.js';
import { createOrAdopt } from './create-or-adopt.js';
import { foreignResource } from './ownership.js';
import { awsFailure } from './failures.js';
import type { DestroyContext, Observation, StepContext, StepDefinition } from './types.js';

export type DatasetKind = 'interactions' | 'items' | 'users';

/** Schema names carry a short role tag: `<pipeline>-int-<hash>`, `<pipeline>-itm-<hash>`, `<pipeline>-usr-<hash>`. */
const ROLE: Record<DatasetKind, string> = { interactions: 'int', items: 'itm', users: 'usr' };
export const SCHEMA_ROLES = Object.values(ROLE);

/** Metadata fields as Personalize types them: numeric a nullable float, categorical a nullable categorical string. */
function attributeFields(attributes: DataAttribute[]): Array<Record<string, unknown>> {
  return attributes.map((a) =>
    a.type === 'numeric' ? { name: a.name, type: ['null', 'float'] } : { name: a.name, type: ['null', 'string'], categorical: true },
  );
}

/** Avro schemas; field order matches the CSV headers prepare writes. */
export function avroSchema(spec: Spec, type: DatasetKind): Record<string, unknown> {
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
  const [name, id, attributes] = type === 'items' ? ['Items', 'ITEM_ID', spec.data.items?.attributes] : ['Users', 'USER_ID', spec.data.users?.attributes];
  return {
    type: 'record',
    name,
    namespace: 'com.amazonaws.personalize.schema',
    fields: [{ name: id, type: 'string' }, ...attributeFields(attributes ?? [])],
    version: '1.0',
  };
}

export async function describeSchema(ctx: StepContext, arn: string): Promise<Observation> {
  const s = await ctx.aws.personalize.describeSchema(arn);
  return observed(s && { ...s, status: 'ACTIVE' }, s?.schema ? { schema: s.schema } : undefined);
}

/** Schemas cannot be tagged: this pipeline's are found by their deterministic names. */
function isOurs(spec: Spec, type: DatasetKind, name: string): boolean {
  return name.startsWith(`${spec.name}-`) && new RegExp(`^${ROLE[type]}-[0-9a-f]{8}$`).test(name.slice(spec.name.length + 1));
}

/**
 * And by their content: the name ends with a hash of the schema segflow made, so a schema of that name whose content
 * hashes differently was made by someone else (an identical one would be indistinguishable, and harmless).
 */
function contentMatchesName(name: string, schema: unknown): boolean {
  if (typeof schema !== 'string') return false;
  try {
    return inputsHashOf({ schema: JSON.parse(schema) as unknown }).slice(0, 8) === name.slice(-8);
  } catch {
    return false;
  }
}

/** Schemas are immutable and account-wide, so their name carries a hash of their content. */
export function schemaStep(type: DatasetKind): StepDefinition {
  const id = `schema-${type}`;
  return {
    id,
    kind: 'schema',
    title: `${type} schema`,
    deps: [],
    desired({ spec }) {
      const inputs = { schema: avroSchema(spec, type) };
      const inputsHash = inputsHashOf(inputs);
      return { name: jobName(spec, ROLE[type], inputsHash), inputs, inputsHash };
    },
    async observe(ctx, desired) {
      const arn = personalizeArn(ctx.env, 'schema', desired.name);
      const seen = await describeSchema(ctx, arn);
      if (seen.exists && !contentMatchesName(desired.name, seen.details?.['schema'])) throw foreignResource(ctx, 'schema', desired.name, arn);
      return seen;
    },
    async apply(ctx, desired) {
      const arn = personalizeArn(ctx.env, 'schema', desired.name);
      const seen = await describeSchema(ctx, arn);
      if (seen.exists && !contentMatchesName(desired.name, seen.details?.['schema'])) throw foreignResource(ctx, 'schema', desired.name, arn);
      return createOrAdopt(ctx, id, desired, seen, {
        arn,
        describe: describeSchema,
        // Schemas cannot be tagged: they are told apart by their names and content (isOurs, contentMatchesName).
        create: ({ name }) => ctx.aws.personalize.createSchema({ name, schema: JSON.stringify(desired.inputs['schema']) }),
        doneWhen: 'exists',
      });
    },
    status(ctx, record) {
      return record.arn ? describeSchema(ctx, record.arn) : Promise.resolve(undefined);
    },
    async destroy(ctx: DestroyContext) {
      const arns = new Set<string>();
      const recorded = ctx.state.step(id)?.arn;
      if (recorded) arns.add(recorded);
      for (const s of await ctx.once('schemas', () => ctx.aws.personalize.listSchemas())) {
        if (isOurs(ctx.spec, type, s.name)) arns.add(s.arn);
      }
      const report = { deleted: [] as string[], kept: [] as string[] };
      for (const arn of arns) {
        const name = arn.split('/').pop() ?? arn;
        try {
          const live = await ctx.aws.personalize.describeSchema(arn);
          if (!live) continue;
          if (!contentMatchesName(name, live.schema)) {
            report.kept.push(`schema ${name}: its content is not what segflow made under that name, left as it is`);
            continue;
          }
          await ctx.aws.personalize.deleteSchema(arn);
          report.deleted.push(`schema ${name}`);
        } catch (e) {
          // Another dataset (maybe another pipeline's) still uses it: leave it, schemas cost nothing.
          if (isAwsError(e, 'in-use')) report.kept.push(`schema ${name} (still used by another dataset)`);
          else throw awsFailure(id, `deleting schema ${name}`, e);
        }
      }
      return report;
    },
  };
}
