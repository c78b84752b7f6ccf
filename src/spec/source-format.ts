import type { DataFormat } from './types.js';

/** The data format from a file name: .csv, .jsonl/.ndjson/.json (JSON lines), each optionally .gz. */
export function detectFormat(source: string): DataFormat | undefined {
  const name = source.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson') || name.endsWith('.json')) return 'jsonl';
  return undefined;
}
