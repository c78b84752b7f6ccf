import { createHash, createHmac } from 'node:crypto';

/**
 * An independent SigV4 signer written from AWS's documentation ("Create a signed AWS API request"), so these tests
 * prove the emulator follows the documented protocol, not the JS SDK's particular output.
 */
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
export const sha256hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export interface RawRequest {
  method: string;
  endpoint: string;
  path: string; // already encoded
  query?: Array<[string, string]>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  service: string;
  region?: string;
  secret?: string;
  accessKey?: string;
  payloadHash?: string;
  now?: Date;
  /** Streaming uploads: the body is built after signing, from the seed signature (see chunkedBody). */
  bodyFromSeed?: (seed: SeedInfo) => Buffer;
}

export interface SeedInfo {
  signature: string;
  amzDate: string;
  scope: string;
  key: Buffer;
}

function amzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function canonicalQuery(q: Array<[string, string]>): string {
  return q
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function signature(secret: string, date: string, region: string, service: string, stringToSign: string): string {
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

export async function signedFetch(r: RawRequest): Promise<Response> {
  const now = r.now ?? new Date();
  const region = r.region ?? 'eu-west-1';
  const body = r.body ?? '';
  const host = new URL(r.endpoint).host;
  const payloadHash = r.payloadHash ?? sha256hex(body);
  const headers: Record<string, string> = { host, 'x-amz-date': amzDate(now), ...(r.headers ?? {}) };
  if (r.service === 's3') headers['x-amz-content-sha256'] = payloadHash;
  const names = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonicalPath = r.service === 's3' ? r.path : r.path.split('/').map(enc).join('/');
  const query = r.query ?? [];
  const canonical = [r.method, canonicalPath, canonicalQuery(query), names.map((n) => `${n}:${lower[n]}\n`).join(''), names.join(';'), payloadHash].join('\n');
  const date = headers['x-amz-date']!.slice(0, 8);
  const scope = `${date}/${region}/${r.service}/aws4_request`;
  const sts = ['AWS4-HMAC-SHA256', headers['x-amz-date'], scope, sha256hex(canonical)].join('\n');
  const sig = signature(r.secret ?? 'test', date, region, r.service, sts);
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${r.accessKey ?? 'test'}/${scope}, SignedHeaders=${names.join(';')}, Signature=${sig}`;
  delete headers.host;
  const key = hmac(hmac(hmac(hmac(`AWS4${r.secret ?? 'test'}`, date), region), r.service), 'aws4_request');
  const finalBody = r.bodyFromSeed ? r.bodyFromSeed({ signature: sig, amzDate: headers['x-amz-date']!, scope, key }) : body;
  const qs = query.length ? '?' + query.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&') : '';
  return fetch(`${r.endpoint}${r.path}${qs}`, { method: r.method, headers, body: r.method === 'GET' || r.method === 'HEAD' ? undefined : finalBody });
}

export function presignedUrl(endpoint: string, path: string, expires: number, now = new Date()): string {
  const host = new URL(endpoint).host;
  const d = amzDate(now);
  const scope = `${d.slice(0, 8)}/eu-west-1/s3/aws4_request`;
  const query: Array<[string, string]> = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `test/${scope}`],
    ['X-Amz-Date', d],
    ['X-Amz-Expires', String(expires)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const canonical = ['GET', path, canonicalQuery(query), `host:${host}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const sig = signature('test', d.slice(0, 8), 'eu-west-1', 's3', ['AWS4-HMAC-SHA256', d, scope, sha256hex(canonical)].join('\n'));
  return `${endpoint}${path}?${canonicalQuery([...query, ['X-Amz-Signature', sig]])}`;
}

/**
 * An aws-chunked body signed per AWS's "Signature calculations for the Authorization header: Transferring payload in
 * multiple chunks": each chunk signs the previous signature and its SHA-256; an optional signed trailer ends it.
 */
export function chunkedBody(seed: SeedInfo, chunks: Buffer[], trailer?: [string, string], tamper = false): Buffer {
  const emptyHash = sha256hex('');
  let previous = seed.signature;
  const parts: Buffer[] = [];
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    const sts = ['AWS4-HMAC-SHA256-PAYLOAD', seed.amzDate, seed.scope, previous, emptyHash, sha256hex(chunk)].join('\n');
    previous = createHmac('sha256', seed.key).update(sts).digest('hex');
    const data = tamper && chunk.length > 0 ? Buffer.from(chunk.toString().toUpperCase()) : chunk;
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), data, Buffer.from(chunk.length > 0 ? '\r\n' : ''));
  }
  if (trailer) {
    const canonical = `${trailer[0]}:${trailer[1]}\n`;
    const sts = ['AWS4-HMAC-SHA256-TRAILER', seed.amzDate, seed.scope, previous, sha256hex(canonical)].join('\n');
    const sig = createHmac('sha256', seed.key).update(sts).digest('hex');
    parts.push(Buffer.from(`${trailer[0]}:${trailer[1]}\r\nx-amz-trailer-signature:${sig}\r\n`));
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}
