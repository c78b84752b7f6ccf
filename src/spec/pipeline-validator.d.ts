// The types of dist/src/spec/pipeline-validator.js, which the build writes (src/build/compile-schema.ts): the
// standalone ajv validator of schemas/pipeline.schema.json.
import type { ValidateFunction } from 'ajv';

export declare const validate: ValidateFunction;
