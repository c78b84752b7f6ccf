/**
 * The CSV segflow writes for marketing tools (segments.csv, changes.csv): RFC 4180, a field quoted when it holds a
 * comma, a quote, a line break, or leading/trailing spaces; and the reader of the same files, streamed.
 */
import { splitCsvLine } from '../util/text-head.js';
import { fileLineBatches } from './file-lines.js';

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRow(values: readonly string[]): string {
  return values.map(csvField).join(',');
}

/** Splits one complete record (quotes balanced) into its fields. */
export function splitCsvRecord(record: string): string[] {
  return splitCsvLine(record, ',');
}

const quotes = (s: string) => {
  let n = 0;
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) n++;
  return n;
};

/**
 * The records of a CSV file, header first, streamed in batches. A quoted field may span lines (its line break is
 * kept as \n); blank lines are skipped.
 */
export async function* csvRecordBatches(path: string): AsyncGenerator<string[][]> {
  let pending: string | undefined;
  for await (const lines of fileLineBatches(path)) {
    const batch: string[][] = [];
    for (const { text } of lines) {
      const record = pending === undefined ? text : `${pending}\n${text}`;
      if (quotes(record) % 2 === 1) {
        pending = record;
        continue;
      }
      pending = undefined;
      if (record !== '') batch.push(splitCsvRecord(record));
    }
    if (batch.length) yield batch;
  }
  if (pending !== undefined) yield [splitCsvRecord(pending)];
}
