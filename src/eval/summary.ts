import { caveatSentence, marked } from './judgeable.js';
import { filterSentence, fmt, fmtInt, fmtInterval, fmtLift, fmtPercent, segmentSizeText } from './format.js';
import type { ChangesSection, Holdout, ModelChoiceReport, Report, SegmentsSummary } from './report-types.js';

/**
 * A few plain lines for the end of `apply` and the top of `report`. An experiment: the model against the popularity
 * and random baselines at K, with lift and the model's 95% interval. A production run: how many segments of how many
 * users, how many distinct users they reach and how much they overlap. Both: the change since the previous run.
 */
export function summarizeReport(report: Report): string[] {
  const of = report.segmentation !== report.pipeline ? ` of ${report.segmentation}` : '';
  const lines = report.holdout ? holdoutLines(report.holdout, of) : productionLines(report.segments, of);
  if (report.modelChoice) lines.push(modelChoiceLine(report.modelChoice));
  if (report.badOutputLines.count > 0) lines.push(`  ${report.badOutputLines.count} problem(s) in the segment output (see the report)`);
  if (report.holdout && report.holdout.queriesWithoutOutput > 0) {
    const h = report.holdout;
    const cold = report.queries.filter((q) => q.problem !== undefined && q.cold).length;
    const why = cold === h.queriesWithoutOutput ? `, all cold: items absent from train` : cold > 0 ? `, ${cold} of them cold` : '';
    lines.push(`  ${h.queriesWithoutOutput} queries had no usable output (scored as empty${why})`);
  }
  if (report.changes) lines.push(changesLine(report.changes));
  return lines;
}

/**
 * apply's closing lines: the summary, then every warning of the report (prepare's first: a thin holdout, few test
 * items), which `report` prints on stderr and report.md/html list, so the terminal never shows figures without them.
 */
export function applySummary(report: Report): string[] {
  return [...summarizeReport(report), ...report.warnings.map((w) => `  warning: ${w}`)];
}

function holdoutLines(h: Holdout, of: string): string[] {
  const m = h.model;
  const p = h.baselines.popularity;
  const r = h.baselines.random;
  const lines = [
    `holdout${of} (K = ${h.k} of ${h.trainUsers} train users${h.filter ? ' passing the filter' : ''}, ${h.queryCount} queries${h.coldQueries ? `, ${h.coldQueries} cold` : ''}):`,
    `  model        hits@K ${fmt(m.hitsAtK, 2)}  recall@K ${fmt(m.recallAtK)} ${fmtInterval(m.ci.recallAtK)}  coverage ${fmt(m.coverage)}`,
    `  popularity   hits@K ${fmt(p.hitsAtK, 2)}  recall@K ${fmt(p.recallAtK)}  lift ${marked(fmtLift(p.lift), h)}`,
    `  random       hits@K ${fmt(r.hitsAtK, 2)}  recall@K ${fmt(r.recallAtK)}  lift ${marked(fmtLift(r.lift), h)}`,
  ];
  if (h.notJudgeable?.length) lines.push(`  warning: ${caveatSentence(h.notJudgeable)}`);
  if (h.filter) lines.push(`  ${filterSentence(h.filter)}`);
  if (h.filter?.segmentUsersOutside) lines.push(`  ${h.filter.segmentUsersOutside} user(s) in the segments do not pass the filter (see the report)`);
  return lines;
}

function productionLines(s: SegmentsSummary, of: string): string[] {
  const reach = s.reach !== null && s.population !== null ? ` (${fmtPercent(s.reach)} of ${fmtInt(s.population)})` : '';
  const lines = [`production run${of}: ${fmtInt(s.answered)} segments of ${segmentSizeText(s)} users, ${fmtInt(s.distinctUsers)} distinct users${reach}`];
  if (s.overlap.meanPairwise !== null && s.distinctUsers > 0) {
    lines.push(
      `  a user is in ${fmt(s.memberships / s.distinctUsers, 2)} segments on average; two segments share ${fmt(s.overlap.meanPairwise)} of K on average`,
    );
  }
  const missing = s.withoutOutput + s.jobErrors;
  if (missing > 0) lines.push(`  ${fmtInt(missing)} queries have no segment (${fmtInt(s.jobErrors)} with the job's own error)`);
  if (s.short > 0) lines.push(`  ${fmtInt(s.short)} segments have fewer than ${s.k} users`);
  return lines;
}

/** The local model's choice on its validation split, against the activity prior (popularity). */
function modelChoiceLine(choice: ModelChoiceReport): string {
  if (choice.candidates.length === 0) return `  model: ${choice.chosen} (${choice.protocol})`;
  const popularity = choice.candidates.find((c) => c.name === 'activity');
  const chosen = choice.candidates.find((c) => c.chosen);
  return (
    `  model chosen on a validation split: ${choice.chosen}, best of ${choice.candidates.length} candidates` +
    (popularity ? ` (validation recall ${fmt(chosen?.recall ?? 0)}, popularity ${fmt(popularity.recall)})` : '')
  );
}

function changesLine(c: ChangesSection): string {
  const queries = c.queriesAdded || c.queriesRemoved ? ` (${fmtInt(c.queriesAdded)} queries added, ${fmtInt(c.queriesRemoved)} removed)` : '';
  return `since run ${c.previousRunId}: +${fmtInt(c.entered)} entered, ${fmtInt(c.stayed)} stayed, -${fmtInt(c.left)} left${queries}`;
}
