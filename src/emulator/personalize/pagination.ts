import { ApiError } from '../api-error.js';
import type { Emu } from '../context.js';
import type { PzRecord } from '../store/state.js';
import { Input, NEXT_TOKEN } from './validate.js';

/**
 * nextToken/maxResults (1..100, default 100). Items are listed newest first; the token is a cursor (the creation
 * sequence of the last item returned, plus the operation), so resources created between pages do not shift pages.
 * The emulator's `pageSize` caps every page, so a client that ignores nextToken misses items, as it would on AWS.
 */
export function paginate(emu: Emu, op: string, input: Input, items: PzRecord[]): { page: PzRecord[]; nextToken?: string } {
  const maxResults = Math.min(input.int('maxResults', { min: 1, max: 100 }) ?? 100, emu.opts.pageSize ?? Infinity);
  const token = input.str('nextToken', NEXT_TOKEN);
  const sorted = [...items].sort((a, b) => b._createdSeq - a._createdSeq);
  let start = 0;
  if (token !== undefined) {
    const cursor = decodeToken(token, op);
    start = sorted.findIndex((r) => r._createdSeq < cursor);
    if (start < 0) start = sorted.length;
  }
  const page = sorted.slice(start, start + maxResults);
  const more = start + maxResults < sorted.length;
  const last = page[page.length - 1];
  return more && last ? { page, nextToken: encodeToken(op, last._createdSeq) } : { page };
}

function encodeToken(op: string, seq: number): string {
  return Buffer.from(JSON.stringify({ op, seq })).toString('base64url');
}

function decodeToken(token: string, op: string): number {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { op?: unknown; seq?: unknown };
    if (v.op === op && typeof v.seq === 'number' && Number.isInteger(v.seq)) return v.seq;
  } catch {
    /* fall through */
  }
  throw new ApiError('InvalidNextTokenException', 'The next token is invalid.');
}
