/**
 * A small RFC 4180 reader: comma separated, fields optionally double-quoted, "" or \" for a quote inside quotes,
 * newlines allowed inside quotes. Yields each record with the 1-based line number it starts on.
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

export function* readCsv(text: string): Generator<CsvRecord> {
  let i = 0;
  let line = 1;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // UTF-8 BOM
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let atFieldStart = true;
    for (;;) {
      if (i >= n) {
        if (quoted) throw new CsvSyntaxError(start, 'unterminated quoted field');
        fields.push(field);
        break;
      }
      const c = text[i]!;
      if (quoted) {
        if (c === '\\' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            quoted = false;
            i++;
            if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
              throw new CsvSyntaxError(line, 'unexpected character after a closing quote');
            }
          }
        } else {
          if (c === '\n') line++;
          field += c;
          i++;
        }
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
        fields.push(field);
        i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        break;
      } else {
        field += c;
        atFieldStart = false;
        i++;
      }
    }
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    yield { line: start, fields };
  }
}
