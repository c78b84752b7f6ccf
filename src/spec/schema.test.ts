import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
    'budget', 'data', 'iam', 'name', 'queries', 'recipe', 'segmentations', 'segments', 'split', 'state', 'storage', 'tags', 'target', 'training', 'version',
  ]);
});
