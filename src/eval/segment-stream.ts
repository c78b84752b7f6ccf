/**
 * Batch segment output read as a stream: a production run's files hold millions of users (5,000 queries x 1,836
 * users), so they are read line by line, never whole, with the rules of segment-output.ts. Each file's sha256 is
 * taken on the way, so what was read can be tied to report.json.
 */
import { createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { SegflowError } from '../util/errors.js';
import { csvField } from './csv-records.js';
import { fileLineBatches } from './file-lines.js';
import type { SegmentFileInfo } from './report-types.js';
import { classifySegmentLine, queryKey, queryLabel, type ClassifiedLine } from './segment-output.js';

/**
 * Visits every non-blank line of the output files (paths relative to `dir`), classified, in file order; returns
 * each file's sha256 and non-blank line count. A missing file is RUN_EVAL_INPUT.
 */
export async function scanSegmentFiles(dir: string, files: readonly string[], visit: (c: ClassifiedLine) => void | Promise<void>): Promise<SegmentFileInfo[]> {
  const out: SegmentFileInfo[] = [];
  for (const file of files) {
    const hash = createHash('sha256');
    let lines = 0;
    try {
      for await (const batch of fileLineBatches(join(dir, file), (c) => hash.update(c))) {
        for (const l of batch) {
          if (l.text.trim() === '') continue;
          lines++;
          await visit(classifySegmentLine(l.text, file, l.line));
        }
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new SegflowError(
          'RUN_EVAL_INPUT',
          `${join(dir, file)} does not exist: a downloaded segment file is missing; run 'segflow apply FILE' again to download it`,
        );
      }
      throw e;
    }
    out.push({ file, sha256: hash.digest('hex'), lines });
  }
  return out;
}

export interface SegmentsCsvResult {
  /** Queries with a segment in the file. */
  queries: number;
  /** User rows written (the header not counted). */
  rows: number;
  files: SegmentFileInfo[];
}

/**
 * segments.csv (`query,rank,user`, RFC 4180 quoting) from a run's output files: every answered query's segment as
 * the job delivered it, in file order (duplicate users removed, rank from 1). Lines with the job's own error and
 * second answers for a query are skipped, invalid lines too (the report counts them). Streams: memory stays flat.
 */
export async function writeSegmentsCsv(dir: string, files: readonly string[], out: string): Promise<SegmentsCsvResult> {
  const ws = createWriteStream(out);
  const failed = once(ws, 'error').then(([e]) => Promise.reject(e as Error));
  failed.catch(() => undefined);
  const write = async (s: string) => {
    if (!ws.write(s)) await Promise.race([once(ws, 'drain'), failed]);
  };
  const answered = new Set<string>();
  let rows = 0;
  try {
    await write('query,rank,user\n');
    const infos = await scanSegmentFiles(dir, files, async ({ segment }) => {
      if (!segment || segment.error !== undefined) return;
      const key = queryKey(segment.query);
      if (answered.has(key)) return;
      answered.add(key);
      const q = csvField(queryLabel(segment.query));
      const lines = segment.users.map((u, i) => `${q},${i + 1},${csvField(u)}\n`);
      rows += lines.length;
      if (lines.length) await write(lines.join(''));
    });
    ws.end();
    await Promise.race([once(ws, 'finish'), failed]);
    return { queries: answered.size, rows, files: infos };
  } catch (e) {
    ws.destroy();
    throw e;
  }
}
