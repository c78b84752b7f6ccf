/**
 * A located problem in a pipeline file. Printed as
 *   FILE:LINE:COL: error CODE: message
 *       <the source line>
 *       ^~~~ (under the offending node)
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  code: string;
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** Characters to underline on that line (at least 1). */
  length: number;
}

export function formatDiagnostic(displayFile: string, d: Diagnostic, sourceLines: readonly string[]): string {
  const head = `${displayFile}:${d.line}:${d.col}: ${d.severity} ${d.code}: ${d.message}`;
  const src = sourceLines[d.line - 1];
  if (src === undefined) return head;
  const shown = src.replace(/\t/g, ' ');
  const width = Math.max(1, Math.min(d.length, shown.length - (d.col - 1)));
  const caret = ' '.repeat(d.col - 1) + '^' + '~'.repeat(width - 1);
  return `${head}\n    ${shown}\n    ${caret}`;
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.line - b.line || a.col - b.col || a.code.localeCompare(b.code));
}

/** Keeps the first diagnostic of each (code, position): ajv and the semantic rules may see the same thing. */
export function dedupeDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.code}@${d.line}:${d.col}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
