/** src/data: local data preparation on DuckDB; the engine uses these two functions. */
export { prepareData, prepareFingerprint, type PrepareOptions, type PrepareResult } from './prepare.js';
export { ARTIFACT_FILES } from './artifacts.js';
export { readUserColumns, type UserColumnValues, type UserColumnsOptions } from './user-columns.js';
