import { caveatSentence, marked } from './judgeable.js';
/**
 * report.html: one self-contained file (inline CSS and SVG, no script, no external resource). A strict
 * Content-Security-Policy makes the "no network" promise enforceable by the browser, not just by convention.
 */
import { costRows, filterSentence, fmt, fmtInt, fmtInterval, fmtLift, fmtUsd } from './format.js';
import type { Holdout, Report, ScorerMetrics } from './report-types.js';
import { changesHtml, deliveryHtml, htmlRow as row, segmentsHtml } from './render-html-segments.js';
import { PRODUCTION_NOTE } from './render-md-segments.js';
import { queryLabel } from './segment-output.js';
import { escapeXml as esc, hitsHistogramSvg, recallCurveSvg } from './svg-charts.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #24292f; max-width: 980px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0; } th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; } th { background: #f6f8fa; }
.note { color: #57606a; } .warn { color: #9a6700; } figure { margin: 12px 0; } figcaption { color: #57606a; font-size: 13px; }
code { background: #f6f8fa; padding: 1px 4px; border-radius: 4px; }`;

function cutoffRows(name: string, m: ScorerMetrics): string[] {
  return m.atCutoffs.map((c) =>
    row([esc(name), esc(c.label), String(c.k), `${fmt(c.hits)} ${fmtInterval(c.ci.hits, 2)}`, `${fmt(c.recall)} ${fmtInterval(c.ci.recall)}`]),
  );
}

function holdoutHtml(h: Holdout): string[] {
  const { popularity, random } = h.baselines;
  const b: string[] = [];
  b.push('<h2>Holdout evaluation</h2>', `<p>${esc(h.protocol)}</p>`);
  if (h.filter) b.push(`<p id="filter">${esc(filterSentence(h.filter))}</p>`);
  if (h.notJudgeable?.length) b.push(`<p id="not-judgeable" class="warn"><strong>${esc(caveatSentence(h.notJudgeable))}</strong></p>`);
  b.push(
    `<p>K = ${h.k} users per segment, ${fmtInt(h.trainUsers)} train users${h.filter ? ' passing the filter' : ''}, ${h.queryCount} queries (${h.coldQueries} cold, ` +
      `${h.queriesWithoutOutput} without usable output, ${h.excludedQueries} excluded). Intervals: 95% bootstrap over queries, ` +
      `${h.bootstrap.resamples} resamples${h.bootstrap.coverageResamples < h.bootstrap.resamples ? ` (coverage: ${h.bootstrap.coverageResamples})` : ''}, seed ${h.bootstrap.seed}.</p>`,
  );
  b.push('<table id="summary">', row(['scorer', 'hits@K', 'recall@K', 'coverage', 'lift (recall)'], true));
  b.push(
    row([
      'model',
      `${fmt(h.model.hitsAtK)} ${fmtInterval(h.model.ci.hitsAtK, 2)}`,
      `${fmt(h.model.recallAtK)} ${fmtInterval(h.model.ci.recallAtK)}`,
      `${fmt(h.model.coverage)} ${fmtInterval(h.model.ci.coverage)}`,
      '',
    ]),
  );
  for (const [name, m] of [
    ['popularity', popularity],
    ['random', random],
  ] as const) {
    b.push(
      row([
        name,
        `${fmt(m.hitsAtK)} ${fmtInterval(m.ci.hitsAtK, 2)}`,
        `${fmt(m.recallAtK)} ${fmtInterval(m.ci.recallAtK)}`,
        fmt(m.coverage),
        `${esc(marked(fmtLift(m.lift), h))} ${fmtInterval(m.lift.ci.recall, 2)}`,
      ]),
    );
  }
  b.push('</table>');

  b.push(
    '<figure>',
    recallCurveSvg(h.curve, h.k),
    '<figcaption>Mean recall@k for segments cut at k = 1..K: the model against the most-active-users and random baselines.</figcaption>',
    '</figure>',
  );
  b.push(
    '<figure>',
    hitsHistogramSvg(h.hitsHistogram.model, h.hitsHistogram.popularity),
    '<figcaption>Number of queries by hits at K.</figcaption>',
    '</figure>',
  );

  b.push('<h2>At other segment sizes</h2>', '<table id="cutoffs">', row(['scorer', 'cutoff', 'k', 'hits', 'recall'], true));
  b.push(...cutoffRows('model', h.model), ...cutoffRows('popularity', popularity), ...cutoffRows('random', random), '</table>');

  return b;
}

/** The title, what ran where and from which spec, and where the segments were delivered. */
function headingHtml(r: Report): string[] {
  const b: string[] = [];
  const of = r.segmentation !== r.pipeline ? `, segmentation ${esc(r.segmentation)}` : '';
  b.push(`<h1>segflow report: ${esc(r.pipeline)}${of}</h1>`);
  b.push(
    `<p class="note">${r.mode === 'production' ? 'Production run' : 'Experiment'} <code>${esc(r.runId)}</code> finished ${esc(r.run.finishedAt)} on ${esc(r.run.target)} (${esc(r.run.region)}), ` +
      `recipe ${esc(r.run.recipe)}; spec <code>${esc(r.spec.hash.slice(0, 12))}</code>` +
      (r.spec.gitCommit
        ? ` at git commit <code>${esc(r.spec.gitCommit.slice(0, 12))}</code>${r.spec.gitDirty ? ' (spec file modified)' : ''}`
        : ' (not in git)') +
      `; generated ${esc(r.generatedAt)}.</p>`,
    ...deliveryHtml(r),
  );
  return b;
}

/** The model served and the validation figures of every candidate. */
function modelChoiceHtml(r: Report): string[] {
  const b: string[] = [];
  if (r.modelChoice) {
    b.push('<h2>The model and its competitors</h2>', `<p>Served: <strong>${esc(r.modelChoice.chosen)}</strong>. ${esc(r.modelChoice.protocol)}</p>`);
    if (r.modelChoice.candidates.length > 0) {
      b.push('<table id="model-choice">', row(['candidate', 'validation recall@1%', 'validation hits@1%'], true));
      for (const c of r.modelChoice.candidates)
        b.push(row([c.chosen ? `<strong>${esc(c.name)}</strong> (chosen)` : esc(c.name), fmt(c.recall, 4), fmt(c.hits, 3)]));
      b.push('</table>');
    }
  }
  return b;
}

/** Personalize's own metrics, labelled as another protocol than the holdout's. */
function solutionMetricsHtml(r: Report): string[] {
  const b: string[] = [];
  b.push("<h2>Personalize's solution metrics (different protocol)</h2>");
  if (r.solutionMetrics) {
    b.push(`<p class="note">${esc(r.solutionMetrics.protocol)}</p>`, '<table id="solution-metrics">', row(['metric', 'value'], true));
    for (const [k, v] of Object.entries(r.solutionMetrics.values)) b.push(row([esc(k), fmt(v, 4)]));
    b.push('</table>');
  } else b.push('<p>Not available for this run.</p>');

  return b;
}

/** The segment files read and any problem found in their lines. */
function segmentOutputHtml(r: Report): string[] {
  const b: string[] = [];
  b.push('<h2>Segment output</h2>', '<ul>');
  for (const f of r.inputs.segmentFiles) b.push(`<li><code>${esc(f.file)}</code>: ${f.lines} lines, sha256 <code>${f.sha256.slice(0, 16)}</code></li>`);
  b.push('</ul>');
  if (r.badOutputLines.count === 0) b.push('<p>Every output line was valid.</p>');
  else {
    b.push(`<p class="warn">${r.badOutputLines.count} problem(s) in the output:</p>`, '<table id="bad-lines">', row(['file:line', 'kind', 'message'], true));
    for (const l of r.badOutputLines.lines) b.push(row([esc(`${l.file}:${l.line}`), esc(l.kind), esc(l.message)]));
    b.push('</table>');
  }

  return b;
}

/** What prepare read and kept, and the estimated against the actual cost. */
function dataAndCostHtml(r: Report): string[] {
  const b: string[] = [];
  b.push('<h2>Data and cost</h2>');
  if (r.data) {
    const d = r.data;
    b.push('<table id="data">', row(['figure', 'value'], true));
    const figures: Array<[string, string]> = [
      ['rows read', fmtInt(d.rowsRead)],
      ['bad rows', fmtInt(d.badRows)],
      ['interactions', fmtInt(d.interactions)],
      ['train rows', fmtInt(d.trainRows)],
      ['train users', fmtInt(d.trainUsers)],
      ['train items', fmtInt(d.trainItems)],
      ['test rows', fmtInt(d.testRows)],
      ['warm test users', fmtInt(d.warmTestUsers)],
      ['time range', `${d.minTimestamp} – ${d.maxTimestamp}`],
    ];
    for (const [k, v] of figures) b.push(row([k, esc(v)]));
    for (const drop of d.dropped) b.push(row([`dropped at ${esc(drop.step)}`, `${fmtInt(drop.rows)} (${esc(drop.why)})`]));
    b.push('</table>');
  } else b.push('<p>stats.json not available.</p>');
  b.push(`<p>Estimated cost ${fmtUsd(r.cost.estimatedUsd)}; actual ${fmtUsd(r.cost.actualUsd)}; training hours ${r.cost.trainingHours ?? '–'}.</p>`);
  if (r.cost.lines?.length) {
    b.push('<table id="cost">', row(['cost', 'estimate', 'estimated USD', 'actual', 'actual USD'], true));
    for (const c of costRows(r)) b.push(row(c.map(esc)));
    b.push('</table>');
  }

  return b;
}

/** Prepare's and the evaluation's warnings. */
function warningsHtml(r: Report): string[] {
  const b: string[] = [];
  if (r.warnings.length > 0) {
    b.push('<h2>Warnings</h2>', '<ul class="warn">', ...r.warnings.map((w) => `<li>${esc(w)}</li>`), '</ul>');
  }

  return b;
}

/** An experiment's per-query figures. */
function queriesHtml(r: Report): string[] {
  const b: string[] = [];
  if (r.holdout) {
    b.push('<h2>Queries</h2>', '<table id="queries">', row(['query', 'truth', 'returned', 'hits', 'recall', 'popularity hits', 'note'], true));
    for (const q of r.queries) {
      b.push(
        row([
          esc(queryLabel(q.query)),
          String(q.truth),
          String(q.returned),
          String(q.hits),
          fmt(q.recall),
          String(q.popularityHits),
          esc(q.problem ?? (q.cold ? 'cold' : '')),
        ]),
      );
    }
    b.push('</table>');
  }

  return b;
}

export function renderHtml(r: Report): string {
  const b = [
    ...headingHtml(r),
    ...(r.holdout ? holdoutHtml(r.holdout) : ['<h2>Production run</h2>', `<p id="production">${esc(PRODUCTION_NOTE)}</p>`]),
    ...segmentsHtml(r.segments),
    ...changesHtml(r.changes),
    ...modelChoiceHtml(r),
    ...solutionMetricsHtml(r),
    ...segmentOutputHtml(r),
    ...dataAndCostHtml(r),
    ...warningsHtml(r),
    ...queriesHtml(r),
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>segflow report: ${esc(r.pipeline)}${r.segmentation !== r.pipeline ? ` ${esc(r.segmentation)}` : ''} ${esc(r.runId)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...b,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
