import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * A small, fast CSV reader for the Personalize-format files the model trains on (RFC 4180: comma separated,
 * optional double quotes, "" or \" inside quotes, quoted fields may span lines). Lines without a quote take a fast
 * path (plain split), which is nearly all of them for interaction logs. Files are read in chunks, so their
 * size is not bounded by the longest string V8 can hold.
 */
type OnRow = (fields: string[], line: number) => void;
type OnHeader = (header: string[]) => void;

class CsvParser {
  private carry = '';
  private line = 0;
  private header: string[] | null = null;
  private first = true;

  constructor(
    private readonly onRow: OnRow,
    private readonly onHeader?: OnHeader,
  ) {}

  /** Parses every complete record in carry + chunk; keeps the incomplete tail unless final. */
  push(chunk: string, final: boolean): void {
    let text = this.carry + chunk;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let pos = 0;
    const n = text.length;
    while (pos < n) {
      let end = text.indexOf('\n', pos);
      if (end < 0) {
        if (!final) break;
        end = n;
      }
      let raw = text.slice(pos, end);
      let fields: string[];
      let lines = 1;
      if (raw.indexOf('"') < 0) {
        pos = end + 1;
        if (raw.endsWith('\r')) raw = raw.slice(0, -1);
        if (raw.length === 0) {
          this.line++;
          continue;
        }
        fields = raw.split(',');
      } else {
        const parsed = parseQuoted(text, pos, final);
        if (!parsed) break; // the record continues in the next chunk
        fields = parsed.fields;
        lines += parsed.extraLines;
        pos = parsed.next;
      }
      const startLine = this.line + 1;
      this.line += lines;
      if (this.header === null) {
        this.header = fields.map((f) => f.trim());
        this.onHeader?.(this.header);
      } else this.onRow(fields, startLine);
    }
    this.carry = pos < n ? text.slice(pos) : '';
  }

  result(): string[] {
    return this.header ?? [];
  }
}

/** Calls onHeader with the first record, onRow for every later one; returns the header. Empty lines are skipped. */
export function readCsv(text: string, onRow: OnRow, onHeader?: OnHeader): string[] {
  const p = new CsvParser(onRow, onHeader);
  p.push(text, true);
  return p.result();
}

/** readCsv over a file, chunk by chunk (UTF-8). */
export function readCsvFile(path: string, onRow: OnRow, onHeader?: OnHeader, chunkBytes = 16 << 20): string[] {
  const p = new CsvParser(onRow, onHeader);
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    const decoder = new StringDecoder('utf8');
    for (;;) {
      const got = readSync(fd, buf, 0, chunkBytes, null);
      if (got === 0) break;
      p.push(decoder.write(buf.subarray(0, got)), false);
    }
    p.push(decoder.end(), true);
  } finally {
    closeSync(fd);
  }
  return p.result();
}

/**
 * Parses one record starting at pos that contains quotes; handles quoted newlines. Returns null when the text
 * ends before the record does and more text may follow (not final).
 */
function parseQuoted(text: string, pos: number, final: boolean): { fields: string[]; next: number; extraLines: number } | null {
  const fields: string[] = [];
  let field = '';
  let i = pos;
  let extraLines = 0;
  let inQuotes = false;
  const n = text.length;
  let ended = false;
  while (i < n) {
    const c = text[i]!;
    if (inQuotes) {
      // Personalize's CSV escapes a quote inside quotes as "" or \" (as the emulator's import check reads it).
      if (c === '\\' && (text[i + 1] === '"' || (i + 1 >= n && !final))) {
        if (i + 1 >= n) return null; // cannot tell \" from \ yet
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        if (i + 1 >= n && !final) return null; // cannot tell "" from " yet
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        continue;
      }
      if (c === '\n') extraLines++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      inQuotes = true;
      i++;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      i++;
    } else if (c === '\n') {
      i++;
      ended = true;
      break;
    } else if (c === '\r' && text[i + 1] === '\n') {
      i += 2;
      ended = true;
      break;
    } else {
      field += c;
      i++;
    }
  }
  if (!ended && !final) return null;
  fields.push(field);
  return { fields, next: i, extraLines };
}

/** Index of a header column, case-insensitively; -1 when absent. */
export function columnIndex(header: string[], name: string): number {
  const want = name.toUpperCase();
  return header.findIndex((h) => h.toUpperCase() === want);
}
