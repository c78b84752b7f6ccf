/**
 * Which users a segment filter lets through, from the prepared files the datasets were imported from: users.csv
 * for Users.<field> conditions, interactions.csv (the training interactions) for Interactions.<field>. Evaluated
 * by the one shared evaluation (src/spec/user-filter.ts) the emulator applies in batch segment jobs, so the
 * evaluation's eligible users are exactly those a filtered segment may contain.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACT_FILES } from '../data/artifacts.js';
import { parseFilterExpression } from '../spec/filter-expression.js';
import { collectUserValues, filterFields, userPredicate, type FilterData, type UserValues } from '../spec/user-filter.js';
import { SegflowError } from '../util/errors.js';
import { queryCsv } from './csv-query.js';

/** USER_ID and `fields` of one prepared file (columns matched case-insensitively), one row per distinct value. */
async function userValues(path: string, fields: Set<string>): Promise<UserValues> {
  if (fields.size === 0) return collectUserValues([], fields);
  try {
    await stat(path);
  } catch {
    throw new SegflowError('RUN_EVAL_INPUT', `${path} does not exist, but the run's filter reads it: run 'segflow apply FILE' again`);
  }
  const wanted = ['USER_ID', ...fields].map((f) => `'${f.replace(/'/g, "''")}'`).join(', ');
  const { columns, rows } = await queryCsv(path, (from) => `SELECT DISTINCT COLUMNS(c -> upper(c) IN (${wanted})) FROM ${from}`);
  return collectUserValues([columns, ...rows.map((r) => r.map((v) => v ?? ''))], fields);
}

/** The predicate "passes the filter" for the expression a run applied. */
export async function readEligibility(workDir: string, expression: string): Promise<(user: string) => boolean> {
  const parsed = parseFilterExpression(expression);
  if (!parsed.ok) throw new SegflowError('RUN_EVAL_INPUT', `the run's segment filter cannot be read: ${parsed.error}`);
  const fields = filterFields(parsed.clauses);
  const data: FilterData = {
    Users: await userValues(join(workDir, ARTIFACT_FILES.users), fields.Users),
    Interactions: await userValues(join(workDir, ARTIFACT_FILES.interactions), fields.Interactions),
  };
  const passes = userPredicate(parsed.clauses, data);
  if ('error' in passes) throw new SegflowError('RUN_EVAL_INPUT', `the run's segment filter cannot be evaluated: ${passes.error}`);
  return passes;
}
