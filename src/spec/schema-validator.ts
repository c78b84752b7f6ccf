import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { pipelineSchemaPath } from '../util/paths.js';

/**
 * The one ajv configuration for schemas/pipeline.schema.json. The build compiles it once into
 * dist/src/spec/pipeline-validator.js (src/build/compile-schema.ts) so that no command pays ajv's compile at
 * start; this function is that compile, shared with the build and the test that both give the same errors.
 */
export function compilePipelineSchema(options: { source?: boolean } = {}): { ajv: Ajv; validate: ValidateFunction } {
  const ajv = new Ajv({
    allErrors: true,
    // parentSchema on every error: the diagnostics read the schema's x-code and x-message from it.
    verbose: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    ...(options.source && { code: { source: true, esm: true } }),
  });
  ajv.addKeyword('x-code');
  ajv.addKeyword('x-message');
  return { ajv, validate: ajv.compile(JSON.parse(readFileSync(pipelineSchemaPath, 'utf8')) as object) };
}
