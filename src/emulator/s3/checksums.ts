import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** S3's flexible checksums. CRC64NVME is accepted but not verified (see docs/emulator.md). */
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

function u32Base64(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b.toString('base64');
}

/** Incremental checksum of one algorithm; `digest()` is base64, as S3 headers carry it. */
export class Checksum {
  private crc = 0;
  private hash: Hash | undefined;
  constructor(readonly algorithm: ChecksumAlgorithm) {
    if (algorithm === 'SHA1') this.hash = createHash('sha1');
    if (algorithm === 'SHA256') this.hash = createHash('sha256');
  }

  update(buf: Uint8Array): void {
    if (this.algorithm === 'CRC32') this.crc = crc32(buf, this.crc);
    else if (this.algorithm === 'CRC32C') this.crc = crc32cUpdate(this.crc, buf);
    else this.hash?.update(buf);
  }

  /** undefined when the algorithm is not verified (CRC64NVME). */
  digest(): string | undefined {
    if (this.algorithm === 'CRC32' || this.algorithm === 'CRC32C') return u32Base64(this.crc);
    if (this.hash) return this.hash.digest('base64');
    return undefined;
  }
}
