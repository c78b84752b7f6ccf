import { filterSentence, fmt, fmtInterval, fmtLift } from './format.js';
import type { Report } from './report-types.js';

/**
 * A few plain lines for the end of `apply` and the top of `report`: the model against the popularity and random
 * baselines at K, with lift and the model's 95% interval.
 */
export function summarizeReport(report: Report): string[] {
  const h = report.holdout;
  const m = h.model;
  const p = h.baselines.popularity;
  const r = h.baselines.random;
  const lines = [
    `holdout (K = ${h.k} of ${h.trainUsers} train users${h.filter ? ' passing the filter' : ''}, ${h.queryCount} queries${h.coldQueries ? `, ${h.coldQueries} cold` : ''}):`,
    `  model        hits@K ${fmt(m.hitsAtK, 2)}  recall@K ${fmt(m.recallAtK)} ${fmtInterval(m.ci.recallAtK)}  coverage ${fmt(m.coverage)}`,
    `  popularity   hits@K ${fmt(p.hitsAtK, 2)}  recall@K ${fmt(p.recallAtK)}  lift ${fmtLift(p.lift)}`,
    `  random       hits@K ${fmt(r.hitsAtK, 2)}  recall@K ${fmt(r.recallAtK)}  lift ${fmtLift(r.lift)}`,
  ];
  const choice = report.modelChoice;
  if (choice) {
    const popularity = choice.candidates.find((c) => c.name === 'activity');
    lines.push(
      choice.candidates.length > 0
        ? `  model chosen on a validation split: ${choice.chosen}, best of ${choice.candidates.length} candidates` +
            (popularity ? ` (validation recall ${fmt(choice.candidates.find((c) => c.chosen)?.recall ?? 0)}, popularity ${fmt(popularity.recall)})` : '')
        : `  model: ${choice.chosen} (${choice.protocol})`,
    );
  }
  if (h.filter) lines.push(`  ${filterSentence(h.filter)}`);
  if (h.filter?.segmentUsersOutside) lines.push(`  ${h.filter.segmentUsersOutside} user(s) in the segments do not pass the filter (see the report)`);
  if (report.badOutputLines.count > 0) lines.push(`  ${report.badOutputLines.count} problem(s) in the segment output (see the report)`);
  if (h.queriesWithoutOutput > 0) {
    const cold = report.queries.filter((q) => q.problem !== undefined && q.cold).length;
    const why = cold === h.queriesWithoutOutput ? `, all cold: items absent from train` : cold > 0 ? `, ${cold} of them cold` : '';
    lines.push(`  ${h.queriesWithoutOutput} queries had no usable output (scored as empty${why})`);
  }
  return lines;
}
