/**
 * A small, fast CSV reader for the Personalize-format files the model trains on (RFC 4180: comma separated,
 * optional double quotes, "" inside quotes, quoted fields may span lines). Lines without a quote take a fast
 * path (plain split), which is nearly all of them for interaction logs.
 */
export interface CsvRow {
  fields: string[];
  /** 1-based line number where the record starts (the header is line 1). */
  line: number;
}

/** Calls onHeader with the first record, onRow for every later one; returns the header. Empty lines are skipped. */
export function readCsv(
  text: string,
  onRow: (fields: string[], line: number) => void,
  onHeader?: (header: string[]) => void,
): string[] {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 0;
  let header: string[] | null = null;
  const n = text.length;
  while (pos < n) {
    line++;
    const startLine = line;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    let raw = text.slice(pos, end);
    let fields: string[];
    if (raw.indexOf('"') < 0) {
      pos = end + 1;
      if (raw.endsWith('\r')) raw = raw.slice(0, -1);
      if (raw.length === 0) continue;
      fields = raw.split(',');
    } else {
      const parsed = parseQuoted(text, pos);
      fields = parsed.fields;
      line += parsed.extraLines;
      pos = parsed.next;
    }
    if (header === null) {
      header = fields.map((f) => f.trim());
      onHeader?.(header);
    } else onRow(fields, startLine);
  }
  return header ?? [];
}

/** Parses one record starting at pos that contains quotes; handles quoted newlines. */
function parseQuoted(text: string, pos: number): { fields: string[]; next: number; extraLines: number } {
  const fields: string[] = [];
  let field = '';
  let i = pos;
  let extraLines = 0;
  let inQuotes = false;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
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
      break;
    } else if (c === '\r' && text[i + 1] === '\n') {
      i += 2;
      break;
    } else {
      field += c;
      i++;
    }
  }
  fields.push(field);
  return { fields, next: i, extraLines };
}

/** Index of a header column, case-insensitively; -1 when absent. */
export function columnIndex(header: string[], name: string): number {
  const want = name.toUpperCase();
  return header.findIndex((h) => h.toUpperCase() === want);
}
