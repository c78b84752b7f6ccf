import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { pipelineSchemaPath } from '../util/paths.js';

type Node = { description?: string; $ref?: string; properties?: Record<string, Node>; items?: Node; oneOf?: Node[]; definitions?: Record<string, Node> };
const schema = JSON.parse(readFileSync(pipelineSchemaPath, 'utf8')) as Node;

function resolveRef(node: Node): Node {
  if (!node.$ref) return node;
  const name = node.$ref.replace('#/definitions/', '');
  return schema.definitions?.[name] ?? {};
}

test('every property in the schema has a description, so editors can show it', () => {
  const missing: string[] = [];
  const walk = (node: Node, path: string) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const where = `${path}.${key}`;
      if (!child.description && !resolveRef(child).description) missing.push(where);
      walk(resolveRef(child), where);
    }
    if (node.items) walk(resolveRef(node.items), `${path}[]`);
    for (const branch of node.oneOf ?? []) walk(resolveRef(branch), path);
  };
  walk(schema, '$');
  assert.deepEqual(missing, []);
});

test('the schema covers every top-level key of spec v1 and its production additions from the design', () => {
  assert.deepEqual(Object.keys(schema.properties ?? {}).sort(), [
    'budget',
    'data',
    'iam',
    'name',
    'queries',
    'recipe',
    'segmentations',
    'segments',
    'split',
    'state',
    'storage',
    'tags',
    'target',
    'training',
    'version',
  ]);
});

test("docs/spec.md names every diagnostic code: the schema's x-code values and every SPEC_ code the rules report", () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const doc = readFileSync(join(root, 'docs', 'spec.md'), 'utf8');
  const codes = new Set([...readFileSync(join(root, 'schemas', 'pipeline.schema.json'), 'utf8').matchAll(/"x-code": "([A-Z_]+)"/g)].map((m) => m[1]!));
  const dir = join(root, 'src', 'spec');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/'(SPEC_[A-Z_]+)'/g)) codes.add(m[1]!);
  }
  codes.delete('SPEC_FILE'); // not a diagnostic: the file cannot be read at all (docs/errors.md)
  const missing = [...codes].filter((c) => !doc.includes(`\`${c}\``));
  assert.deepEqual(missing, []);
});
