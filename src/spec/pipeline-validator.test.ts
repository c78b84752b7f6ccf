import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { packageRoot } from '../util/paths.js';
import { validate as precompiled } from './pipeline-validator.js';
import { compilePipelineSchema } from './schema-validator.js';

/**
 * The validator the build precompiles (dist/src/spec/pipeline-validator.js) answers exactly as ajv compiling the
 * schema at run time: the same verdict and the same errors (keyword, paths, params, parentSchema, data), on every
 * shipped pipeline and on random damage to them (values of every JSON type, keys removed or added).
 */
const { validate: runtime } = compilePipelineSchema();

const shipped = ['pipelines', 'examples'].flatMap((dir) =>
  readdirSync(join(packageRoot, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parse(readFileSync(join(packageRoot, dir, f), 'utf8')) as unknown)
    .filter((doc) => typeof doc === 'object' && doc !== null && 'version' in doc),
);

function answer(validate: typeof runtime, doc: unknown): unknown {
  const valid = validate(doc);
  return { valid, errors: validate.errors ?? null };
}

/** Every path to a value in doc (objects and arrays), so that a mutation can hit any depth. */
function paths(doc: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof doc !== 'object' || doc === null) return [at];
  const keys: Array<string | number> = Array.isArray(doc) ? doc.map((_, i) => i) : Object.keys(doc);
  return [at, ...keys.flatMap((k) => paths((doc as Record<string, unknown>)[k], [...at, k]))];
}

function mutate(doc: unknown, path: Array<string | number>, how: 'set' | 'delete' | 'add', value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (path.length === 0) return how === 'set' ? value : copy;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (how === 'set') node[last] = value;
  else if (how === 'delete') delete node[last];
  else if (typeof node[last] === 'object' && node[last] !== null && !Array.isArray(node[last]))
    (node[last] as Record<string, unknown>)['unexpectedKey'] = value;
  return copy;
}

test('the shipped pipelines: valid for both', () => {
  assert.ok(shipped.length >= 5, `only ${shipped.length} pipelines found`);
  for (const doc of shipped) {
    assert.deepEqual(answer(precompiled, doc), answer(runtime, doc));
    assert.equal(precompiled(doc), true, JSON.stringify(precompiled.errors));
  }
});

test('damaged pipelines: the same errors, the same way', () => {
  const anyValue = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme', minLength: 60, maxLength: 300 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.integer(), { maxKeys: 3 }),
  );
  let invalid = 0;
  fc.assert(
    fc.property(fc.nat(), fc.nat(), fc.constantFrom('set', 'delete', 'add'), anyValue, (d, p, how, value) => {
      const doc = shipped[d % shipped.length];
      const all = paths(doc);
      const damaged = mutate(doc, all[p % all.length]!, how, value);
      const expected = answer(runtime, damaged);
      if (!(expected as { valid: boolean }).valid) invalid += 1;
      assert.deepEqual(answer(precompiled, damaged), expected);
    }),
    { numRuns: 1500, seed: 21 },
  );
  assert.ok(invalid > 500, `only ${invalid} of 1500 damaged documents were invalid`);
});
