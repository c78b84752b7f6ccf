import { createHash, type Hash } from 'node:crypto';
import { ApiError } from '../api-error.js';
import { chunkSignature, trailerSignature, type ChunkChain } from '../auth/sigv4.js';

/**
 * Decoder of the `aws-chunked` content encoding (SigV4 streaming uploads):
 *   <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n[<trailer>:<value>\r\n]*\r\n
 * Fed incrementally; returns decoded data; collects trailing headers (e.g. x-amz-checksum-crc32).
 * Given a chain (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]), every chunk signature and the trailer signature are
 * verified: each signs the chunk's SHA-256 and the previous signature, starting from the request's own.
 */
const MAX_LINE = 4096;

export class AwsChunkedDecoder {
  readonly trailers = new Map<string, string>();
  private state: 'size' | 'data' | 'data-crlf' | 'trailer' | 'done' = 'size';
  private line = '';
  private remaining = 0;
  private crlfSeen = 0;
  private previous = '';
  private chunkHash: Hash | undefined;
  private chunkClaim = '';
  private trailerLines: string[] = [];
  private trailerClaim: string | undefined;

  constructor(
    private readonly chain?: ChunkChain,
    private readonly signedTrailer = false,
  ) {
    if (chain) this.previous = chain.seedSignature;
  }

  private mismatch(): ApiError {
    return new ApiError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      403,
    );
  }

  private verifyChunk(sha256hex: string): void {
    if (!this.chain) return;
    const expected = chunkSignature(this.chain, this.previous, sha256hex);
    if (expected !== this.chunkClaim) throw this.mismatch();
    this.previous = expected;
  }

  private malformed(why: string): ApiError {
    return new ApiError('IncompleteBody', `The aws-chunked request body is malformed: ${why}.`, 400);
  }

  push(buf: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case 'size':
        case 'trailer': {
          const nl = buf.indexOf(0x0a, i);
          const end = nl < 0 ? buf.length : nl + 1;
          this.line += buf.subarray(i, end).toString('latin1');
          i = end;
          if (this.line.length > MAX_LINE) throw this.malformed('a chunk header line is too long');
          if (nl < 0) break;
          if (!this.line.endsWith('\r\n')) throw this.malformed('lines must end with CRLF');
          const text = this.line.slice(0, -2);
          this.line = '';
          if (this.state === 'size') this.onSizeLine(text);
          else this.onTrailerLine(text);
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, buf.length - i);
          out.push(buf.subarray(i, i + n));
          this.chunkHash?.update(buf.subarray(i, i + n));
          i += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.state = 'data-crlf';
            this.crlfSeen = 0;
          }
          break;
        }
        case 'data-crlf': {
          const expected = this.crlfSeen === 0 ? 0x0d : 0x0a;
          if (buf[i] !== expected) throw this.malformed('a chunk must be followed by CRLF');
          i++;
          if (++this.crlfSeen === 2) {
            this.state = 'size';
            if (this.chunkHash) this.verifyChunk(this.chunkHash.digest('hex'));
          }
          break;
        }
        case 'done':
          throw this.malformed('data after the final chunk');
      }
    }
    return out;
  }

  private onSizeLine(text: string): void {
    const [sizeHex, ...extensions] = text.split(';');
    if (this.chain) {
      const sig = extensions.map((e) => /^chunk-signature=([0-9a-f]{64})$/.exec(e.trim())?.[1]).find(Boolean);
      if (!sig) throw this.malformed('a signed streaming upload needs chunk-signature on every chunk');
      this.chunkClaim = sig;
      this.chunkHash = createHash('sha256');
    }
    if (!sizeHex || !/^[0-9a-fA-F]{1,16}$/.test(sizeHex)) throw this.malformed(`bad chunk size line '${text.slice(0, 80)}'`);
    const size = parseInt(sizeHex, 16);
    if (!Number.isSafeInteger(size)) throw this.malformed('chunk too large');
    if (size === 0) {
      this.state = 'trailer';
      if (this.chunkHash) {
        this.verifyChunk(this.chunkHash.digest('hex'));
        this.chunkHash = undefined;
      }
    } else {
      this.remaining = size;
      this.state = 'data';
    }
  }

  private onTrailerLine(text: string): void {
    if (text === '') {
      this.state = 'done';
      this.verifyTrailer();
      return;
    }
    const colon = text.indexOf(':');
    if (colon <= 0) throw this.malformed(`bad trailer '${text.slice(0, 80)}'`);
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') this.trailerClaim = value;
    else {
      this.trailers.set(name, value);
      this.trailerLines.push(`${name}:${value}\n`);
    }
  }

  private verifyTrailer(): void {
    if (!this.chain || !this.signedTrailer) return;
    if (this.trailerClaim === undefined) throw this.malformed('a signed trailer needs x-amz-trailer-signature');
    if (trailerSignature(this.chain, this.previous, this.trailerLines.join('')) !== this.trailerClaim) throw this.mismatch();
  }

  finish(): void {
    // Some clients end right after the last trailer line without the closing empty line.
    if (this.state === 'trailer' && this.line === '') {
      this.state = 'done';
      this.verifyTrailer();
    }
    if (this.state !== 'done') throw this.malformed('the body ended before the final chunk');
  }
}
