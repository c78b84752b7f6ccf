import type { DataFormat } from './types.js';

/**
 * The data format from a file name, the one detection segflow has (validate, normalize, prepare, init):
 * .csv/.tsv -> csv; .jsonl/.ndjson/.json (JSON lines) -> jsonl; .parquet/.pq -> parquet. Text formats may end in
 * .gz (or .gzip); a glob's own extension counts (data/events-*.csv.gz is csv). Anything else: undefined.
 */
export function detectFormat(source: string): DataFormat | undefined {
  const name = source.toLowerCase().replace(/\.(gz|gzip)$/, '');
  if (name.endsWith('.csv') || name.endsWith('.tsv')) return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson') || name.endsWith('.json')) return 'jsonl';
  if (!/\.(gz|gzip)$/i.test(source) && (name.endsWith('.parquet') || name.endsWith('.pq'))) return 'parquet';
  return undefined;
}

export const FORMAT_EXTENSIONS = '.csv, .tsv, .jsonl, .ndjson or .json (optionally .gz), .parquet';
