/**
 * Writes one run's report directory: report.json (the contract, docs/report.md), report.md, report.html and
 * segments.csv. Each file is written atomically; rewriting the same run's report replaces it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SegflowError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';
import type { Report } from './report-types.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-md.js';
import { parseSegmentFile, queryKey, queryLabel } from './segment-output.js';

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

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * segments.csv (query,rank,user) for marketing tools: every answered query's segment as the job delivered it
 * (duplicate users removed, rank from 1), from the same segment files the report was computed on; the files are
 * re-read and their sha256 checked, so the CSV can never describe different output than report.json.
 */
export async function renderSegmentsCsv(report: Report): Promise<string> {
  const rows: string[] = ['query,rank,user'];
  const answered = new Set<string>();
  for (const f of report.inputs.segmentFiles) {
    const text = await readFile(join(report.inputs.workDir, f.file), 'utf8');
    if (sha256(text) !== f.sha256) {
      throw new SegflowError('RUN_EVAL_INPUT', `${f.file} changed after it was evaluated; run 'segflow report' again`);
    }
    for (const line of parseSegmentFile(text, f.file).lines) {
      const key = queryKey(line.query);
      if (line.error !== undefined || answered.has(key)) continue;
      answered.add(key);
      const q = csvField(queryLabel(line.query));
      line.users.forEach((u, i) => rows.push(`${q},${i + 1},${csvField(u)}`));
    }
  }
  return rows.join('\n') + '\n';
}

export async function writeReport(report: Report, dir: string): Promise<{ dir: string; files: string[] }> {
  const segments = await renderSegmentsCsv(report);
  const files = [
    join(dir, REPORT_FILES.json),
    join(dir, REPORT_FILES.markdown),
    join(dir, REPORT_FILES.html),
    join(dir, REPORT_FILES.segments),
  ];
  await writeFileAtomic(files[3]!, segments);
  await writeFileAtomic(files[1]!, renderMarkdown(report));
  await writeFileAtomic(files[2]!, renderHtml(report));
  // report.json last: its presence marks a complete report directory (history reads only those).
  await writeJsonAtomic(files[0]!, report);
  return { dir, files };
}
