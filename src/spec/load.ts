import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { inputError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { dedupeDiagnostics, formatDiagnostic, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { normalizeSpec } from './normalize.js';
import { schemaDiagnostics } from './schema-check.js';
import { semanticDiagnostics } from './semantic-rules.js';
import type { Spec, TargetKind } from './types.js';
import { YamlSource } from './yaml-source.js';

export interface LoadOptions {
  /** validate: missing data files are warnings; run (plan, prepare, apply, ...): errors. */
  mode: 'validate' | 'run';
  /** --target from the command line. */
  target?: TargetKind;
  /** The directory FILE is relative to (the command's working directory); also for display paths. */
  cwd: string;
  /** `validate --data`: local copies of s3:// sources' first files, by entry (their columns are checked too). */
  sourceFiles?: ReadonlyMap<string, string>;
}

export interface CheckResult {
  /** The file as the user named it (relative to cwd when inside it). */
  displayFile: string;
  diagnostics: Diagnostic[];
  /** Each diagnostic formatted with its source line and caret. */
  formatted: string[];
  spec?: Spec;
}

/** Reads and checks a pipeline file; never throws for problems in the file itself (they are diagnostics). */
export async function checkSpecFile(file: string, opts: LoadOptions): Promise<CheckResult> {
  const { cwd } = opts;
  const abs = resolve(cwd, file);
  const rel = relative(cwd, abs);
  const displayFile = rel.startsWith('..') ? abs : rel;
  let bytes: Buffer;
  try {
    bytes = await readFile(abs);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw inputError('SPEC_FILE', `cannot read pipeline file ${displayFile}: ${reason}`);
  }
  const src = new YamlSource(bytes.toString('utf8'));
  const value = src.hasSyntaxErrors ? undefined : src.toJS();
  const diagnostics: Diagnostic[] = [...src.syntaxDiagnostics];
  if (!src.hasSyntaxErrors && (value === null || value === undefined)) {
    diagnostics.push({
      severity: 'error',
      code: 'SPEC_EMPTY',
      message: 'the file is empty; a pipeline starts with version: 1 and name: ...',
      line: 1,
      col: 1,
      length: 1,
    });
  } else if (!src.hasSyntaxErrors) {
    diagnostics.push(...schemaDiagnostics(value, src));
    diagnostics.push(
      ...semanticDiagnostics(value, {
        src,
        specFile: abs,
        mode: opts.mode,
        ...(opts.target && { targetOverride: opts.target }),
        ...(opts.sourceFiles && { sourceFiles: opts.sourceFiles }),
      }),
    );
  }
  const sorted = sortDiagnostics(dedupeDiagnostics(diagnostics));
  const spec = sorted.some((d) => d.severity === 'error') ? undefined : normalizeSpec(value as Record<string, unknown>, abs, sha256(bytes), opts.target);
  const formatted = sorted.map((d) => formatDiagnostic(displayFile, d, src.lines));
  return { displayFile, diagnostics: sorted, formatted, ...(spec && { spec }) };
}

/**
 * For every command that acts on a pipeline: the Spec, or a SegflowError (exit 2) carrying every located
 * diagnostic. Warnings are returned for the caller to print.
 */
export async function loadSpecWithWarnings(file: string, opts: LoadOptions): Promise<{ spec: Spec; warnings: string[] }> {
  const result = await checkSpecFile(file, opts);
  if (!result.spec) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    throw inputError('SPEC_INVALID', `${result.displayFile} has ${errors} error${errors === 1 ? '' : 's'}`, result.formatted);
  }
  const warnings = result.formatted.filter((_, i) => result.diagnostics[i]!.severity === 'warning');
  return { spec: result.spec, warnings };
}

export async function loadSpec(file: string, opts: LoadOptions): Promise<Spec> {
  return (await loadSpecWithWarnings(file, opts)).spec;
}
