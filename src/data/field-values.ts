import type { Spec } from '../spec/types.js';
import { type Db, sqlIdent } from './duckdb.js';

/** Most distinct values kept per field: enough for a did-you-mean, small enough for stats.json. */
export const MAX_FIELD_VALUES = 1000;

/** The distinct values a filter can match on: `complete` is false when there were more than MAX_FIELD_VALUES. */
export interface FieldValues {
  values: string[];
  complete: boolean;
}

/**
 * The values a segment filter matches against, from the prepared data: Interactions.EVENT_TYPE over the training
 * interactions (what is imported), and each categorical Users.<attribute> over the users of train (users.csv; a
 * value `a|b` counts as a and b). plan checks every filter value against them, so a value written `1` where the
 * data say `1.0` is named before the run instead of silently matching no one. Keys are `<Dataset>.<FIELD>`.
 */
export async function fieldValues(db: Db, spec: Spec, hasUsers: boolean): Promise<Record<string, FieldValues>> {
  const out: Record<string, FieldValues> = {};
  const take = async (key: string, sql: string) => {
    const rows = await db.rows<{ v: string }>(`SELECT v FROM (${sql}) WHERE v IS NOT NULL AND v <> '' GROUP BY v ORDER BY v LIMIT ${MAX_FIELD_VALUES + 1}`);
    out[key] = { values: rows.slice(0, MAX_FIELD_VALUES).map((r) => r.v), complete: rows.length <= MAX_FIELD_VALUES };
  };
  if (spec.data.interactions.columns.EVENT_TYPE !== undefined) await take('Interactions.EVENT_TYPE', `SELECT e AS v FROM train`);
  if (hasUsers) {
    for (const a of spec.data.users?.attributes ?? []) {
      if (a.type !== 'categorical') continue;
      await take(
        `Users.${a.name}`,
        `SELECT unnest(string_split(CAST(${sqlIdent(a.name)} AS VARCHAR), '|')) AS v FROM users WHERE "USER_ID" IN (SELECT DISTINCT u FROM train)`,
      );
    }
  }
  return out;
}
