import type { Plan, PlannedStep } from '../plan/types.js';
import { adviceHeadline, range, tally, usd } from './plan-text.js';

/**
 * The plan for a pull request: a GitHub comment or job summary. Steps that change are a table with their action
 * and reasons; what reviewers must not miss (replacements, costly runs, a budget overrun, resources to adopt) comes
 * first as warnings; then the cost estimate against the budget and the cost advisor's suggestions; up-to-date steps
 * fold away. It always fits `limit` characters: GitHub refuses comments over 65,536 and job summaries over 1 MiB,
 * so long plans drop detail (reasons, then rows) with a note saying so, never the warnings or the cost.
 */
export const GITHUB_COMMENT_LIMIT = 65_536;
export const GITHUB_SUMMARY_LIMIT = 1024 * 1024;

export interface MarkdownOptions {
  /** Maximum length in characters (default: a GitHub comment's). */
  limit?: number;
  /** The saved plan file, named in the "apply exactly this" line. */
  planFile?: string;
}

/** The first line of every rendering: how the CI script finds its own earlier comment to update it. */
export function commentMarker(pipeline: string): string {
  return `<!-- segflow-plan:${pipeline} -->`;
}

const MAX_REASON = 300;

/** Text for a table cell: one line, no HTML, no column breaks. */
function cell(text: string): string {
  const one = text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|');
  return one.length > MAX_REASON ? `${one.slice(0, MAX_REASON - 1)}…` : one;
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

const ACTION: Record<string, string> = { create: 'create', adopt: 'adopt', replace: '**replace**', run: 'run', wait: 'wait', noop: 'up to date' };

export function warnings(plan: Plan): string[] {
  const out: string[] = [];
  const changing = plan.steps.filter((s) => s.action !== 'noop');
  for (const s of changing.filter((x) => x.action === 'replace')) {
    out.push(
      `${code(s.id)} will be **replaced** (deleted and created again${s.name && !s.local ? `: ${code(s.name)}` : ''}): ${cell(s.reasons.join('; ') || 'changed')}`,
    );
  }
  const costly = changing.filter((s) => s.costly && (s.action === 'create' || s.action === 'run' || s.action === 'replace'));
  if (costly.length) {
    out.push(
      `costly: ${costly.map((s) => code(s.id)).join(', ')} will run, estimated ${range(plan.cost.lowUsd, plan.cost.totalUsd)} on AWS${plan.target.kind === 'local' ? ' (the local target costs $0)' : ''}`,
    );
  }
  if (plan.cost.totalUsd > plan.budgetUsd) {
    out.push(`the estimate ${usd(plan.cost.totalUsd)} is **over the budget** of ${usd(plan.budgetUsd)}: apply refuses it without \`--approve-cost\``);
  }
  const adopt = changing.filter((s) => s.action === 'adopt');
  if (adopt.length && (plan.state?.serial ?? 0) === 0) {
    out.push(
      `${adopt.length} resource(s) exist but the state is empty: if the state moved, run \`segflow state migrate FILE --from LOCATION\` instead of adopting`,
    );
  }
  for (const s of changing.filter((x) => x.action === 'wait'))
    out.push(`${code(s.id)} is still in progress (${cell(s.status ?? 'pending')}): apply waits for it`);
  for (const n of plan.notes ?? []) out.push(`data: ${cell(n)}`);
  return out;
}

function costSection(plan: Plan): string[] {
  const c = plan.cost;
  const lines = [
    `#### Cost estimate${plan.target.kind === 'local' ? ` (what this run would cost on AWS in ${plan.target.region}; the local target costs $0)` : ` (AWS, ${plan.target.region})`}`,
    '',
    '| item | quantity | estimate |',
    '|---|---|---:|',
    ...c.lines.map((l) => `| ${l.item} | ${cell(l.quantity)} | ${range(l.lowUsd, l.usd)} |`),
    `| **total** | | **${range(c.lowUsd, c.totalUsd)}** of budget ${usd(plan.budgetUsd)}${c.totalUsd > plan.budgetUsd ? ' **over budget**' : ''} |`,
  ];
  const notes = [
    ...c.pricing.notes,
    ...(c.trainingHours ? ['training hours are a range estimated from the data size (docs/cost.md); the budget uses the high end'] : []),
  ];
  if (notes.length) lines.push('', ...notes.map((n) => `- ${cell(n)}`));
  const a = c.advice;
  if (a) {
    lines.push('', `**${cell(adviceHeadline(a))}**`);
    if (a.suggestions.length === 0) lines.push('', 'No single change to the spec makes it cheaper.');
    else {
      lines.push('', '| change | from → to | users × queries | estimate | |', '|---|---|---:|---:|---|');
      for (const s of a.suggestions) {
        const marks = [s.underBudget ? 'within budget' : '', s.spoilsEvaluation ? 'spoils the evaluation' : ''].filter(Boolean).join(', ');
        lines.push(
          `| ${code(s.key)} | ${cell(`${s.from} -> ${s.to}`)} | ${s.users.toLocaleString('en-US')} × ${s.queries} | ${s.exact ? '' : '≤ '}${usd(s.totalUsd)} | ${marks} |`,
        );
      }
      lines.push(
        '',
        ...a.suggestions.map(
          (s) =>
            `- ${code(s.key)}: ${cell(s.note)}${s.evaluation ? `; evaluation: ${cell(s.evaluation)}${s.spoilsEvaluation ? ` (meaningless: ${cell(s.spoilsEvaluation)})` : ''}` : ''}`,
        ),
      );
    }
    if (a.remark) lines.push('', cell(a.remark));
  }
  return lines;
}

interface Detail {
  rows: number;
  reasons: number;
  noop: boolean;
}

function stepRow(s: PlannedStep, reasons: number): string {
  const shown = s.reasons.slice(0, reasons).map(cell);
  if (s.reasons.length > reasons) shown.push(`(+${s.reasons.length - reasons} more)`);
  return `| ${code(s.id)} | ${ACTION[s.action] ?? s.action} | ${s.local || !s.name ? '' : code(s.name)} | ${shown.join('<br>')} |`;
}

function render(plan: Plan, opts: MarkdownOptions, d: Detail): string {
  const changing = plan.steps.filter((s) => s.action !== 'noop');
  const upToDate = plan.steps.filter((s) => s.action === 'noop');
  const state = plan.state ? ` · state ${code(plan.state.location)} (serial ${plan.state.serial})` : '';
  const out = [
    commentMarker(plan.pipeline),
    `### segflow plan: ${code(plan.pipeline)}`,
    '',
    `**${tally(plan)}**`,
    '',
    `Target **${plan.target.kind}** (${plan.target.region})${state} · spec ${code(plan.specHash.slice(0, 12))} · planned ${plan.createdAt}`,
  ];
  const warn = warnings(plan);
  if (warn.length) out.push('', '> [!WARNING]', ...warn.map((w) => `> - ${w}`));
  if (changing.length) {
    out.push('', '| step | action | resource | why |', '|---|---|---|---|');
    for (const s of changing.slice(0, d.rows)) out.push(stepRow(s, d.reasons));
    if (changing.length > d.rows)
      out.push(
        '',
        `_… and ${changing.length - d.rows} more changing step(s), left out to fit GitHub's size limit: run \`segflow plan FILE\` for the full plan._`,
      );
    else if (d.reasons < Number.MAX_SAFE_INTEGER && changing.some((s) => s.reasons.length > d.reasons))
      out.push('', `_Reasons shortened to ${d.reasons} per step to fit GitHub's size limit._`);
  }
  if (upToDate.length) {
    out.push('');
    if (d.noop) out.push(`<details><summary>${upToDate.length} step(s) up to date</summary>`, '', upToDate.map((s) => code(s.id)).join(', '), '', '</details>');
    else out.push(`_${upToDate.length} step(s) up to date._`);
  }
  out.push('', ...costSection(plan));
  if (opts.planFile) out.push('', `Apply exactly this plan: \`segflow apply ${opts.planFile}\` (refused if the spec, the state or the world moved since).`);
  return out.join('\n') + '\n';
}

/** Size as GitHub counts it, at worst: UTF-8 bytes (never fewer than characters). */
const size = (text: string) => Buffer.byteLength(text, 'utf8');

/** The plan as GitHub-flavoured Markdown, at most `limit` bytes (see above). */
export function planMarkdown(plan: Plan, opts: MarkdownOptions = {}): string {
  const limit = opts.limit ?? GITHUB_COMMENT_LIMIT;
  const changing = plan.steps.filter((s) => s.action !== 'noop').length;
  const fits = (d: Detail) => {
    const text = render(plan, opts, d);
    return size(text) <= limit ? text : undefined;
  };
  const full = fits({ rows: changing, reasons: Number.MAX_SAFE_INTEGER, noop: true });
  if (full) return full;
  // Less detail until it fits: no list of up-to-date steps, fewer reasons, then fewer rows.
  for (const reasons of [3, 1, 0]) {
    const text = fits({ rows: changing, reasons, noop: false });
    if (text) return text;
  }
  // The most rows that fit (the text grows with every row): a binary search.
  let [lo, hi] = [0, changing];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits({ rows: mid, reasons: 0, noop: false })) lo = mid;
    else hi = mid - 1;
  }
  const fitted = fits({ rows: lo, reasons: 0, noop: false });
  if (fitted) return fitted;
  // Warnings and cost alone exceed the limit (thousands of replacements): whole lines up to it, and a note.
  const note = "\n_… cut to fit GitHub's size limit: run `segflow plan FILE` for the full plan._\n";
  const lines = render(plan, opts, { rows: 0, reasons: 0, noop: false }).split('\n');
  let text = '';
  for (const line of lines) {
    if (size(text + line + '\n') + size(note) > limit) break;
    text += line + '\n';
  }
  return text + note;
}
