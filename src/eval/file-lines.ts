import { createReadStream } from 'node:fs';

export interface FileLine {
  text: string;
  /** 1-based. */
  line: number;
}

/**
 * The lines of a file, split on \n (a trailing \r removed), blank ones included, in batches (one per chunk read):
 * files of millions of lines are read at the speed of the disk, not of one promise per line.
 */
export async function* fileLineBatches(path: string, onChunk?: (chunk: Buffer) => void): AsyncGenerator<FileLine[]> {
  let rest: Buffer = Buffer.alloc(0);
  let line = 0;
  const text = (b: Buffer) => {
    const s = b.toString('utf8');
    return s.endsWith('\r') ? s.slice(0, -1) : s;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    onChunk?.(chunk);
    const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    const batch: FileLine[] = [];
    let from = 0;
    for (let nl = buf.indexOf(10, from); nl !== -1; nl = buf.indexOf(10, from)) {
      batch.push({ text: text(buf.subarray(from, nl)), line: ++line });
      from = nl + 1;
    }
    rest = Buffer.from(buf.subarray(from));
    if (batch.length) yield batch;
  }
  if (rest.length > 0) yield [{ text: text(rest), line: line + 1 }];
}
