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

/** The fields of one CSV line (double quotes as RFC 4180, "" inside a quoted field), trimmed of surrounding quotes. */
export function splitCsvLine(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur === '') quoted = true;
    else if (line.startsWith(delimiter, i)) {
      out.push(cur);
      cur = '';
      i += delimiter.length - 1;
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** How a delimiter is shown in messages and YAML: tab as \t. */
export function showDelimiter(d: string): string {
  return d === '\t' ? '\\t' : d;
}
