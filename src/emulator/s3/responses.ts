import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import { ApiError } from '../api-error.js';
import type { Emu, RequestInfo } from '../context.js';
import type { ChunkChain } from '../auth/sigv4.js';
import { parseXml, XmlSyntaxError, xmlDocument, type XmlElement, type XmlNode } from '../xml.js';
import { receiveBody } from './receive-body.js';
import type { S3Bucket } from '../store/state.js';
import { getBucket } from './s3-model.js';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** One S3 request after routing: bucket and key are decoded from the path-style URL. */
export interface S3Request {
  emu: Emu;
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
  /** The verified request signature, which signed streaming uploads chain from. */
  chain?: ChunkChain;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function sendXml(r: S3Request, status: number, root: string, content: XmlNode[], headers: Record<string, string> = {}): void {
  const body = xmlDocument(root, S3_NS, content);
  r.res.writeHead(status, { ...baseHeaders(r), 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)), ...headers });
  r.res.end(body);
}

export function sendEmpty(r: S3Request, status: number, headers: Record<string, string> = {}): void {
  r.res.writeHead(status, { ...baseHeaders(r), 'content-length': '0', ...headers });
  r.res.end();
}

export function baseHeaders(r: { info: RequestInfo }): Record<string, string> {
  return { 'x-amz-request-id': r.info.requestId, 'x-amz-id-2': Buffer.from(r.info.requestId).toString('base64') };
}

/** S3 errors: <Error><Code/><Message/>...<RequestId/></Error>; HEAD answers carry no body. */
export function sendS3Error(req: IncomingMessage, res: ServerResponse, e: ApiError, requestId: string): void {
  const headers: Record<string, string> = { ...e.headers, 'x-amz-request-id': requestId, 'x-amz-id-2': Buffer.from(requestId).toString('base64') };
  if (req.method === 'HEAD') {
    res.writeHead(e.status, { ...headers, 'content-length': '0' });
    res.end();
    return;
  }
  const fields: XmlNode[] = Object.entries(e.fields).map(([k, v]) => [k, v]);
  const body = xmlDocument('Error', undefined, [['Code', e.code], ['Message', e.message], ...fields, ['RequestId', requestId]]);
  res.writeHead(e.status, { ...headers, 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

export function noSuchBucket(name: string): ApiError {
  return new ApiError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: name });
}

export function mustBucket(r: S3Request): S3Bucket {
  const b = getBucket(r.emu, r.info.partition, r.bucket!);
  if (!b) throw noSuchBucket(r.bucket!);
  return b;
}

export const MAX_CONFIG_BODY = 1024 * 1024;

/**
 * Small request bodies (XML configurations, policies), with the same checksum checks as object bodies. Operations
 * whose model says `requestChecksumRequired` (PutBucketPolicy, DeleteObjects, PutBucketTagging, ...) must carry a
 * Content-MD5 or an x-amz-checksum-* value, as S3 requires.
 */
export async function readSmallBody(r: S3Request, limit = MAX_CONFIG_BODY, checksumRequired = false): Promise<Buffer> {
  let got;
  try {
    got = await receiveBody(r.emu, r.req, limit, r.chain);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'EntityTooLarge') throw new ApiError('MaxMessageLengthExceeded', 'Your request was too big.');
    throw e;
  }
  if (checksumRequired && r.req.headers['content-md5'] === undefined && Object.keys(got.checksums).length === 0) {
    await rm(got.tempFile, { force: true });
    throw new ApiError('InvalidRequest', 'Missing required header for this request: Content-MD5');
  }
  try {
    return await readFile(got.tempFile);
  } finally {
    await rm(got.tempFile, { force: true });
  }
}

export async function readXmlBody(r: S3Request, root: string, checksumRequired = false): Promise<XmlElement> {
  const body = await readSmallBody(r, MAX_CONFIG_BODY, checksumRequired);
  try {
    const doc = parseXml(body.toString('utf8'));
    if (doc.name !== root) throw new XmlSyntaxError(`expected <${root}>, found <${doc.name}>`);
    return doc;
  } catch (e) {
    if (e instanceof XmlSyntaxError) {
      throw new ApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    }
    throw e;
  }
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '.000Z');
}

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
