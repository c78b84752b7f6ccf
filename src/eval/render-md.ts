import { caveatSentence, marked } from './judgeable.js';
/** report.md: the same facts as report.json, for a pull request or a wiki page. */
import { costRows, filterSentence, fmt, fmtInt, fmtInterval, fmtLift, fmtUsd } from './format.js';
import type { Holdout, Report, ScorerMetrics } from './report-types.js';
import { changesMarkdown, deliveryMarkdown, mdEscape as esc, PRODUCTION_NOTE, segmentsMarkdown } from './render-md-segments.js';
import { queryLabel } from './segment-output.js';

function cutoffRows(name: string, m: ScorerMetrics): string[] {
  return m.atCutoffs.map(
    (c) => `| ${name} | ${c.label} | ${c.k} | ${fmt(c.hits, 3)} ${fmtInterval(c.ci.hits, 2)} | ${fmt(c.recall)} ${fmtInterval(c.ci.recall)} |`,
  );
}

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const of = r.segmentation !== r.pipeline ? `, segmentation ${r.segmentation}` : '';
  out.push(`# segflow report: ${r.pipeline}${of}, run ${r.runId}`, '');
  out.push(
    `${r.mode === 'production' ? 'Production run' : 'Experiment'} finished ${r.run.finishedAt} on ${r.run.target} (${r.run.region}), recipe ${r.run.recipe}. ` +
      `Spec ${r.spec.hash.slice(0, 12)}` +
      (r.spec.gitCommit ? ` at git commit ${r.spec.gitCommit.slice(0, 12)}${r.spec.gitDirty ? ' (spec file modified)' : ''}` : ' (not in git)') +
      `. Report generated ${r.generatedAt}.`,
    '',
    ...deliveryMarkdown(r),
  );
  if (r.holdout) out.push(...holdoutMarkdown(r.holdout));
  else out.push('## Production run', '', PRODUCTION_NOTE, '');
  out.push(...segmentsMarkdown(r.segments), ...changesMarkdown(r.changes));

  if (r.modelChoice) {
    out.push('## The model and its competitors', '', `Served: **${esc(r.modelChoice.chosen)}**. ${r.modelChoice.protocol}`, '');
    if (r.modelChoice.candidates.length > 0) {
      out.push('| candidate | validation recall@1% | validation hits@1% |', '|---|---|---|');
      for (const c of r.modelChoice.candidates)
        out.push(`| ${c.chosen ? `**${esc(c.name)}** (chosen)` : esc(c.name)} | ${fmt(c.recall, 4)} | ${fmt(c.hits, 3)} |`);
    }
    out.push('');
  }
  out.push("## Personalize's solution metrics (different protocol)", '');
  if (r.solutionMetrics) {
    out.push(r.solutionMetrics.protocol, '', '| metric | value |', '|---|---|');
    for (const [k, v] of Object.entries(r.solutionMetrics.values)) out.push(`| ${esc(k)} | ${fmt(v, 4)} |`);
  } else out.push('Not available for this run.');
  out.push('');

  out.push('## Segment output', '');
  out.push(r.inputs.segmentFiles.map((f) => `- ${f.file}: ${f.lines} lines, sha256 ${f.sha256.slice(0, 16)}`).join('\n'), '');
  if (r.badOutputLines.count === 0) out.push('Every output line was valid.', '');
  else {
    out.push(
      `${r.badOutputLines.count} problem(s): ${Object.entries(r.badOutputLines.byKind)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}.`,
      '',
    );
    for (const b of r.badOutputLines.lines) out.push(`- ${b.file}:${b.line}: ${b.kind}: ${esc(b.message)}`);
    if (r.badOutputLines.lines.length < r.badOutputLines.count) out.push(`- … ${r.badOutputLines.count - r.badOutputLines.lines.length} more`);
    out.push('');
  }

  out.push('## Data and cost', '');
  if (r.data) {
    const d = r.data;
    const test = r.holdout ? ` test ${fmtInt(d.testRows)} rows, ${fmtInt(d.warmTestUsers)} warm users;` : '';
    out.push(
      `Rows read ${fmtInt(d.rowsRead)} (bad ${fmtInt(d.badRows)}); interactions ${fmtInt(d.interactions)}; ${r.holdout ? 'train' : 'training'} ${fmtInt(d.trainRows)} rows, ` +
        `${fmtInt(d.trainUsers)} users, ${fmtInt(d.trainItems)} items;${test} ` +
        `${d.minTimestamp} to ${d.maxTimestamp}.`,
    );
    for (const drop of d.dropped) out.push(`- dropped ${fmtInt(drop.rows)} at ${esc(drop.step)}: ${esc(drop.why)}`);
  } else out.push('stats.json not available.');
  out.push('', `Estimated cost ${fmtUsd(r.cost.estimatedUsd)}; actual ${fmtUsd(r.cost.actualUsd)}; training hours ${r.cost.trainingHours ?? '–'}.`, '');
  if (r.cost.lines?.length) {
    out.push('| cost | estimate | estimated USD | actual | actual USD |', '|---|---|---|---|---|');
    for (const c of costRows(r)) out.push(`| ${c.map(esc).join(' | ')} |`);
    out.push('');
  }
  if (r.warnings.length > 0) out.push('## Warnings', '', ...r.warnings.map((w) => `- ${esc(w)}`), '');

  if (r.holdout) {
    out.push('## Queries with the most hits', '', '| query | truth | hits | recall | popularity hits |', '|---|---|---|---|---|');
    const top = [...r.queries].sort((a, b) => b.hits - a.hits || b.recall - a.recall).slice(0, 20);
    for (const q of top) out.push(`| ${esc(queryLabel(q.query))} | ${q.truth} | ${q.hits} | ${fmt(q.recall)} | ${q.popularityHits} |`);
    out.push('', 'All queries: report.json (`queries`); the segments themselves: segments.csv.', '');
  } else out.push('Every query: report.json (`segments.perQuery`); the segments themselves: segments.csv.', '');
  return out.join('\n');
}

function holdoutMarkdown(h: Holdout): string[] {
  const { popularity, random } = h.baselines;
  const out = ['## Holdout evaluation', '', h.protocol, ''];
  if (h.filter) out.push(esc(filterSentence(h.filter)), '');
  if (h.notJudgeable?.length) out.push(`**${esc(caveatSentence(h.notJudgeable))}**`, '');
  out.push(
    `K = ${h.k} users per segment, ${fmtInt(h.trainUsers)} train users${h.filter ? ' passing the filter' : ''}, ${h.queryCount} queries (${h.coldQueries} cold, ` +
      `${h.queriesWithoutOutput} without usable output, ${h.excludedQueries} excluded). ` +
      `Intervals: 95% bootstrap over queries, ${h.bootstrap.resamples} resamples${h.bootstrap.coverageResamples < h.bootstrap.resamples ? ` (coverage: ${h.bootstrap.coverageResamples})` : ''}, seed ${h.bootstrap.seed}.`,
    '',
  );
  out.push('| scorer | hits@K | recall@K | coverage | lift (recall) |', '|---|---|---|---|---|');
  out.push(
    `| model | ${fmt(h.model.hitsAtK)} ${fmtInterval(h.model.ci.hitsAtK, 2)} | ${fmt(h.model.recallAtK)} ${fmtInterval(h.model.ci.recallAtK)} | ${fmt(h.model.coverage)} ${fmtInterval(h.model.ci.coverage)} | |`,
  );
  for (const [name, b] of [
    ['popularity', popularity],
    ['random', random],
  ] as const) {
    out.push(
      `| ${name} | ${fmt(b.hitsAtK)} ${fmtInterval(b.ci.hitsAtK, 2)} | ${fmt(b.recallAtK)} ${fmtInterval(b.ci.recallAtK)} | ${fmt(b.coverage)} | ${marked(fmtLift(b.lift), h)} ${fmtInterval(b.lift.ci.recall, 2)} |`,
    );
  }
  out.push('', '### At other segment sizes', '', '| scorer | cutoff | k | hits | recall |', '|---|---|---|---|---|');
  out.push(...cutoffRows('model', h.model), ...cutoffRows('popularity', popularity), ...cutoffRows('random', random), '');
  return out;
}
