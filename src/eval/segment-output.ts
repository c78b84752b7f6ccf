/**
 * Batch segment job output (JSON Lines, one `<input>.out` per input file), read tolerantly: real jobs wrote
 * `output.usersList` with the query under `input` (captured in AWS's own sample notebook, 2021) while the developer
 * guide shows `output.recommendedUsers` and a top-level `itemAttributes`. Both shapes are accepted; every other
 * deviation is counted and reported with its file and line, never dropped silently.
 */
import type { BatchQuery } from '../data/artifacts.js';
import type { BadOutputLine } from './report-types.js';

export interface SegmentLine {
  file: string;
  line: number;
  query: BatchQuery;
  /** Users in the order the job ranked them, duplicates removed (first occurrence kept). */
  users: string[];
  /** The job's own per-line error; users is then empty. */
  error?: string;
}

export interface ParsedSegmentFile {
  lines: SegmentLine[];
  bad: BadOutputLine[];
  /** Non-blank lines read. */
  lineCount: number;
}

/** The key a query is matched on between ground truth and output: item id or the attribute expression. */
export function queryKey(q: BatchQuery): string {
  return 'itemId' in q ? `item:${q.itemId}` : `attributes:${q.itemAttributes}`;
}

export function queryLabel(q: BatchQuery): string {
  return 'itemId' in q ? q.itemId : q.itemAttributes;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

type LineResult = { ok: true; value: SegmentLine; duplicateUsers: number } | { ok: false; message: string };

function readQuery(rec: Record<string, unknown>): BatchQuery | string {
  const input = rec['input'];
  if (input !== undefined && !isRecord(input)) return "'input' is not an object";
  const itemId = input?.['itemId'];
  const attrs = input?.['itemAttributes'] ?? rec['itemAttributes'];
  if (itemId !== undefined && attrs !== undefined) return "the line has both 'itemId' and 'itemAttributes'";
  if (itemId !== undefined) {
    if (typeof itemId !== 'string' || itemId === '') return "'input.itemId' is not a non-empty string";
    return { itemId };
  }
  if (attrs !== undefined) {
    if (typeof attrs !== 'string' || attrs === '') return "'itemAttributes' is not a non-empty string";
    return { itemAttributes: attrs };
  }
  return "no query: expected 'input.itemId', 'input.itemAttributes' or 'itemAttributes'";
}

export function parseSegmentLine(text: string, file: string, line: number): LineResult {
  let rec: unknown;
  try {
    rec = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not JSON: ${(e as Error).message}` };
  }
  if (!isRecord(rec)) return { ok: false, message: 'not a JSON object' };
  const query = readQuery(rec);
  if (typeof query === 'string') return { ok: false, message: query };
  const error = rec['error'];
  if (error !== undefined && error !== null) {
    const message = typeof error === 'string' ? error : JSON.stringify(error);
    return { ok: true, value: { file, line, query, users: [], error: message }, duplicateUsers: 0 };
  }
  const output = rec['output'];
  if (!isRecord(output)) return { ok: false, message: "'output' is missing or not an object" };
  const list = output['usersList'] ?? output['recommendedUsers'];
  if (list === undefined) return { ok: false, message: "no users: expected 'output.usersList' or 'output.recommendedUsers'" };
  if (!Array.isArray(list)) return { ok: false, message: 'the users list is not an array' };
  const users: string[] = [];
  const seen = new Set<string>();
  let duplicateUsers = 0;
  for (const [i, u] of list.entries()) {
    if (typeof u !== 'string' || u === '') {
      return { ok: false, message: `user #${i + 1} is not a non-empty string: ${JSON.stringify(u)}` };
    }
    if (seen.has(u)) {
      duplicateUsers++;
      continue;
    }
    seen.add(u);
    users.push(u);
  }
  return { ok: true, value: { file, line, query, users }, duplicateUsers };
}

/** One non-blank output line, classified: the segment it carries (if usable) and the problems it has. */
export interface ClassifiedLine {
  segment?: SegmentLine;
  bad: BadOutputLine[];
}

/** The rules of docs/report.md for one line (1-based `line`); the caller skips blank lines. */
export function classifySegmentLine(raw: string, file: string, line: number): ClassifiedLine {
  const r = parseSegmentLine(raw, file, line);
  if (!r.ok) return { bad: [{ file, line, kind: 'invalid', message: r.message }] };
  const bad: BadOutputLine[] = [];
  if (r.value.error !== undefined) bad.push({ file, line, kind: 'job-error', message: `the job reported: ${r.value.error}` });
  if (r.duplicateUsers > 0) {
    bad.push({ file, line, kind: 'duplicate-users', message: `${r.duplicateUsers} user(s) listed twice; the first occurrence is kept` });
  }
  return { segment: r.value, bad };
}

/**
 * Parses one output file's text. Blank lines carry nothing and are skipped (a trailing newline is normal);
 * everything else is either a segment or a bad line.
 */
export function parseSegmentFile(text: string, file: string): ParsedSegmentFile {
  const lines: SegmentLine[] = [];
  const bad: BadOutputLine[] = [];
  let lineCount = 0;
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const raw = rows[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    lineCount++;
    const c = classifySegmentLine(raw, file, i + 1);
    bad.push(...c.bad);
    if (c.segment) lines.push(c.segment);
  }
  return { lines, bad, lineCount };
}

export interface MatchedSegments {
  /** queryKey -> the segment line that answers it. */
  byQuery: Map<string, SegmentLine>;
  bad: BadOutputLine[];
}

/**
 * Matches output lines to the queries asked, one line at a time (so a production run's files can be streamed): a
 * line for a query that was not asked (when `known` is given), or a second line for the same query, is a bad line
 * (the first answer is kept). `unknownPolicy` says whether an unasked query's answer is kept anyway.
 */
export class SegmentMatcher {
  /** queryKey -> the answer that counts (only with keepLines: a production run's segments are not kept). */
  readonly byQuery = new Map<string, SegmentLine>();
  readonly bad: BadOutputLine[] = [];
  private readonly firstAt = new Map<string, { file: string; line: number }>();

  constructor(
    private readonly known: Set<string> | undefined,
    private readonly unknownWhy = 'is not in ground-truth.json',
    private readonly keepUnknown = false,
    private readonly keepLines = true,
  ) {}

  /** 'first' for the answer that counts, 'duplicate' or 'unknown' (also recorded as bad lines). */
  add(l: SegmentLine): 'first' | 'duplicate' | 'unknown' {
    const key = queryKey(l.query);
    const unknown = this.known !== undefined && !this.known.has(key);
    if (unknown) {
      this.bad.push({ file: l.file, line: l.line, kind: 'unknown-query', message: `query ${JSON.stringify(queryLabel(l.query))} ${this.unknownWhy}` });
      if (!this.keepUnknown) return 'unknown';
    }
    const first = this.firstAt.get(key);
    if (first) {
      this.bad.push({
        file: l.file,
        line: l.line,
        kind: 'duplicate-query',
        message: `query ${JSON.stringify(queryLabel(l.query))} was already answered at ${first.file}:${first.line}; that answer is kept`,
      });
      return 'duplicate';
    }
    this.firstAt.set(key, { file: l.file, line: l.line });
    if (this.keepLines) this.byQuery.set(key, l);
    return unknown ? 'unknown' : 'first';
  }
}

export function sortBadLines(bad: BadOutputLine[]): BadOutputLine[] {
  return bad.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

/**
 * Matches output lines to the ground-truth queries: a line for a query the ground truth does not know, or a
 * second line for the same query, is a bad line (the first answer is kept).
 */
export function matchSegments(files: ParsedSegmentFile[], known: Set<string>): MatchedSegments {
  const matcher = new SegmentMatcher(known);
  const bad: BadOutputLine[] = [];
  for (const f of files) {
    bad.push(...f.bad);
    for (const l of f.lines) matcher.add(l);
  }
  return { byQuery: matcher.byQuery, bad: sortBadLines([...bad, ...matcher.bad]) };
}
