import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * AWS Signature Version 4 verification, following AWS's documented algorithm (canonical request, string to
 * sign, derived signing key), for the Authorization header and for presigned query strings. Nothing here
 * knows about a particular SDK.
 */
export interface SignedScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  presigned: boolean;
  /** The x-amz-content-sha256 value (S3) or the hash of the body that was signed. */
  payloadHash: string;
  /** What streaming (aws-chunked) uploads chain their chunk signatures from. */
  chain: ChunkChain;
}

/** The seed of a SigV4 streaming upload: each chunk's signature covers the previous one. */
export interface ChunkChain {
  key: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

const EMPTY_SHA256 = createHash('sha256').digest('hex');

/** Signature of one aws-chunked chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD). */
export function chunkSignature(chain: ChunkChain, previous: string, chunkSha256Hex: string): string {
  const stringToSign = ['AWS4-HMAC-SHA256-PAYLOAD', chain.amzDate, chain.scope, previous, EMPTY_SHA256, chunkSha256Hex].join('\n');
  return createHmac('sha256', chain.key).update(stringToSign).digest('hex');
}

/** Signature of the trailing headers (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER). */
export function trailerSignature(chain: ChunkChain, previous: string, canonicalTrailers: string): string {
  const stringToSign = ['AWS4-HMAC-SHA256-TRAILER', chain.amzDate, chain.scope, previous, createHash('sha256').update(canonicalTrailers).digest('hex')].join(
    '\n',
  );
  return createHmac('sha256', chain.key).update(stringToSign).digest('hex');
}

/** 'expired': a presigned URL past its X-Amz-Expires; 'token-expired': credentials that have expired (accounts.ts). */
export type AuthFailureKind = 'missing' | 'malformed' | 'unknown-key' | 'mismatch' | 'expired' | 'skewed' | 'token-expired';
export class AuthFailure extends Error {
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
  ) {
    super(message);
  }
}

const MAX_SKEW_MS = 15 * 60 * 1000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Which service a request claims in its credential scope, read without verifying (for routing and error shapes). */
export function claimedScope(req: IncomingMessage, query: URLSearchParams): { service: string; region: string } | undefined {
  const credential = query.get('X-Amz-Credential') ?? /Credential=([^,\s]+)/.exec(String(req.headers.authorization ?? ''))?.[1];
  if (!credential) return undefined;
  const parts = credential.split('/');
  if (parts.length !== 5) return undefined;
  return { region: parts[2]!, service: parts[3]! };
}

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function canonicalUri(rawPath: string, service: string): string {
  const segments = rawPath.split('/').map((seg) => uriEncode(safeDecode(seg)));
  const once = segments.join('/') || '/';
  // Every service but S3 encodes the path twice (AWS SigV4 docs: "each path segment must be URI-encoded twice").
  if (service === 's3') return once;
  return once
    .split('/')
    .map((seg) => uriEncode(seg))
    .join('/');
}

export function canonicalQuery(rawQuery: string, exclude?: string): string {
  if (!rawQuery) return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const v = safeDecode(eq < 0 ? '' : part.slice(eq + 1));
    if (k === exclude) continue;
    pairs.push([uriEncode(k), uriEncode(v)]);
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerValues(req: IncomingMessage): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!.trim().replace(/\s+/g, ' ');
    const list = m.get(name);
    if (list) list.push(value);
    else m.set(name, [value]);
  }
  return m;
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

function parseAmzDate(s: string): number | undefined {
  const m = AMZ_DATE.exec(s);
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

interface Parsed {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  presigned: boolean;
  expires?: number;
}

function parseAuth(req: IncomingMessage, query: URLSearchParams): Parsed {
  const auth = req.headers.authorization;
  if (query.has('X-Amz-Signature') || query.has('X-Amz-Credential')) {
    if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') throw new AuthFailure('malformed', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    const cred = (query.get('X-Amz-Credential') ?? '').split('/');
    const signedHeaders = (query.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);
    const signature = query.get('X-Amz-Signature') ?? '';
    const amzDate = query.get('X-Amz-Date') ?? '';
    const expires = Number(query.get('X-Amz-Expires') ?? 'NaN');
    if (cred.length !== 5 || cred[4] !== 'aws4_request' || !signature || !amzDate || signedHeaders.length === 0) {
      throw new AuthFailure(
        'malformed',
        'Query-string authentication requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      );
    }
    if (!Number.isInteger(expires) || expires < 1 || expires > 604800) {
      throw new AuthFailure('malformed', 'X-Amz-Expires must be an integer between 1 and 604800 seconds');
    }
    return { accessKeyId: cred[0]!, date: cred[1]!, region: cred[2]!, service: cred[3]!, signedHeaders, signature, amzDate, presigned: true, expires };
  }
  if (auth === undefined) throw new AuthFailure('missing', 'Missing Authentication Token');
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(auth);
  if (!m) throw new AuthFailure('malformed', `Authorization header requires 'AWS4-HMAC-SHA256' as its algorithm.`);
  const fields = new Map<string, string>();
  for (const part of m[1]!.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const cred = (fields.get('Credential') ?? '').split('/');
  const signedHeaders = (fields.get('SignedHeaders') ?? '').split(';').filter(Boolean);
  const signature = fields.get('Signature') ?? '';
  if (cred.length !== 5 || cred[4] !== 'aws4_request' || signedHeaders.length === 0 || !/^[0-9a-f]{64}$/.test(signature)) {
    throw new AuthFailure(
      'malformed',
      "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters in the form Credential=KEY/DATE/REGION/SERVICE/aws4_request.",
    );
  }
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  return { accessKeyId: cred[0]!, date: cred[1]!, region: cred[2]!, service: cred[3]!, signedHeaders, signature, amzDate, presigned: false };
}

/**
 * Verifies a request; `secretFor` gives the secret of an access key id (undefined: no such key), `bodyHash` is
 * consulted only when the request carries no x-amz-content-sha256 header (S3 always carries one; the other services
 * sign the body hash). Throws AuthFailure.
 */
export function verifySigV4(
  req: IncomingMessage,
  rawPath: string,
  rawQuery: string,
  secretFor: (accessKeyId: string) => string | undefined,
  bodyHash: () => string,
  now = Date.now(),
): SignedScope {
  const query = new URLSearchParams(rawQuery);
  const p = parseAuth(req, query);
  const secret = secretFor(p.accessKeyId);
  if (secret === undefined) {
    throw new AuthFailure('unknown-key', 'The security token included in the request is invalid.');
  }
  const at = parseAmzDate(p.amzDate);
  if (at === undefined) throw new AuthFailure('malformed', 'Authorization requires a valid X-Amz-Date (yyyyMMddTHHmmssZ).');
  if (p.amzDate.slice(0, 8) !== p.date) {
    throw new AuthFailure('malformed', `Credential should be scoped to a valid date: '${p.amzDate.slice(0, 8)}', not '${p.date}'.`);
  }
  if (!p.signedHeaders.includes('host')) throw new AuthFailure('malformed', "'Host' must be a signed header.");
  if (p.presigned) {
    if (now > at + (p.expires ?? 0) * 1000) throw new AuthFailure('expired', 'Request has expired');
    if (at > now + MAX_SKEW_MS) throw new AuthFailure('skewed', 'Request is not yet valid');
  } else if (Math.abs(now - at) > MAX_SKEW_MS) {
    throw new AuthFailure('skewed', `Signature expired: ${p.amzDate} is now earlier or later than the server time by more than 15 minutes.`);
  }
  const headers = headerValues(req);
  const sorted = [...p.signedHeaders].sort();
  const canonicalHeaders = sorted.map((h) => `${h}:${(headers.get(h) ?? []).join(',')}\n`).join('');
  const contentSha = headers.get('x-amz-content-sha256')?.[0];
  const payloadHash = p.presigned && p.service === 's3' ? (contentSha ?? 'UNSIGNED-PAYLOAD') : (contentSha ?? bodyHash());
  const canonicalRequest = [
    req.method ?? 'GET',
    canonicalUri(rawPath, p.service),
    canonicalQuery(rawQuery, p.presigned ? 'X-Amz-Signature' : undefined),
    canonicalHeaders,
    sorted.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${p.date}/${p.region}/${p.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', p.amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const key = signingKey(secret, p.date, p.region, p.service);
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(p.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AuthFailure(
      'mismatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return {
    accessKeyId: p.accessKeyId,
    date: p.date,
    region: p.region,
    service: p.service,
    presigned: p.presigned,
    payloadHash,
    chain: { key, amzDate: p.amzDate, scope, seedSignature: p.signature },
  };
}
