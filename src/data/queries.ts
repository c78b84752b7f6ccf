import type { AttributeQuery } from '../spec/types.js';
import { formatAttributeQuery, itemMatches } from '../spec/attribute-expression.js';
import type { BatchQuery, GroundTruthFile } from './artifacts.js';
import { type Db, sqlIdent } from './duckdb.js';

/**
 * Batch queries and their ground truth, from the tables `train` and `test` (and `items` for attributes).
 *
 * Item sampling is a deterministic order, not a random draw: test items sorted by md5("<seed>:<itemId>"), then
 * by id, first `sample` taken. md5 is the same everywhere, so the sample is the same on any machine, any DuckDB
 * version and any thread count. It differs from pandas' `sample(random_state=10)`; the counts do not.
 */
export function sampleOrderSql(seed: number): string {
  return `md5('${seed}:' || i), i`;
}

export async function itemQueries(db: Db, sample: number, seed: number, excludeCold = false): Promise<GroundTruthFile['queries']> {
  // excludeCold: the same order over the test items that also occur in train (the model can rank users for them).
  const pool = excludeCold ? `SELECT DISTINCT i FROM test WHERE i IN (SELECT i FROM train)` : `SELECT DISTINCT i FROM test`;
  const rows = await db.rows<{ item: string; users: string[]; cold: boolean; rank: number }>(`
    WITH picked AS (
      SELECT i, row_number() OVER (ORDER BY ${sampleOrderSql(seed)}) AS rank
      FROM (${pool}) ORDER BY ${sampleOrderSql(seed)} LIMIT ${sample})
    SELECT p.i AS item, p.rank AS rank, array_sort(list(DISTINCT t.u)) AS users,
      p.i NOT IN (SELECT DISTINCT i FROM train) AS cold
    FROM picked p JOIN test t ON t.i = p.i GROUP BY p.i, p.rank ORDER BY p.rank`);
  return rows.map((r) => ({
    query: { itemId: r.item },
    users: r.users,
    ...(r.cold ? { cold: true } : {}),
  }));
}

/**
 * Chosen items (the table stageChosenItems left) as queries, in their order. Items absent from the training
 * interactions are unknown to the model: left out unless keepUnknown (then kept, marked cold). With a test period
 * each query carries its test users (the experiment's ground truth); a production run has none.
 */
export async function chosenItemQueries(
  db: Db,
  table: string,
  keepUnknown: boolean,
): Promise<{ queries: GroundTruthFile['queries']; unknown: { count: number; examples: string[] } }> {
  const rows = await db.rows<{ item: string; users: string[]; cold: boolean }>(`
    SELECT c.i AS item, k.i IS NULL AS cold, array_sort(list(DISTINCT t.u) FILTER (WHERE t.u IS NOT NULL)) AS users
    FROM ${table} c LEFT JOIN (SELECT DISTINCT i FROM train) k ON k.i = c.i LEFT JOIN test t ON t.i = c.i
    GROUP BY c.i, c.ord, k.i ORDER BY c.ord`);
  const unknown = rows.filter((r) => r.cold);
  const kept = keepUnknown ? rows : rows.filter((r) => !r.cold);
  return {
    queries: kept.map((r) => ({ query: { itemId: r.item }, users: r.users ?? [], ...(r.cold ? { cold: true } : {}) })),
    unknown: { count: unknown.length, examples: unknown.slice(0, 10).map((r) => r.item) },
  };
}

/**
 * Attribute queries: the test users who interacted with any item matching the expression. Matching uses
 * itemMatches (the same rule as the emulator and the model), evaluated here over the test items' attributes.
 */
export async function attributeQueries(db: Db, queries: AttributeQuery[], attributeNames: string[]): Promise<GroundTruthFile['queries']> {
  const cols = attributeNames.map((a) => `it.${sqlIdent(a)} AS ${sqlIdent(a)}`).join(', ');
  const testItems = await db.rows<Record<string, string | null>>(
    `SELECT DISTINCT t.i AS __item, ${cols} FROM (SELECT DISTINCT i FROM test) t JOIN items it ON it."ITEM_ID" = t.i`,
  );
  await db.exec(`CREATE OR REPLACE TEMP TABLE query_items (q INTEGER, i VARCHAR)`);
  const byLower = new Map(attributeNames.map((a) => [a.toLowerCase(), a]));
  const values: string[] = [];
  queries.forEach((q, qi) => {
    for (const row of testItems) {
      const matches = itemMatches(q.conditions, (attr) => {
        const name = byLower.get(attr.toLowerCase());
        return name === undefined ? undefined : row[name];
      });
      if (matches) values.push(`(${qi}, '${String(row['__item']).replace(/'/g, "''")}')`);
    }
  });
  for (let k = 0; k < values.length; k += 5000) {
    await db.exec(`INSERT INTO query_items VALUES ${values.slice(k, k + 5000).join(', ')}`);
  }
  const rows = await db.rows<{ q: number; users: string[] }>(
    `SELECT q, array_sort(list(DISTINCT t.u)) AS users FROM query_items qi JOIN test t ON t.i = qi.i GROUP BY q`,
  );
  const users = new Map(rows.map((r) => [r.q, r.users]));
  return queries.map((q, qi) => ({ query: { itemAttributes: q.expression }, users: users.get(qi) ?? [] }));
}

/**
 * `queries.attributes: { top, attribute }`: the `top` values of a categorical item attribute with the most
 * training interactions (a value of 'a|b' counts for both), ties broken by the value itself (byte order), so the
 * same data always gives the same queries. Each becomes ITEMS.<attribute> = "<value>", as if written by hand.
 */
export async function topAttributeQueries(db: Db, attribute: string, top: number): Promise<AttributeQuery[]> {
  const col = `it.${sqlIdent(attribute)}`;
  const rows = await db.rows<{ value: string }>(`
    SELECT value FROM (
      SELECT unnest(string_split(${col}, '|')) AS value FROM train t JOIN items it ON it."ITEM_ID" = t.i WHERE ${col} IS NOT NULL)
    WHERE value <> '' GROUP BY value ORDER BY count(*) DESC, value LIMIT ${top}`);
  return rows.map((r) => {
    const conditions = [{ attribute, value: r.value }];
    return { expression: formatAttributeQuery(conditions), conditions };
  });
}

export function batchInputJsonl(queries: BatchQuery[]): string {
  return queries.map((q) => JSON.stringify(q)).join('\n') + (queries.length ? '\n' : '');
}
