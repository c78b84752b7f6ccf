/**
 * Build step (npm run build, after tsc): compiles schemas/pipeline.schema.json into the standalone validator
 * dist/src/spec/pipeline-validator.js. Compiling the schema at run time cost every command that reads a pipeline
 * about 0.13 s of CPU (ajv generates and evaluates ~170 KB of code); the build does it once.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { compilePipelineSchema } from '../spec/schema-validator.js';

const { ajv, validate } = compilePipelineSchema({ source: true });
// ajv's ESM output still requires its runtime helper for string lengths in code points (maxLength, minLength);
// an ES module has no require, so that one call becomes an import.
const RUNTIME = 'ajv/dist/runtime/ucs2length';
const code = standaloneCode.default(ajv, validate);
const esm = code.split(`require("${RUNTIME}")`).join('ucs2lengthModule');
if (/\brequire\(/.test(esm)) throw new Error('the compiled pipeline validator requires a module other than ucs2length; import it as well');
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'spec', 'pipeline-validator.js');
writeFileSync(out, `import ucs2lengthModule from '${RUNTIME}.js';\n${esm.replace(/^"use strict";/, '')}\n`);
