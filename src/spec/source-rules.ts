import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { matchLocalFiles } from './local-glob.js';
import { get, type Obj, type Report } from './rule-helpers.js';
import { bucketNameProblem } from './s3-bucket-name.js';
import { detectFormat, FORMAT_EXTENSIONS } from './source-format.js';
import { parseSourceLocation } from './source-location.js';
import type { RuleContext } from './semantic-rules.js';
import { displayPath } from './yaml-source.js';

/**
 * The `source` of each dataset: every entry must parse (s3:// URLs), tell its format (or `format` is set), agree
 * on one format, and, for local files, exist. validate reports a missing local file or an empty glob as a warning
 * (the user may download the data later); plan, prepare and apply as an error. S3 objects are checked when
 * prepare reads them: validate contacts nothing.
 */
export const DATASETS = ['interactions', 'items', 'users'] as const;

/** The entries of a raw `source` (a string or a list), each with its path in the document. */
export function sourceEntries(spec: Obj, dataset: string): Array<{ entry: string; path: Array<string | number> }> {
  return entriesAt(spec, ['data', dataset, 'source']);
}

function entriesAt(spec: Obj, base: Array<string | number>): Array<{ entry: string; path: Array<string | number> }> {
  const raw = get(spec, base);
  if (typeof raw === 'string') return raw === '' ? [] : [{ entry: raw, path: base }];
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((e, i) => (typeof e === 'string' && e !== '' ? [{ entry: e, path: [...base, i] }] : []));
}

/** Where sources are: the datasets, and each segmentation's queries.items.source (a file of chosen item ids). */
function sourceBlocks(spec: Obj): Array<Array<string | number>> {
  const segmentations = get(spec, ['segmentations']);
  const queryBases: Array<Array<string | number>> = Array.isArray(segmentations) ? segmentations.map((_, i) => ['segmentations', i]) : [[]];
  return [...DATASETS.map((d) => ['data', d]), ...queryBases.map((b) => [...b, 'queries', 'items'])];
}

export function checkSources(spec: Obj, ctx: RuleContext, report: Report): void {
  for (const base of sourceBlocks(spec)) {
    const entries = entriesAt(spec, [...base, 'source']);
    if (entries.length === 0) continue;
    const declared = get(spec, [...base, 'format']);
    const formats = new Map<string, string>();
    for (const { entry, path } of entries) {
      const loc = parseSourceLocation(entry);
      if ('error' in loc) {
        report('error', 'SPEC_SOURCE', `${displayPath(path)}: ${loc.error}`, path);
        continue;
      }
      if (loc.kind === 's3') {
        const problem = bucketNameProblem(loc.bucket);
        if (problem) report('error', 'SPEC_SOURCE', `${displayPath(path)}: bucket '${loc.bucket}' ${problem} (S3 bucket naming rules)`, path);
      }
      const detected = detectFormat(entry);
      if (declared === undefined && detected === undefined) {
        report(
          'error',
          'SPEC_FORMAT_UNKNOWN',
          `cannot tell the format of '${entry}' from its extension; name it ${FORMAT_EXTENSIONS} or set ${displayPath([...base, 'format'])}`,
          path,
        );
      }
      if (detected) formats.set(detected, entry);
      if (loc.kind === 'local') checkLocal(resolve(dirname(ctx.specFile), loc.path), loc.glob, path, ctx, report);
    }
    if (declared === undefined && formats.size > 1) {
      const list = [...formats].map(([f, e]) => `${f} (${e})`).join(', ');
      report(
        'error',
        'SPEC_FORMAT_MIXED',
        `${displayPath([...base, 'source'])} mixes formats: ${list}; one source is read as one relation, so its files must share one format`,
        [...base, 'source'],
      );
    }
    const onBadRows = get(spec, [...base, 'onBadRows']);
    if (get(spec, [...base, 'maxBadRows']) !== undefined && onBadRows !== 'skip') {
      report(
        'warning',
        'SPEC_MAX_BAD_ROWS_UNUSED',
        `${displayPath([...base, 'maxBadRows'])} only applies with onBadRows: skip`,
        [...base, 'maxBadRows'],
        'key',
      );
    }
  }
}

function checkLocal(abs: string, glob: boolean, path: Array<string | number>, ctx: RuleContext, report: Report): void {
  const severity = ctx.mode === 'validate' ? 'warning' : 'error';
  if (glob) {
    if (matchLocalFiles(abs).length === 0)
      report(severity, 'SPEC_SOURCE_MISSING', `${displayPath(path)} matches no file: ${abs} (paths are relative to the pipeline file)`, path);
    return;
  }
  const missing = !existsSync(abs);
  if (missing || !statSync(abs).isFile()) {
    report(
      severity,
      'SPEC_SOURCE_MISSING',
      `${displayPath(path)} ${missing ? 'does not exist' : 'is not a file'}: ${abs} (paths are relative to the pipeline file)`,
      path,
    );
  }
}
