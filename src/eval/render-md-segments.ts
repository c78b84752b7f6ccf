/** report.md's sections about the delivered segments and the change since the previous run (both kinds of run). */
import { fmt, fmtInt, problemSegments, segmentFigures, segmentsSentence } from './format.js';
import type { ChangesSection, Report, SegmentsSummary } from './report-types.js';
import { queryLabel } from './segment-output.js';

/** What report.md and report.html say in place of the holdout for a production run. */
export const PRODUCTION_NOTE =
  'A production run: no split, so the model was trained on every prepared interaction and nothing was held out. ' +
  'There is no holdout evaluation; what a production run can show follows: the segments it delivered, how much they ' +
  "overlap, the change since the previous run and Personalize's own solution metrics.";

export const mdEscape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Queries listed by name in the report pages (the shortest segments, those without one). */
export const LISTED_QUERIES = 20;

export function segmentsMarkdown(s: SegmentsSummary): string[] {
  const out = ['## Segments', '', segmentsSentence(s), '', '| figure | value |', '|---|---|'];
  for (const [k, v] of segmentFigures(s)) out.push(`| ${mdEscape(k)} | ${v} |`);
  out.push('', '### How many segments a user is in', '', '| segments | users |', '|---|---|');
  for (const h of s.membershipHistogram.slice(0, 30)) out.push(`| ${h.segments} | ${fmtInt(h.users)} |`);
  if (s.membershipHistogram.length > 30) out.push(`| … | ${s.membershipHistogram.length - 30} more rows in report.json |`);
  out.push('', ...pairsMarkdown(s), ...problemQueriesMarkdown(s));
  return out;
}

function pairsMarkdown(s: SegmentsSummary): string[] {
  const out = ['### Most overlapping segments', ''];
  if (s.overlap.topPairs === null) return [...out, `Not computed: more than ${fmtInt(s.overlap.maxQueriesForPairs)} segments.`, ''];
  if (s.overlap.topPairs.length === 0) return [...out, 'No two segments share a user.', ''];
  out.push('| segment | segment | shared users | Jaccard |', '|---|---|---|---|');
  for (const p of s.overlap.topPairs) out.push(`| ${mdEscape(queryLabel(p.a))} | ${mdEscape(queryLabel(p.b))} | ${fmtInt(p.shared)} | ${fmt(p.jaccard)} |`);
  return [...out, ''];
}

function problemQueriesMarkdown(s: SegmentsSummary): string[] {
  const { without, short } = problemSegments(s);
  const out: string[] = [];
  if (without.length) {
    out.push('### Queries without a segment', '', '| query | why |', '|---|---|');
    for (const q of without.slice(0, LISTED_QUERIES)) out.push(`| ${mdEscape(queryLabel(q.query))} | ${mdEscape(q.problem!)} |`);
    if (without.length > LISTED_QUERIES) out.push(`| … | ${without.length - LISTED_QUERIES} more in report.json |`);
    out.push('');
  }
  if (short.length) {
    out.push('### Shortest segments', '', '| query | users |', '|---|---|');
    for (const q of short.slice(0, LISTED_QUERIES)) out.push(`| ${mdEscape(queryLabel(q.query))} | ${q.returned} |`);
    out.push('');
  }
  return out;
}

export function changesMarkdown(c: ChangesSection | null): string[] {
  const out = ['## Change since the previous run', ''];
  if (!c) return [...out, 'This is the first delivered run of this segmentation.', ''];
  out.push(
    `Since run ${c.previousRunId}: ${fmtInt(c.entered)} users entered a segment, ${fmtInt(c.stayed)} stayed and ${fmtInt(c.left)} left` +
      ` (summed over queries); ${fmtInt(c.queriesAdded)} queries added, ${fmtInt(c.queriesRemoved)} removed` +
      (c.queriesChanged !== null ? `; ${fmtInt(c.queriesChanged)} segments changed` : '') +
      '. Per query: changes.csv beside segments.csv.',
    '',
  );
  if (c.mostChanged.length) {
    out.push('| query | entered | stayed | left |', '|---|---|---|---|');
    for (const q of c.mostChanged) out.push(`| ${mdEscape(q.query)} | ${fmtInt(q.entered)} | ${fmtInt(q.stayed)} | ${fmtInt(q.left)} |`);
    out.push('');
  }
  return out;
}

/** Where the run's segments went (run.delivery). */
export function deliveryMarkdown(r: Report): string[] {
  const d = r.run.delivery;
  return d ? [`Segments delivered to ${d.runUri} (latest: ${d.latestUri}).`, ''] : [];
}
