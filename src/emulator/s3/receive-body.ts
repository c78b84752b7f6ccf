import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../api-error.js';
import type { Emu } from '../context.js';
import type { ChunkChain } from '../auth/sigv4.js';
import { AwsChunkedDecoder } from './aws-chunked.js';
import { algorithmOfHeader, Checksum, checksumHeader, CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './checksums.js';

export interface ReceivedBody {
  tempFile: string;
  size: number;
  /** hex MD5 of the decoded body (the ETag of a single-part object). */
  md5: string;
  /** Verified full-body checksums by algorithm (base64). */
  checksums: Record<string, string>;
}

/**
 * Streams an upload body to a temp file: decodes aws-chunked, enforces the size limit, and verifies everything the
 * client claimed about the body — x-amz-content-sha256, Content-MD5, x-amz-checksum-* headers or trailers,
 * x-amz-decoded-content-length. On any failure the temp file is removed and an S3 error thrown.
 */
export async function receiveBody(emu: Emu, req: IncomingMessage, maxBytes: number, chain?: ChunkChain): Promise<ReceivedBody> {
  const h = (n: string) => {
    const v = req.headers[n];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const contentSha = h('x-amz-content-sha256') ?? '';
  const chunked = /aws-chunked/i.test(h('content-encoding') ?? '') || contentSha.startsWith('STREAMING-');
  const signedChunks = contentSha === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' || contentSha === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
  if (signedChunks && !chain) throw new ApiError('InvalidRequest', 'A signed streaming upload needs a signed request.');
  const decoder = chunked ? new AwsChunkedDecoder(signedChunks ? chain : undefined, contentSha.endsWith('-TRAILER')) : undefined;
  const declaredTrailers = (h('x-amz-trailer') ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const wanted = new Set<ChecksumAlgorithm>();
  for (const name of Object.keys(req.headers)) {
    const a = algorithmOfHeader(name);
    if (a) wanted.add(a);
  }
  for (const t of declaredTrailers) {
    const a = algorithmOfHeader(t);
    if (a) wanted.add(a);
  }
  const sdkAlgo = (h('x-amz-sdk-checksum-algorithm') ?? '').toUpperCase();
  if (CHECKSUM_ALGORITHMS.includes(sdkAlgo as ChecksumAlgorithm)) wanted.add(sdkAlgo as ChecksumAlgorithm);
  const sums = [...wanted].map((a) => new Checksum(a));
  const md5 = createHash('md5');
  const sha = /^[0-9a-f]{64}$/.test(contentSha) ? createHash('sha256') : undefined;
  const tempFile = emu.blobs.tempPath();
  const fh = await open(tempFile, 'w');
  let size = 0;
  const consume = async (data: Buffer) => {
    size += data.length;
    if (size > maxBytes)
      throw new ApiError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, { MaxSizeAllowed: String(maxBytes) });
    md5.update(data);
    sha?.update(data);
    for (const s of sums) s.update(data);
    await fh.write(data);
  };
  try {
    try {
      for await (const chunk of req) {
        const buf = chunk as Buffer;
        if (decoder) for (const part of decoder.push(buf)) await consume(part);
        else await consume(buf);
      }
      decoder?.finish();
    } finally {
      await fh.close();
    }
    if (sha && sha.digest('hex') !== contentSha) {
      throw new ApiError('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    const decodedLength = h('x-amz-decoded-content-length');
    if (decoder && decodedLength !== undefined && Number(decodedLength) !== size) {
      throw new ApiError(
        'IncompleteBody',
        `You did not provide the number of bytes specified by the x-amz-decoded-content-length header (${decodedLength}, received ${size}).`,
      );
    }
    if (!decoder) {
      const length = h('content-length');
      if (length !== undefined && Number(length) !== size)
        throw new ApiError('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
    }
    const md5hex = md5.digest('hex');
    const contentMd5 = h('content-md5');
    if (contentMd5 !== undefined) {
      if (!/^[A-Za-z0-9+/]{22}==$/.test(contentMd5)) throw new ApiError('InvalidDigest', 'The Content-MD5 you specified was invalid.');
      if (Buffer.from(contentMd5, 'base64').toString('hex') !== md5hex)
        throw new ApiError('BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    const checksums: Record<string, string> = {};
    for (const s of sums) {
      const header = checksumHeader(s.algorithm);
      const claimed = decoder?.trailers.get(header) ?? h(header);
      if (claimed === undefined) {
        if (declaredTrailers.includes(header)) throw new ApiError('InvalidRequest', `The trailer ${header} was declared in x-amz-trailer but not sent.`);
        continue;
      }
      const actual = s.digest();
      if (claimed !== actual) {
        throw new ApiError('BadDigest', `The ${s.algorithm} you specified did not match the calculated checksum.`);
      }
      checksums[s.algorithm] = actual;
    }
    return { tempFile, size, md5: md5hex, checksums };
  } catch (e) {
    await rm(tempFile, { force: true });
    req.resume();
    throw e;
  }
}
