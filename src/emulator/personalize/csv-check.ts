import { CsvSyntaxError, readCsvRecords } from '../../model/csv.js';
import type { SchemaField } from './avro-schema.js';

/**
 * Checks a Personalize bulk-import CSV against its dataset's schema the way the service does: the header must list
 * the schema's fields in schema order, unquoted; every row has a value of the field's type (blank only for nullable
 * fields); interactions need at least 1000 rows and 25 users with at least two interactions each.
 */
export const MIN_INTERACTIONS = 1000;
export const MIN_USERS_WITH_TWO = 25;
const MAX_ID_LENGTH = 256;
const MAX_REPORTED = 5;

export function checkImportCsv(fileName: string, text: string, fields: SchemaField[]): { ok: true; rows: string[][] } | { ok: false; reason: string } {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  if (firstLine.includes('"')) return { ok: false, reason: `${fileName}: the CSV header must not be quoted (found: ${firstLine.slice(0, 200)}).` };
  const rows: string[][] = [];
  const problems: string[] = [];
  let header: string[] | undefined;
  try {
    for (const rec of readCsvRecords(text)) {
      if (!header) {
        header = rec.fields.map((h) => h.trim());
        const expected = fields.map((f) => f.name);
        const same = header.length === expected.length && header.every((h, i) => h.toUpperCase() === expected[i]!.toUpperCase());
        if (!same) {
          return {
            ok: false,
            reason: `${fileName}: the CSV header (${header.join(',')}) does not match the schema; expected the columns ${expected.join(',')} in this order.`,
          };
        }
        continue;
      }
      if (rec.fields.length !== fields.length) {
        problems.push(`line ${rec.line}: expected ${fields.length} values, found ${rec.fields.length}`);
      } else {
        fields.forEach((f, i) => {
          const p = checkValue(f, rec.fields[i]!);
          if (p) problems.push(`line ${rec.line}, column ${f.name}: ${p}`);
        });
        rows.push(rec.fields);
      }
      if (problems.length >= MAX_REPORTED) break;
    }
  } catch (e) {
    if (e instanceof CsvSyntaxError) return { ok: false, reason: `${fileName}: line ${e.line}: malformed CSV (${e.message}).` };
    throw e;
  }
  if (!header) return { ok: false, reason: `${fileName}: the file is empty; a CSV header is required.` };
  if (problems.length > 0) return { ok: false, reason: `${fileName}: invalid data: ${problems.join('; ')}.` };
  return { ok: true, rows };
}

function checkValue(f: SchemaField, v: string): string | undefined {
  if (v === '') return f.nullable ? undefined : 'a value is required (the field is not nullable)';
  switch (f.type) {
    case 'int':
    case 'long':
      return /^-?\d+$/.test(v) ? undefined : `'${v.slice(0, 50)}' is not a ${f.type}`;
    case 'float':
    case 'double':
      return v.trim() !== '' && Number.isFinite(Number(v)) ? undefined : `'${v.slice(0, 50)}' is not a ${f.type}`;
    case 'boolean':
      return v === 'true' || v === 'false' ? undefined : `'${v.slice(0, 50)}' is not a boolean (true or false, lower case)`;
    case 'string':
      if ((f.name === 'USER_ID' || f.name === 'ITEM_ID') && v.length > MAX_ID_LENGTH) return `IDs are at most ${MAX_ID_LENGTH} characters`;
      return undefined;
  }
}

/** The interactions minimums; `rows` as returned by checkImportCsv with the schema's field order. */
export function checkInteractionMinimums(rows: string[][], fields: SchemaField[]): string | undefined {
  if (rows.length < MIN_INTERACTIONS) {
    return `There are not enough interactions: found ${rows.length}, at least ${MIN_INTERACTIONS} are required.`;
  }
  const userIdx = fields.findIndex((f) => f.name.toUpperCase() === 'USER_ID');
  const perUser = new Map<string, number>();
  for (const r of rows) perUser.set(r[userIdx]!, (perUser.get(r[userIdx]!) ?? 0) + 1);
  let withTwo = 0;
  for (const n of perUser.values()) if (n >= 2) withTwo++;
  if (withTwo < MIN_USERS_WITH_TWO) {
    return `There are not enough users with at least 2 interactions: found ${withTwo}, at least ${MIN_USERS_WITH_TWO} are required.`;
  }
  return undefined;
}
