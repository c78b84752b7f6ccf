// Derives examples/data/online-retail-items.csv from online-retail.csv.gz (same licence, CC BY 4.0): one row per
// product (StockCode) with its most frequent Description, median UnitPrice, first sale, and two categorical
// attributes read off the description: KIND (what the product is, from keywords, first match wins) and THEME
// (Christmas or everyday). Run from the repository root: node examples/data/make-online-retail-items.mjs
import { DuckDBInstance } from '@duckdb/node-api';

const KINDS = [
  ['JEWELLERY', ['NECKLACE', 'BRACELET', 'EARRINGS', 'RING', 'CHARM']],
  ['CANDLE', ['CANDLE', 'T-LIGHT', 'TEALIGHT']],
  ['LIGHTING', ['LIGHTS', 'LAMP', 'LANTERN']],
  ['BAG', ['BAG']],
  ['MUG', ['MUG', 'CUP', 'TEACUP']],
  ['KITCHEN', ['BOWL', 'PLATE', 'TRAY', 'CAKE', 'BAKING', 'JAR', 'LUNCH', 'NAPKINS', 'TEAPOT', 'SPOON']],
  ['DECORATION', ['DECORATION', 'ORNAMENT', 'GARLAND', 'BUNTING', 'WREATH']],
  ['STATIONERY', ['CARD', 'WRAP', 'PAPER', 'STICKER', 'NOTEBOOK', 'PENCIL', 'PEN']],
  ['SIGN', ['SIGN', 'PLAQUE']],
  ['CLOCK', ['CLOCK']],
  ['FRAME', ['FRAME', 'MIRROR']],
  ['TOY', ['TOY', 'GAME', 'DOLL', 'PLAYHOUSE', 'JIGSAW']],
  ['TEXTILE', ['CUSHION', 'COVER', 'APRON', 'TOWEL', 'BLANKET', 'HOT WATER BOTTLE']],
  ['STORAGE', ['BOX', 'BASKET', 'CASE', 'HOLDER', 'TIN', 'HOOK']],
  ['GARDEN', ['GARDEN', 'PLANT', 'FLOWER', 'BIRD']],
];

const kind = `CASE ${KINDS.map(([k, words]) => `WHEN ${words.map((w) => `regexp_matches(description, '\\b${w}S?\\b')`).join(' OR ')} THEN '${k}'`).join(' ')} ELSE 'OTHER' END`;
const source = `read_csv('examples/data/online-retail.csv.gz', header = true,
  types = {'StockCode': 'VARCHAR', 'CustomerID': 'VARCHAR', 'InvoiceNo': 'VARCHAR', 'InvoiceDate': 'TIMESTAMP'})`;
const db = await (await DuckDBInstance.create(':memory:')).connect();
await db.run(`COPY (
  WITH sold AS (
    SELECT StockCode, upper(trim(Description)) AS description, UnitPrice, InvoiceDate FROM ${source}
    WHERE CustomerID IS NOT NULL AND Quantity > 0 AND InvoiceNo NOT LIKE 'C%' AND Description IS NOT NULL),
  named AS (SELECT StockCode, description, count(*) AS n FROM sold GROUP BY ALL),
  products AS (
    SELECT s.StockCode, arg_max(n.description, n.n) AS description, median(s.UnitPrice) AS price, min(s.InvoiceDate) AS first_sold
    FROM sold s JOIN named n USING (StockCode) GROUP BY s.StockCode)
  SELECT StockCode, description AS Description, round(price, 2) AS UnitPrice, strftime(first_sold, '%Y-%m-%d') AS FirstSold,
    ${kind} AS KIND, CASE WHEN regexp_matches(description, '\\bCHRISTMAS\\b|\\bXMAS\\b') THEN 'CHRISTMAS' ELSE 'EVERYDAY' END AS THEME
  FROM products ORDER BY StockCode
) TO 'examples/data/online-retail-items.csv' (HEADER, DELIMITER ',')`);
console.log('wrote examples/data/online-retail-items.csv');
