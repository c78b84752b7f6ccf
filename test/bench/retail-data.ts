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
