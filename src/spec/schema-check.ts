import type { ErrorObject } from 'ajv';
import type { Diagnostic } from './diagnostics.js';
import { suggestion } from './did-you-mean.js';
import { validate } from './pipeline-validator.js';
import { displayPath, type SpecPath, type YamlSource } from './yaml-source.js';

/**
 * Structural checks from schemas/pipeline.schema.json, the single source of the spec's shape (editors read the
 * same file). Schema nodes may carry `x-code` (the diagnostic code) and `x-message` (a human message) so that
 * errors read like segflow's, not like ajv's. The validator is compiled from the schema by the build
 * (src/build/compile-schema.ts), not at every start.
 */
interface AnnotatedSchema {
  'x-code'?: string;
  'x-message'?: string;
  properties?: Record<string, unknown>;
  enum?: unknown[];
}

function toPath(instancePath: string): SpecPath {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `the string '${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * ajv reports every branch of a failed oneOf. Keep what helps: the specific errors of the branch whose type
 * fitted; only when there are none, the oneOf's own message. (Branch errors are matched by instance path:
 * inside a $ref ajv's schemaPath no longer names the oneOf.)
 */
function pruneOneOfNoise(errors: ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const o of errors.filter((e) => e.keyword === 'oneOf')) {
    const at = o.instancePath;
    const branchTypeErrors = errors.filter((e) => e.keyword === 'type' && e.instancePath === at);
    for (const e of branchTypeErrors) dropped.add(e);
    const specific = errors.filter((e) => e !== o && !dropped.has(e) && (e.instancePath === at || e.instancePath.startsWith(at + '/')));
    if (specific.length > 0) dropped.add(o);
  }
  // propertyNames reports the name's own error too; keep only the propertyNames one (it knows the key).
  for (const e of errors)
    if (e.keyword === 'propertyNames') {
      for (const inner of errors) if (inner !== e && inner.schemaPath.startsWith(e.schemaPath + '/')) dropped.add(inner);
    }
  return errors.filter((e) => !dropped.has(e));
}

function toDiagnostic(e: ErrorObject, src: YamlSource): Diagnostic {
  const path = toPath(e.instancePath);
  const schema = (e.parentSchema ?? {}) as AnnotatedSchema;
  const where = displayPath(path);
  const custom = schema['x-message'];
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys(schema.properties ?? {});
      const inWhat = path.length === 0 ? 'at the top level' : `in ${where}`;
      return src.diagnosticAt('error', 'SPEC_UNKNOWN_KEY', `unknown key '${key}' ${inWhat}${suggestion(key, known)}`, [...path, key], 'key');
    }
    case 'required': {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      const inWhat = path.length === 0 ? 'at the top level' : `in ${where}`;
      return src.diagnosticAt('error', 'SPEC_MISSING_KEY', `missing required key '${key}' ${inWhat}`, path, 'key');
    }
    case 'type': {
      const expected = String((e.params as { type: string }).type)
        .replace('integer', 'a whole number')
        .replace(
          /^(string|number|boolean|object|array)$/,
          (t) => ({ string: 'a string', number: 'a number', boolean: 'true or false', object: 'a map', array: 'a list' })[t] ?? t,
        );
      return src.diagnosticAt('error', schema['x-code'] ?? 'SPEC_TYPE', `${where} must be ${expected}, not ${describeValue(e.data)}`, path);
    }
    case 'enum': {
      const allowed = (schema.enum ?? []).map(String);
      const hint = typeof e.data === 'string' ? suggestion(e.data, allowed) : '';
      return src.diagnosticAt(
        'error',
        schema['x-code'] ?? 'SPEC_ENUM',
        `${where} must be one of ${allowed.join(', ')}, not ${describeValue(e.data)}${hint}`,
        path,
      );
    }
    case 'propertyNames': {
      const name = String((e.params as { propertyName: string }).propertyName);
      return src.diagnosticAt(
        'error',
        schema['x-code'] ?? 'SPEC_KEY',
        `${where}: key '${name}' is not allowed${custom ? ` (${custom})` : ''}`,
        [...path, name],
        'key',
      );
    }
    default: {
      const message = custom ?? e.message ?? 'is invalid';
      return src.diagnosticAt('error', schema['x-code'] ?? 'SPEC_INVALID', `${where} ${message}`, path);
    }
  }
}

export function schemaDiagnostics(value: unknown, src: YamlSource): Diagnostic[] {
  if (validate(value)) return [];
  return pruneOneOfNoise(validate.errors ?? []).map((e) => toDiagnostic(e, src));
}
