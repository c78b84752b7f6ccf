import { closeSync, openSync, readSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';

/**
 * The first line of a text file (gzip included), read synchronously from its first 64 KiB: what validate, init and
 * prepare need to know a CSV's header, delimiter and number of fields, or a JSON-lines file's first keys, without
 * DuckDB and without reading the file. Undefined when the file cannot be read.
 */
export function firstTextLine(path: string, maxBytes = 1 << 16): string | undefined {
  return headLines(path, maxBytes)?.[0];
}

/** The whole lines within the first `maxBytes` of a text file (gzip included); undefined when unreadable. */
export function headLines(path: string, maxBytes = 1 << 16): string[] | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(maxBytes);
    const n = readSync(fd, buf, 0, maxBytes, 0);
    let bytes = buf.subarray(0, n);
    if (/\.gz(ip)?$/i.test(path) || (bytes[0] === 0x1f && bytes[1] === 0x8b)) {
      // A prefix of a gzip stream inflates as far as it goes with a sync flush.
      bytes = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
    }
    const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
    const lines = text.split(/\r?\n/);
    // The last piece may be cut off by the byte limit (unless it is the whole file).
    if (lines.length > 1 && n === maxBytes) lines.pop();
    return lines;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The delimiters segflow recognizes in a CSV header line, in order of preference on a tie. */
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;

/** The delimiter of a CSV from one line: the most frequent of , ; tab | (',' when none occurs). */
export function detectDelimiter(line: string): string {
  let best: string = ',';
  let bestCount = 0;
  for (const d of CSV_DELIMITERS) {
    const n = line.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** The fields of one complete CSV record (quotes balanced; RFC 4180: "" is a quote inside a quoted field). */
export function splitCsvLine(record: string, delimiter = ','): string[] {
  if (!record.includes('"')) return record.split(delimiter);
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const ch = record[i]!;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (record[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

/** How a delimiter is shown in messages and YAML: tab as \t. */
export function showDelimiter(d: string): string {
  return d === '\t' ? '\\t' : d;
}
