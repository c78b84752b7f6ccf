/**
 * Writes one run's report directory: report.json (the contract, docs/report.md), report.md, report.html and
 * segments.csv. Each file is written atomically; rewriting the same run's report replaces it.
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SegflowError } from '../util/errors.js';
import { publishAtomic, tempPathFor, writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';
import type { Report } from './report-types.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-md.js';
import { writeSegmentsCsv } from './segment-stream.js';

export { csvField } from './csv-records.js';

export const REPORT_FILES = {
  json: 'report.json',
  markdown: 'report.md',
  html: 'report.html',
  segments: 'segments.csv',
} as const;

/** The directory a run's report lives in: <reports root>/<runId>. */
export function reportDirFor(reportsRoot: string, report: Pick<Report, 'runId'>): string {
  return join(reportsRoot, report.runId);
}

/**
 * segments.csv (query,rank,user) for marketing tools: every answered query's segment as the job delivered it, from
 * the same segment files the report was computed on. The files are streamed and their sha256 checked, so the CSV
 * can never describe different output than report.json.
 */
export async function writeReportSegmentsCsv(report: Report, out: string): Promise<void> {
  const dir = join(report.inputs.workDir, report.inputs.segmentationDir ?? '');
  await mkdir(dirname(out), { recursive: true });
  const tmp = tempPathFor(out);
  try {
    const { files } = await writeSegmentsCsv(
      dir,
      report.inputs.segmentFiles.map((f) => f.file),
      tmp,
    );
    for (const [i, f] of report.inputs.segmentFiles.entries()) {
      if (files[i]?.sha256 !== f.sha256) {
        throw new SegflowError('RUN_EVAL_INPUT', `${f.file} changed after it was evaluated; run 'segflow report' again`);
      }
    }
    await publishAtomic(tmp, out);
  } finally {
    await rm(tmp, { force: true });
  }
}

export async function writeReport(report: Report, dir: string): Promise<{ dir: string; files: string[] }> {
  const files = [join(dir, REPORT_FILES.json), join(dir, REPORT_FILES.markdown), join(dir, REPORT_FILES.html), join(dir, REPORT_FILES.segments)];
  await writeReportSegmentsCsv(report, files[3]!);
  await writeFileAtomic(files[1]!, renderMarkdown(report));
  await writeFileAtomic(files[2]!, renderHtml(report));
  // report.json last: its presence marks a complete report directory (history reads only those).
  await writeJsonAtomic(files[0]!, report);
  return { dir, files };
}
