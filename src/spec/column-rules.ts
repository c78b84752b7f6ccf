import { dirname, resolve } from 'node:path';
import { detectDelimiter, headLines, showDelimiter, splitCsvLine } from '../util/text-head.js';
import { suggestion } from './did-you-mean.js';
import { matchLocalFiles } from './local-glob.js';
import { get, isObj, type Obj, type Report } from './rule-helpers.js';
import { segmentationBases } from './segmentation-rules.js';
import type { RuleContext } from './semantic-rules.js';
import { detectFormat } from './source-format.js';
import { parseSourceLocation } from './source-location.js';
import { displayPath, type SpecPath } from './yaml-source.js';

/**
 * The columns a source block names, checked where they are written: positions only with `header: false` (and
 * names only without it), `header`/`delimiter` only on CSV, and, for a local source that can be read, every named
 * column against the file's real header (its first line; JSON lines: the keys of the lines in its first 64 KiB),
 * with a did-you-mean. plan would otherwise find a misspelled column only after it started preparing the data.
 */
interface ColumnRef {
  /** The column as written: a name, or a 1-based position. */
  value: string | number;
  path: SpecPath;
  /** Attributes of JSON-lines items may be absent from the first lines (optional keys): a warning there. */
  optional: boolean;
}

function blocks(spec: Obj): SpecPath[] {
  const data = ['interactions', 'items', 'users'].map((d) => ['data', d]);
  return [...data, ...segmentationBases(spec).map((b) => [...b, 'queries', 'items'])];
}

function columnRefs(spec: Obj, base: SpecPath): ColumnRef[] {
  const refs: ColumnRef[] = [];
  const columns = get(spec, [...base, 'columns']);
  if (isObj(columns)) {
    for (const [role, v] of Object.entries(columns)) {
      if (typeof v === 'string' || typeof v === 'number') refs.push({ value: v, path: [...base, 'columns', role], optional: false });
    }
  }
  const attributes = get(spec, [...base, 'attributes']);
  if (Array.isArray(attributes)) {
    attributes.forEach((a, i) => {
      if (typeof a === 'string') refs.push({ value: a, path: [...base, 'attributes', i], optional: true });
      else if (isObj(a) && (typeof a['column'] === 'string' || typeof a['column'] === 'number'))
        refs.push({ value: a['column'], path: [...base, 'attributes', i, 'column'], optional: true });
      else if (isObj(a) && typeof a['name'] === 'string') refs.push({ value: a['name'], path: [...base, 'attributes', i, 'name'], optional: true });
    });
  }
  const column = get(spec, [...base, 'column']);
  if (typeof column === 'string' || typeof column === 'number') refs.push({ value: column, path: [...base, 'column'], optional: false });
  return refs;
}

/** The first local file of a source block (or validate --data's copy of an S3 one), with its format; else undefined. */
function firstLocalFile(spec: Obj, base: SpecPath, ctx: RuleContext): { file: string; entry: string; format: string | undefined } | undefined {
  const raw = get(spec, [...base, 'source']);
  const entry = typeof raw === 'string' ? raw : Array.isArray(raw) && typeof raw[0] === 'string' ? raw[0] : undefined;
  if (!entry) return undefined;
  const loc = parseSourceLocation(entry);
  if ('error' in loc) return undefined;
  const declared = get(spec, [...base, 'format']);
  if (loc.kind !== 'local') {
    const copy = ctx.sourceFiles?.get(entry);
    return copy ? { file: copy, entry, format: typeof declared === 'string' ? declared : detectFormat(entry) } : undefined;
  }
  const abs = resolve(dirname(ctx.specFile), loc.path);
  const file = loc.glob ? matchLocalFiles(abs)[0] : abs;
  return file ? { file, entry, format: typeof declared === 'string' ? declared : detectFormat(entry) } : undefined;
}

export function checkColumns(spec: Obj, ctx: RuleContext, report: Report): void {
  for (const base of blocks(spec)) {
    if (get(spec, [...base, 'source']) === undefined) continue;
    const header = get(spec, [...base, 'header']) !== false;
    const declared = get(spec, [...base, 'format']);
    const first = get(spec, [...base, 'source']);
    const entry = typeof first === 'string' ? first : Array.isArray(first) && typeof first[0] === 'string' ? first[0] : '';
    const format = typeof declared === 'string' ? declared : (detectFormat(entry) ?? 'csv');
    for (const key of ['header', 'delimiter']) {
      if (get(spec, [...base, key]) !== undefined && format !== 'csv') {
        report('error', 'SPEC_CSV_OPTION', `${displayPath([...base, key])} applies to CSV sources only (this source is ${format})`, [...base, key], 'key');
      }
    }
    const refs = columnRefs(spec, base);
    for (const r of refs) {
      if (!header && typeof r.value === 'string' && !/^[1-9][0-9]*$/.test(r.value)) {
        report(
          'error',
          'SPEC_COLUMN',
          `${displayPath(r.path)}: with header: false, columns are 1-based positions (e.g. 1), not names like '${r.value}'`,
          r.path,
        );
      }
      if (header && typeof r.value === 'number') {
        report(
          'error',
          'SPEC_COLUMN',
          `${displayPath(r.path)}: ${r.value} is a column position; positions need ${displayPath([...base, 'header'])}: false (a file without a header row), otherwise name the column`,
          r.path,
        );
      }
    }
    const local = firstLocalFile(spec, base, ctx);
    if (!local || (local.format !== 'csv' && local.format !== 'jsonl')) continue;
    const lines = headLines(local.file);
    if (!lines || lines.length === 0 || lines[0] === '') continue;
    const shown = local.entry;
    if (local.format === 'csv') {
      const d = get(spec, [...base, 'delimiter']);
      const delimiter = typeof d === 'string' && d.length === 1 ? d : detectDelimiter(lines[0]!);
      const fields = splitCsvLine(lines[0]!, delimiter);
      if (!header) {
        for (const r of refs) {
          const n = Number(r.value);
          if (Number.isInteger(n) && n > fields.length) {
            report(
              'error',
              'SPEC_COLUMN_UNKNOWN',
              `${displayPath(r.path)}: column ${n}, but the first line of ${shown} has ${fields.length} fields (delimiter '${showDelimiter(delimiter)}')`,
              r.path,
            );
          }
        }
        continue;
      }
      unknownColumns(refs, fields, `the header of ${shown}`, report, false);
    } else {
      const keys = new Set<string>();
      for (const line of lines) {
        try {
          const v: unknown = JSON.parse(line);
          if (isObj(v)) for (const k of Object.keys(v)) keys.add(k);
        } catch {
          /* a malformed line is prepare's to report, with its line number */
        }
      }
      if (keys.size > 0) unknownColumns(refs, [...keys], `the first lines of ${shown}`, report, true);
    }
  }
}

function unknownColumns(refs: ColumnRef[], real: string[], where: string, report: Report, jsonl: boolean): void {
  for (const r of refs) {
    if (typeof r.value !== 'string' || real.includes(r.value)) continue;
    const soft = jsonl && r.optional;
    const list = real.length > 12 ? `${real.slice(0, 12).join(', ')}, ...` : real.join(', ');
    report(
      soft ? 'warning' : 'error',
      'SPEC_COLUMN_UNKNOWN',
      `${displayPath(r.path)}: no column '${r.value}' in ${where}${suggestion(r.value, real)} (columns: ${list})`,
      r.path,
    );
  }
}
