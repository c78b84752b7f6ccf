import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic, Severity } from './diagnostics.js';

/** A path into the spec: object keys and array indexes, as ajv's instancePath and the semantic rules use them. */
export type SpecPath = ReadonlyArray<string | number>;

/**
 * The parsed YAML with its node ranges, so that every diagnostic can point at the node it is about.
 * Parsing never throws: syntax errors come back as diagnostics.
 */
export class YamlSource {
  readonly lines: string[];
  private readonly counter = new LineCounter();
  readonly doc: Document.Parsed;
  readonly syntaxDiagnostics: Diagnostic[] = [];

  constructor(readonly text: string) {
    this.lines = text.split(/\r?\n/);
    this.doc = parseDocument(text, { lineCounter: this.counter, uniqueKeys: true, prettyErrors: false, strict: true });
    for (const e of this.doc.errors) this.syntaxDiagnostics.push(this.fromYamlError('error', e.code, e.message, e.pos));
    for (const w of this.doc.warnings) this.syntaxDiagnostics.push(this.fromYamlError('warning', w.code, w.message, w.pos));
  }

  /**
   * True when the document cannot be read as data. A duplicate key alone does not stop the checks: the rest of
   * the file is still reported, so one run shows every independent mistake.
   */
  get hasSyntaxErrors(): boolean {
    return this.syntaxDiagnostics.some((d) => d.severity === 'error' && d.code !== 'SPEC_DUPLICATE_KEY');
  }

  /** The plain JS value of the document (only meaningful without syntax errors). */
  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
  }

  private fromYamlError(severity: Severity, code: string, message: string, pos: [number, number]): Diagnostic {
    if (code === 'DUPLICATE_KEY') {
      const key = /^["']?([^:"'\n]*)/.exec(this.text.slice(pos[0]))?.[1]?.trim() ?? '';
      return this.diagnosticAtOffsets(
        severity,
        'SPEC_DUPLICATE_KEY',
        `duplicate key '${key}': each key may appear once in a map`,
        pos[0],
        pos[0] + Math.max(1, key.length),
      );
    }
    // The yaml package appends its own "at line L, column C" and a code frame; we print our own.
    const clean = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return this.diagnosticAtOffsets(severity, 'SPEC_YAML', clean, pos[0], pos[1]);
  }

  diagnosticAtOffsets(severity: Severity, code: string, message: string, start: number, end: number): Diagnostic {
    const safeStart = Math.min(Math.max(0, start), Math.max(0, this.text.length - 1));
    const { line, col } = this.counter.linePos(safeStart);
    const lineText = this.lines[line - 1] ?? '';
    // Underline to the end offset but never past the line.
    const length = Math.max(1, Math.min(end - safeStart, lineText.length - (col - 1)));
    return { severity, code, message, line, col, length };
  }

  /** The node at a path, or undefined when the path does not exist. */
  nodeAt(path: SpecPath): Node | undefined {
    if (path.length === 0) return (this.doc.contents as Node | null) ?? undefined;
    const node = this.doc.getIn(path as unknown[], true);
    return node && typeof node === 'object' && 'range' in node ? (node as Node) : undefined;
  }

  /** The key node of the last path element when the parent is a map (for "unknown key" and "missing key"). */
  keyNodeAt(path: SpecPath): Node | undefined {
    if (path.length === 0) return undefined;
    const parent = this.nodeAt(path.slice(0, -1));
    const last = path[path.length - 1];
    if (!isMap(parent)) return undefined;
    for (const pair of parent.items) {
      if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(last)) return pair.key;
    }
    return undefined;
  }

  /**
   * A diagnostic inside a string value: `index` and `length` are positions in the value (as parsed), so the caret
   * points at the offending token even inside quotes. Falls back to the whole value when it cannot be mapped.
   */
  diagnosticInString(severity: Severity, code: string, message: string, path: SpecPath, index: number, length: number): Diagnostic {
    const node = this.nodeAt(path);
    const start = node ? scalarOffset(this.text, node, index) : undefined;
    const end = node ? scalarOffset(this.text, node, index + length) : undefined;
    if (start === undefined) return this.diagnosticAt(severity, code, message, path);
    return this.diagnosticAtOffsets(severity, code, message, start, end ?? start + Math.max(1, length));
  }

  /**
   * A diagnostic located at the value (or, with `at: 'key'`, the key) of a path. When the path is missing, the
   * nearest existing ancestor's key is used, so "missing key" errors point at the map that lacks it.
   */
  diagnosticAt(severity: Severity, code: string, message: string, path: SpecPath, at: 'value' | 'key' = 'value'): Diagnostic {
    for (let depth = path.length; depth >= 0; depth--) {
      const p = path.slice(0, depth);
      const key = at === 'key' || depth < path.length ? this.keyNodeAt(p) : undefined;
      const node = key ?? this.nodeAt(p);
      const range = node?.range;
      if (range) {
        // A collection's range spans many lines: underline only its first token.
        const end = isMap(node) || isSeq(node) ? range[0] + 1 : range[1];
        return this.diagnosticAtOffsets(severity, code, message, range[0], end);
      }
    }
    return { severity, code, message, line: 1, col: 1, length: 1 };
  }
}

/**
 * The offset in the YAML text of character `index` of a scalar's value: walks the value and its source together,
 * undoing quoting ('' in single quotes, backslash escapes in double quotes) and line folding. Returns undefined when
 * the two cannot be aligned (the caller then points at the whole scalar).
 */
export function scalarOffset(text: string, node: Node, index: number): number | undefined {
  if (!isScalar(node) || !node.range || typeof node.value !== 'string') return undefined;
  const value = node.value;
  let pos = node.range[0];
  const type = node.type;
  if (type === 'QUOTE_SINGLE' || type === 'QUOTE_DOUBLE') pos++;
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    pos = text.indexOf('\n', pos) + 1;
    if (pos === 0) return undefined;
    while (text[pos] === ' ') pos++;
  }
  const end = node.range[1];
  for (let i = 0; i < index && i < value.length; i++) {
    const c = value[i]!;
    if (pos >= end) return undefined;
    if (type === 'QUOTE_SINGLE' && text.startsWith("''", pos)) pos += 2;
    else if (type === 'QUOTE_DOUBLE' && text[pos] === '\\') {
      const e = text[pos + 1];
      pos += e === 'x' ? 4 : e === 'u' ? 6 : e === 'U' ? 10 : 2;
    } else if (text[pos] === c) pos++;
    else if ((c === ' ' || c === '\n') && (text[pos] === '\n' || text[pos] === '\r')) {
      // A folded line break: skip it and the next line's indentation.
      while (text[pos] === '\n' || text[pos] === '\r' || text[pos] === ' ' || text[pos] === '\t') pos++;
    } else return undefined;
  }
  return pos;
}

/** `data.interactions.columns` style, for messages. */
export function displayPath(path: SpecPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? 'the file' : out;
}
