/**
 * src/data: local data preparation on DuckDB; the engine uses prepareData and prepareFingerprint. This entry loads
 * no DuckDB by itself (prepare.ts loads it only for a stale cache, readUserColumns on its first call), so a plan on
 * an unchanged pipeline never does.
 */
import type { readUserColumns as ReadUserColumns } from './user-columns.js';

export { prepareData, prepareFingerprint, type PrepareOptions, type PrepareResult } from './prepare.js';
export { ARTIFACT_FILES } from './artifacts.js';
export type { UserColumnValues, UserColumnsOptions } from './user-columns.js';

export async function readUserColumns(...args: Parameters<typeof ReadUserColumns>): ReturnType<typeof ReadUserColumns> {
  return (await import('./user-columns.js')).readUserColumns(...args);
}
