import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * The one CSV reader of segflow, for Personalize-format files (RFC 4180: comma separated, fields optionally
 * double-quoted, "" or \" for a quote inside quotes, quoted fields may span lines). Two ways to use it, one set of
 * rules, so an import the emulator accepts trains on exactly the values it checked:
 *  - strict (readCsvRecords): the emulator's import check; every record with the line it starts on, and a
 *    CsvSyntaxError with the line for an unterminated quote or text after a closing quote;
 *  - fast (readCsv, readCsvFile): the model's reader; records stream to a callback, files are read in chunks (so
 *    their size is not bounded by the longest string V8 can hold), and malformed quoting is read leniently.
 * Lines without a quote take a fast path (a plain split), which is nearly all of them for interaction logs.
 * Blank lines are skipped; a leading UTF-8 BOM is dropped.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

type OnRow = (fields: string[], line: number) => void;
type OnHeader = (header: string[]) => void;

interface Parsed {
  fields: string[];
  /** Where the next record starts. */
  next: number;
  /** Line breaks consumed, including the one ending the record. */
  lines: number;
}

/**
 * Reads the record starting at `pos`. Returns null when the text ends before the record does and more text may
 * follow (`final` false). `line` is the record's first line, for error messages.
 */
function nextRecord(text: string, pos: number, final: boolean, strict: boolean, line: number): Parsed | null {
  const n = text.length;
  const eol = text.indexOf('\n', pos);
  if (eol < 0 && !final) return null;
  const end = eol < 0 ? n : eol;
  let raw = text.slice(pos, end);
  if (raw.endsWith('\r')) raw = raw.slice(0, -1);
  if (raw.indexOf('"') < 0 && raw.indexOf('\r') < 0) {
    return { fields: raw.split(','), next: eol < 0 ? n : eol + 1, lines: eol < 0 ? 0 : 1 };
  }
  return parseQuoted(text, pos, final, strict, line);
}

/** The slow path: a record with quotes (or a bare CR line break), character by character. */
function parseQuoted(text: string, pos: number, final: boolean, strict: boolean, line: number): Parsed | null {
  const n = text.length;
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let atFieldStart = true;
  let lines = 0;
  let i = pos;
  for (;;) {
    if (i >= n) {
      if (!final) return null;
      if (quoted && strict) throw new CsvSyntaxError(line, 'unterminated quoted field');
      fields.push(field);
      return { fields, next: n, lines };
    }
    const c = text[i]!;
    if (quoted) {
      if (c === '\\' || c === '"') {
        // Personalize's CSV escapes a quote inside quotes as "" or \"; a lone quote closes the field.
        if (i + 1 >= n && !final) return null; // cannot tell "" or \" from a single character yet
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        if (c === '\\') {
          field += c;
          i++;
          continue;
        }
        quoted = false;
        i++;
        const after = text[i];
        if (strict && i < n && after !== ',' && after !== '\n' && after !== '\r') {
          throw new CsvSyntaxError(line + lines, 'unexpected character after a closing quote');
        }
        continue;
      }
      if (c === '\n') lines++;
      field += c;
      i++;
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      i++;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      atFieldStart = true;
      i++;
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && i + 1 >= n && !final) return null; // cannot tell CRLF from CR yet
      fields.push(field);
      return { fields, next: i + (c === '\r' && text[i + 1] === '\n' ? 2 : 1), lines: lines + 1 };
    } else {
      field += c;
      atFieldStart = false;
      i++;
    }
  }
}

const isBlank = (fields: string[]) => fields.length === 1 && fields[0] === '';

/** Feeds text chunk by chunk; calls onRecord for every complete record. */
class CsvParser {
  private carry = '';
  private line = 1;
  private first = true;

  constructor(
    private readonly strict: boolean,
    private readonly onRecord: OnRow,
  ) {}

  push(chunk: string, final: boolean): void {
    let text = this.carry + chunk;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let pos = 0;
    while (pos < text.length) {
      const r = nextRecord(text, pos, final, this.strict, this.line);
      if (!r) break; // the record continues in the next chunk
      const start = this.line;
      this.line += r.lines;
      pos = r.next;
      if (!isBlank(r.fields)) this.onRecord(r.fields, start);
    }
    this.carry = text.slice(pos);
  }
}

/** Strict, whole text: every record (the header first) with the line it starts on. */
export function* readCsvRecords(text: string): Generator<CsvRecord> {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let pos = 0;
  let line = 1;
  while (pos < text.length) {
    const r = nextRecord(text, pos, true, true, line)!;
    const start = line;
    line += r.lines;
    pos = r.next;
    if (!isBlank(r.fields)) yield { line: start, fields: r.fields };
  }
}

function headerThenRows(onRow: OnRow, onHeader?: OnHeader): { parser: CsvParser; header: () => string[] } {
  let header: string[] | null = null;
  const parser = new CsvParser(false, (fields, line) => {
    if (header === null) {
      header = fields.map((f) => f.trim());
      onHeader?.(header);
    } else onRow(fields, line);
  });
  return { parser, header: () => header ?? [] };
}

/** Fast: calls onHeader with the first record, onRow for every later one; returns the header. */
export function readCsv(text: string, onRow: OnRow, onHeader?: OnHeader): string[] {
  const { parser, header } = headerThenRows(onRow, onHeader);
  parser.push(text, true);
  return header();
}

/** readCsv over a file, chunk by chunk (UTF-8). */
export function readCsvFile(path: string, onRow: OnRow, onHeader?: OnHeader, chunkBytes = 16 << 20): string[] {
  const { parser, header } = headerThenRows(onRow, onHeader);
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    const decoder = new StringDecoder('utf8');
    for (;;) {
      const got = readSync(fd, buf, 0, chunkBytes, null);
      if (got === 0) break;
      parser.push(decoder.write(buf.subarray(0, got)), false);
    }
    parser.push(decoder.end(), true);
  } finally {
    closeSync(fd);
  }
  return header();
}

/** Index of a header column, case-insensitively; -1 when absent. */
export function columnIndex(header: string[], name: string): number {
  const want = name.toUpperCase();
  return header.findIndex((h) => h.toUpperCase() === want);
}
