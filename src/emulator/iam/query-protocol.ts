import type { ServerResponse } from 'node:http';
import { ApiError } from '../api-error.js';
import type { Emu } from '../context.js';
import { xmlDocument, type XmlNode } from '../xml.js';

/**
 * The AWS query protocol (IAM, STS): form-encoded parameters in, XML out:
 *   <XResponse xmlns=NS><XResult>...</XResult><ResponseMetadata><RequestId/></ResponseMetadata></XResponse>
 * Errors: <ErrorResponse xmlns=NS><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/></ErrorResponse>.
 */
export class Params {
  constructor(private readonly p: URLSearchParams) {}

  get(name: string): string | undefined {
    return this.p.get(name) ?? undefined;
  }

  required(name: string, rule: { max?: number; min?: number; pattern?: RegExp; patternText?: string } = {}): string {
    const v = this.get(name);
    if (v === undefined) throw validation(name, null, 'Member must not be null');
    return this.check(name, v, rule);
  }

  optional(name: string, rule: { max?: number; min?: number; pattern?: RegExp; patternText?: string } = {}): string | undefined {
    const v = this.get(name);
    return v === undefined ? undefined : this.check(name, v, rule);
  }

  private check(name: string, v: string, rule: { max?: number; min?: number; pattern?: RegExp; patternText?: string }): string {
    if (rule.min !== undefined && v.length < rule.min) throw validation(name, v, `Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && v.length > rule.max) throw validation(name, v, `Member must have length less than or equal to ${rule.max}`);
    if (rule.pattern && !rule.pattern.test(v))
      throw validation(name, v, `Member must satisfy regular expression pattern: ${rule.patternText ?? rule.pattern.source}`);
    return v;
  }

  int(name: string, min: number, max: number): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^-?\d+$/.test(v)) throw new ApiError('ValidationError', `Value '${v}' at '${camel(name)}' is not an integer`);
    if (n < min) throw validation(name, v, `Member must have value greater than or equal to ${min}`);
    if (n > max) throw validation(name, v, `Member must have value less than or equal to ${max}`);
    return n;
  }

  bool(name: string): boolean | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (v !== 'true' && v !== 'false') throw new ApiError('ValidationError', `Value '${v}' at '${camel(name)}' is not a boolean`);
    return v === 'true';
  }

  /** A list member: Name.member.1.Field=... -> [{Field: ...}, ...] (or plain values for Name.member.N). */
  members(name: string): Array<Record<string, string>> {
    const out: Array<Record<string, string>> = [];
    for (let i = 1; i <= 1000; i++) {
      const base = `${name}.member.${i}`;
      const entry: Record<string, string> = {};
      let found = false;
      for (const [k, v] of this.p) {
        if (k === base) {
          entry[''] = v;
          found = true;
        } else if (k.startsWith(`${base}.`)) {
          entry[k.slice(base.length + 1)] = v;
          found = true;
        }
      }
      if (!found) break;
      out.push(entry);
    }
    return out;
  }
}

function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function validation(name: string, value: string | null, constraint: string): ApiError {
  const shown = value === null ? 'null' : `'${value.length > 200 ? value.slice(0, 200) + '...' : value}'`;
  return new ApiError('ValidationError', `1 validation error detected: Value ${shown} at '${camel(name)}' failed to satisfy constraint: ${constraint}`);
}

export function sendQueryResult(res: ServerResponse, ns: string, action: string, requestId: string, result: XmlNode[] | undefined): void {
  const content: XmlNode[] = [];
  if (result !== undefined) content.push([`${action}Result`, result]);
  content.push(['ResponseMetadata', [['RequestId', requestId]]]);
  const body = xmlDocument(`${action}Response`, ns, content);
  res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

export function sendQueryError(res: ServerResponse, ns: string, e: ApiError, requestId: string): void {
  const type = e.status >= 500 ? 'Receiver' : 'Sender';
  const body = xmlDocument('ErrorResponse', ns, [
    [
      'Error',
      [
        ['Type', type],
        ['Code', e.code],
        ['Message', e.message],
      ],
    ],
    ['RequestId', requestId],
  ]);
  res.writeHead(e.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Parameters of a query request: the form body (POST) merged over the query string. */
export function queryParams(rawQuery: string, body: Buffer, contentType: string | undefined): URLSearchParams {
  const params = new URLSearchParams(rawQuery);
  if (body.length > 0) {
    if (contentType && !/application\/x-www-form-urlencoded/i.test(contentType)) {
      throw new ApiError('InvalidParameterValue', 'Content-Type must be application/x-www-form-urlencoded');
    }
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.set(k, v);
  }
  for (const k of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token'])
    params.delete(k);
  return params;
}

/**
 * IAM list paging: Marker is an opaque offset token; MaxItems 1..1000, default 100. The emulator's `pageSize` caps
 * every page ("IAM might return fewer than the MaxItems number of results even when there are more results
 * available", botocore iam MaxItems documentation), so clients must follow IsTruncated/Marker.
 */
export function page<T>(emu: Emu, items: T[], params: Params): { items: T[]; truncated: boolean; marker?: string } {
  const max = Math.min(params.int('MaxItems', 1, 1000) ?? 100, emu.opts.pageSize ?? Infinity);
  const marker = params.optional('Marker', { min: 1, max: 320 });
  let start = 0;
  if (marker !== undefined) {
    const n = Number(Buffer.from(marker, 'base64url').toString('utf8').replace(/^o:/, ''));
    if (!Buffer.from(marker, 'base64url').toString('utf8').startsWith('o:') || !Number.isInteger(n) || n < 0) {
      throw new ApiError('InvalidInput', 'Invalid Marker.');
    }
    start = n;
  }
  const slice = items.slice(start, start + max);
  const truncated = start + max < items.length;
  return truncated ? { items: slice, truncated, marker: Buffer.from(`o:${start + max}`).toString('base64url') } : { items: slice, truncated };
}
