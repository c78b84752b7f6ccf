import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** S3's flexible checksums, all verified: CRC32, CRC32C, CRC64NVME, SHA1, SHA256. */
export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256' | 'CRC64NVME';
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'];

export function checksumHeader(a: ChecksumAlgorithm): string {
  return `x-amz-checksum-${a.toLowerCase()}`;
}

export function algorithmOfHeader(header: string): ChecksumAlgorithm | undefined {
  const m = /^x-amz-checksum-([a-z0-9]+)$/.exec(header.toLowerCase());
  const a = m?.[1]?.toUpperCase();
  return CHECKSUM_ALGORITHMS.find((x) => x === a);
}

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32cUpdate(crc: number, buf: Uint8Array): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < buf.length; i++) c = CRC32C_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5), as two 32-bit halves so it stays in fast integer math. */
const CRC64_TABLE = (() => {
  const lo = new Uint32Array(256);
  const hi = new Uint32Array(256);
  const pLo = 0xac4bc9b5;
  const pHi = 0x9a6c9329;
  for (let n = 0; n < 256; n++) {
    let l = n;
    let h = 0;
    for (let k = 0; k < 8; k++) {
      const bit = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h = h >>> 1;
      if (bit) {
        l = (l ^ pLo) >>> 0;
        h = (h ^ pHi) >>> 0;
      }
    }
    lo[n] = l;
    hi[n] = h;
  }
  return { lo, hi };
})();

export class Crc64Nvme {
  private lo = 0xffffffff;
  private hi = 0xffffffff;
  update(buf: Uint8Array): void {
    let lo = this.lo;
    let hi = this.hi;
    for (let i = 0; i < buf.length; i++) {
      const idx = (lo ^ buf[i]!) & 0xff;
      lo = (CRC64_TABLE.lo[idx]! ^ ((lo >>> 8) | (hi << 24))) >>> 0;
      hi = (CRC64_TABLE.hi[idx]! ^ (hi >>> 8)) >>> 0;
    }
    this.lo = lo;
    this.hi = hi;
  }
  digest(): Buffer {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(~this.hi >>> 0, 0);
    b.writeUInt32BE(~this.lo >>> 0, 4);
    return b;
  }
}

function u32Base64(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b.toString('base64');
}

/** Incremental checksum of one algorithm; `digest()` is base64, as S3 headers carry it. */
export class Checksum {
  private crc = 0;
  private hash: Hash | undefined;
  private crc64: Crc64Nvme | undefined;
  constructor(readonly algorithm: ChecksumAlgorithm) {
    if (algorithm === 'SHA1') this.hash = createHash('sha1');
    if (algorithm === 'SHA256') this.hash = createHash('sha256');
    if (algorithm === 'CRC64NVME') this.crc64 = new Crc64Nvme();
  }

  update(buf: Uint8Array): void {
    if (this.algorithm === 'CRC32') this.crc = crc32(buf, this.crc);
    else if (this.algorithm === 'CRC32C') this.crc = crc32cUpdate(this.crc, buf);
    else if (this.crc64) this.crc64.update(buf);
    else this.hash?.update(buf);
  }

  digest(): string {
    if (this.algorithm === 'CRC32' || this.algorithm === 'CRC32C') return u32Base64(this.crc);
    if (this.crc64) return this.crc64.digest().toString('base64');
    return this.hash!.digest('base64');
  }
}
