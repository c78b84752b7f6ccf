/** report.html's sections about the delivered segments and the change since the previous run (both kinds of run). */
import { fmt, fmtInt, problemSegments, segmentFigures, segmentsSentence } from './format.js';
import { LISTED_QUERIES } from './render-md-segments.js';
import type { ChangesSection, Report, SegmentsSummary } from './report-types.js';
import { queryLabel } from './segment-output.js';
import { escapeXml as esc } from './svg-charts.js';

export function htmlRow(cells: string[], header = false): string {
  const tag = header ? 'th' : 'td';
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
}

export function segmentsHtml(s: SegmentsSummary): string[] {
  const b = ['<h2>Segments</h2>', `<p>${esc(segmentsSentence(s))}</p>`];
  b.push('<table id="segments">', htmlRow(['figure', 'value'], true), ...segmentFigures(s).map(([k, v]) => htmlRow([esc(k), esc(v)])), '</table>');
  b.push('<h3>How many segments a user is in</h3>', '<table id="membership">', htmlRow(['segments', 'users'], true));
  for (const h of s.membershipHistogram.slice(0, 30)) b.push(htmlRow([String(h.segments), fmtInt(h.users)]));
  if (s.membershipHistogram.length > 30) b.push(htmlRow(['…', `${s.membershipHistogram.length - 30} more rows in report.json`]));
  b.push('</table>', ...pairsHtml(s), ...problemQueriesHtml(s));
  return b;
}

function pairsHtml(s: SegmentsSummary): string[] {
  const b = ['<h3>Most overlapping segments</h3>'];
  if (s.overlap.topPairs === null) return [...b, `<p>Not computed: more than ${fmtInt(s.overlap.maxQueriesForPairs)} segments.</p>`];
  if (s.overlap.topPairs.length === 0) return [...b, '<p>No two segments share a user.</p>'];
  b.push('<table id="overlap-pairs">', htmlRow(['segment', 'segment', 'shared users', 'Jaccard'], true));
  for (const p of s.overlap.topPairs) b.push(htmlRow([esc(queryLabel(p.a)), esc(queryLabel(p.b)), fmtInt(p.shared), fmt(p.jaccard)]));
  return [...b, '</table>'];
}

function problemQueriesHtml(s: SegmentsSummary): string[] {
  const { without, short } = problemSegments(s);
  const b: string[] = [];
  if (without.length) {
    b.push('<h3>Queries without a segment</h3>', '<table id="without-segment">', htmlRow(['query', 'why'], true));
    for (const q of without.slice(0, LISTED_QUERIES)) b.push(htmlRow([esc(queryLabel(q.query)), esc(q.problem!)]));
    if (without.length > LISTED_QUERIES) b.push(htmlRow(['…', `${without.length - LISTED_QUERIES} more in report.json`]));
    b.push('</table>');
  }
  if (short.length) {
    b.push('<h3>Shortest segments</h3>', '<table id="short-segments">', htmlRow(['query', 'users'], true));
    for (const q of short.slice(0, LISTED_QUERIES)) b.push(htmlRow([esc(queryLabel(q.query)), String(q.returned)]));
    b.push('</table>');
  }
  return b;
}

export function changesHtml(c: ChangesSection | null): string[] {
  const b = ['<h2>Change since the previous run</h2>'];
  if (!c) return [...b, '<p>This is the first delivered run of this segmentation.</p>'];
  b.push(
    `<p id="changes-summary">Since run <code>${esc(c.previousRunId)}</code>: ${fmtInt(c.entered)} users entered a segment, ${fmtInt(c.stayed)} stayed and ` +
      `${fmtInt(c.left)} left (summed over queries); ${fmtInt(c.queriesAdded)} queries added, ${fmtInt(c.queriesRemoved)} removed` +
      (c.queriesChanged !== null ? `; ${fmtInt(c.queriesChanged)} segments changed` : '') +
      '. Per query: <code>changes.csv</code> beside <code>segments.csv</code>.</p>',
  );
  if (c.mostChanged.length) {
    b.push('<table id="changes">', htmlRow(['query', 'entered', 'stayed', 'left'], true));
    for (const q of c.mostChanged) b.push(htmlRow([esc(q.query), fmtInt(q.entered), fmtInt(q.stayed), fmtInt(q.left)]));
    b.push('</table>');
  }
  return b;
}

export function deliveryHtml(r: Report): string[] {
  const d = r.run.delivery;
  return d ? [`<p class="note">Segments delivered to <code>${esc(d.runUri)}</code> (latest: <code>${esc(d.latestUri)}</code>).</p>`] : [];
}
