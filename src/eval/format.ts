/** Number formatting shared by the text summary, report.md, report.html and the history table. */
import type { HoldoutFilter, Interval, Lift, Report, SegmentsSummary } from './report-types.js';

export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return x.toFixed(digits);
}

export function fmtInterval(ci: Interval | [number | null, number | null] | null, digits = 3): string {
  if (!ci) return '–';
  const lo = ci[0] === null ? '–' : ci[0].toFixed(digits);
  const hi = ci[1] === null ? '∞' : ci[1].toFixed(digits);
  return `[${lo}, ${hi}]`;
}

export function fmtLift(lift: Lift, digits = 2): string {
  return lift.recall === null ? 'n/a (baseline 0)' : `${lift.recall.toFixed(digits)}x`;
}

export function fmtUsd(x: number | undefined): string {
  return x === undefined ? '–' : `$${x.toFixed(2)}`;
}

export function fmtInt(x: number): string {
  return x.toLocaleString('en-US');
}

/** The cost table's rows (item, estimate, estimated USD as a range, actual, actual USD), for report.md and .html. */
export function costRows(r: Report): string[][] {
  return (r.cost.lines ?? []).map((c) => [
    c.item,
    c.estimateQuantity,
    c.estimateLowUsd.toFixed(2) === c.estimateUsd.toFixed(2) ? fmtUsd(c.estimateUsd) : `${fmtUsd(c.estimateLowUsd)}-${fmtUsd(c.estimateUsd)}`,
    c.actualQuantity ?? '–',
    fmtUsd(c.actualUsd),
  ]);
}

/** Which filter the run applied and what it did to the evaluation, in one sentence (summary, report.md, .html). */
export function filterSentence(f: HoldoutFilter): string {
  return (
    `Segment filter ${f.expression}: ${fmtInt(f.eligibleUsers)} of ${fmtInt(f.trainUsers)} train users pass it, and the baselines draw only from them; ` +
    `${fmtInt(f.truthUsersRemoved)} of ${fmtInt(f.truthUsers)} test users it excludes were left out of the truth.`
  );
}

export function fmtPercent(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** "38" when every segment has the same size, else "36-38" (the range of sizes). */
export function segmentSizeText(s: SegmentsSummary): string {
  if (!s.size) return '0';
  return s.size.min === s.size.max ? fmtInt(s.size.min) : `${fmtInt(s.size.min)}-${fmtInt(s.size.max)}`;
}

/** The sentence that opens the segments section of report.md and report.html. */
export function segmentsSentence(s: SegmentsSummary): string {
  return (
    `${fmtInt(s.answered)} segments of ${segmentSizeText(s)} users (numResults ${s.k})` +
    (s.queriesAsked !== null ? ` for ${fmtInt(s.queriesAsked)} queries asked` : '') +
    `; ${fmtInt(s.memberships)} memberships, ${fmtInt(s.distinctUsers)} distinct users` +
    (s.reach !== null && s.population !== null ? ` (${fmtPercent(s.reach)} of ${fmtInt(s.population)} users)` : '') +
    '.'
  );
}

/** The segments section's table (figure, value), for report.md and report.html. */
export function segmentFigures(s: SegmentsSummary): Array<[string, string]> {
  return [
    ['segment size min / median / max', s.size ? `${fmtInt(s.size.min)} / ${fmt(s.size.median, 1)} / ${fmtInt(s.size.max)}` : '–'],
    ['segment size mean', s.size ? fmt(s.size.mean, 2) : '–'],
    [`segments with fewer than ${s.k} users`, fmtInt(s.short)],
    ["queries with the job's own error", fmtInt(s.jobErrors)],
    ['queries without a usable output line', fmtInt(s.withoutOutput)],
    ['segments per user (mean)', s.distinctUsers ? fmt(s.memberships / s.distinctUsers, 2) : '–'],
    ['mean pairwise overlap |A∩B| / K', fmt(s.overlap.meanPairwise, 4)],
  ];
}

/** Segments without a usable answer, and the answered ones shorter than k (shortest first). */
export function problemSegments(s: SegmentsSummary): { without: SegmentsSummary['perQuery']; short: SegmentsSummary['perQuery'] } {
  return {
    without: s.perQuery.filter((q) => q.problem !== undefined),
    short: s.perQuery.filter((q) => q.problem === undefined && q.returned < s.k).sort((a, b) => a.returned - b.returned),
  };
}
