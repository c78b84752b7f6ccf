/**
 * The subset of Avro Personalize accepts: a flat record whose fields have a primitive type
 * (string|int|long|float|double|boolean) or a union of one primitive with "null"; names unique and alphanumeric.
 */
export interface SchemaField {
  name: string;
  type: 'string' | 'int' | 'long' | 'float' | 'double' | 'boolean';
  nullable: boolean;
  categorical: boolean;
  textual: boolean;
}

const PRIMITIVES = new Set(['string', 'int', 'long', 'float', 'double', 'boolean']);
export const MAX_SCHEMA_FIELDS = 100;

export function parseAvroSchema(text: string): { ok: true; fields: SchemaField[] } | { ok: false; error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `the schema is not valid JSON (${(e as Error).message})` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, error: 'the schema must be a JSON object' };
  const o = doc as Record<string, unknown>;
  if (o.type !== 'record') return { ok: false, error: 'the schema type must be "record"' };
  if (typeof o.name !== 'string' || o.name === '') return { ok: false, error: 'the schema needs a "name"' };
  if (!Array.isArray(o.fields) || o.fields.length === 0) return { ok: false, error: 'the schema needs a non-empty "fields" array' };
  if (o.fields.length > MAX_SCHEMA_FIELDS) return { ok: false, error: `a schema has at most ${MAX_SCHEMA_FIELDS} fields` };
  const fields: SchemaField[] = [];
  const seen = new Set<string>();
  for (const [i, f] of (o.fields as unknown[]).entries()) {
    if (typeof f !== 'object' || f === null) return { ok: false, error: `field ${i + 1} is not an object` };
    const field = f as Record<string, unknown>;
    const name = field.name;
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      return { ok: false, error: `field ${i + 1} has an invalid name ${JSON.stringify(name)}` };
    if (seen.has(name.toUpperCase())) return { ok: false, error: `duplicate field name ${name}` };
    seen.add(name.toUpperCase());
    let type: unknown = field.type;
    let nullable = false;
    if (Array.isArray(type)) {
      const nonNull = type.filter((t) => t !== 'null');
      nullable = nonNull.length < type.length;
      if (nonNull.length !== 1 || type.length > 2) return { ok: false, error: `field ${name}: a union must be one primitive type with "null"` };
      type = nonNull[0];
    }
    if (typeof type !== 'string' || !PRIMITIVES.has(type)) return { ok: false, error: `field ${name}: unsupported type ${JSON.stringify(field.type)}` };
    const categorical = field.categorical === true;
    const textual = field.textual === true;
    if ((categorical || textual) && type !== 'string') return { ok: false, error: `field ${name}: categorical and textual fields must be strings` };
    fields.push({ name, type: type as SchemaField['type'], nullable, categorical, textual });
  }
  return { ok: true, fields };
}

/** Required fields per dataset type (case-insensitive type names as the API takes them). */
export const REQUIRED_FIELDS: Record<string, Array<{ name: string; types: string[] }>> = {
  INTERACTIONS: [
    { name: 'USER_ID', types: ['string'] },
    { name: 'ITEM_ID', types: ['string'] },
    { name: 'TIMESTAMP', types: ['long', 'int'] },
  ],
  ITEMS: [{ name: 'ITEM_ID', types: ['string'] }],
  USERS: [{ name: 'USER_ID', types: ['string'] }],
  ACTIONS: [{ name: 'ACTION_ID', types: ['string'] }],
  ACTION_INTERACTIONS: [
    { name: 'USER_ID', types: ['string'] },
    { name: 'ACTION_ID', types: ['string'] },
    { name: 'TIMESTAMP', types: ['long', 'int'] },
  ],
};

export function checkSchemaForType(fields: SchemaField[], datasetType: string): string | undefined {
  for (const req of REQUIRED_FIELDS[datasetType] ?? []) {
    const f = fields.find((x) => x.name.toUpperCase() === req.name);
    if (!f) return `the schema is missing the required field ${req.name} for a ${datasetType} dataset`;
    if (!req.types.includes(f.type)) return `field ${req.name} must be of type ${req.types.join(' or ')}, not ${f.type}`;
    if (f.nullable) return `the required field ${req.name} cannot be nullable`;
  }
  return undefined;
}
