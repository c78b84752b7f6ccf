import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseInteractions, type Interactions } from '../../src/model/dataset.js';

/** Online Retail cleaned as the notebook does, via DuckDB: customer present, Quantity > 0, no cancellations,
 * (user, item, time) deduped, users with more than 3 interactions. */
export async function loadRetailEvents(source: string, scratch: string): Promise<Interactions> {
  const out = join(scratch, 'retail-events.csv');
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const q = (s: string) => s.replace(/'/g, "''");
  await con.run(`
    COPY (
      WITH ev AS (
        SELECT DISTINCT CAST(CustomerID AS VARCHAR) AS USER_ID, StockCode AS ITEM_ID,
               CAST(epoch(CAST(InvoiceDate AS TIMESTAMP)) AS BIGINT) AS TIMESTAMP
        FROM read_csv('${q(source)}', header = true,
                      types = {'InvoiceNo': 'VARCHAR', 'StockCode': 'VARCHAR', 'CustomerID': 'BIGINT', 'InvoiceDate': 'VARCHAR'})
        WHERE CustomerID IS NOT NULL AND Quantity > 0 AND InvoiceNo NOT LIKE 'C%'
      )
      SELECT * FROM ev WHERE USER_ID IN (SELECT USER_ID FROM ev GROUP BY USER_ID HAVING count(*) > 3)
      ORDER BY USER_ID, TIMESTAMP, ITEM_ID
    ) TO '${q(out)}' (HEADER, DELIMITER ',')`);
  con.closeSync();
  return parseInteractions(readFileSync(out, 'utf8'), out);
}

/**
 * A product-kind attribute for Online Retail: the last word of each item's most frequent Description (CANDLE,
 * HOLDER, BAG, ...), kept when it is one of the 10 most common last words over all items; other items get none.
 */
export async function loadRetailKinds(source: string): Promise<Map<string, string>> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const q = (s: string) => s.replace(/'/g, "''");
  const reader = await con.runAndReadAll(`
    WITH d AS (
      SELECT StockCode AS item, upper(trim(Description)) AS descr, count(*) AS n
      FROM read_csv('${q(source)}', header = true, types = {'InvoiceNo': 'VARCHAR', 'StockCode': 'VARCHAR', 'Description': 'VARCHAR'})
      WHERE Description IS NOT NULL AND trim(Description) <> ''
      GROUP BY 1, 2
    ), top AS (
      SELECT item, descr FROM (SELECT *, row_number() OVER (PARTITION BY item ORDER BY n DESC, descr) AS r FROM d) WHERE r = 1
    ), kinds AS (
      SELECT item, regexp_extract(descr, '([A-Z]+)$', 1) AS kind FROM top
    ), common AS (
      SELECT kind FROM kinds WHERE kind <> '' GROUP BY 1 ORDER BY count(*) DESC, kind LIMIT 10
    )
    SELECT item, kind FROM kinds WHERE kind IN (SELECT kind FROM common) ORDER BY item`);
  const out = new Map<string, string>();
  for (const [item, kind] of reader.getRows()) out.set(String(item), String(kind));
  con.closeSync();
  return out;
}
