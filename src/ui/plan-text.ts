import type { Plan } from '../plan/types.js';

const SYMBOL: Record<string, string> = { create: '+', adopt: '<', update: '~', replace: '-/+', run: '>', wait: '..', noop: '=' };

/** The plan as people read it: one line per step with its action and reasons, then the cost and a tally. */
export function planLines(plan: Plan, opts: { showNoop?: boolean } = {}): string[] {
  const width = Math.max(...plan.steps.map((s) => s.id.length));
  const lines = [`Plan for ${plan.pipeline} (target ${plan.target.kind}, ${plan.target.region}):`];
  for (const s of plan.steps) {
    if (s.action === 'noop' && opts.showNoop === false) continue;
    const head = `  ${(SYMBOL[s.action] ?? '?').padStart(3)} ${s.id.padEnd(width)}  ${s.action.padEnd(7)}`;
    const name = s.local ? '' : ` ${s.name}`;
    lines.push(`${head}${name}`);
    for (const r of s.reasons) lines.push(`${' '.repeat(width + 16)}${r}`);
    for (const n of s.notes ?? []) lines.push(`${' '.repeat(width + 16)}note: ${n}`);
  }
  if (plan.notes?.length) lines.push('', 'Data:', ...plan.notes.map((n) => `  note: ${n}`));
  lines.push('');
  lines.push(...costLines(plan));
  lines.push('');
  lines.push(tally(plan));
  return lines;
}

export function costLines(plan: Plan): string[] {
  const c = plan.cost;
  const local = plan.target.kind === 'local';
  const where = `on AWS in ${plan.target.region}`;
  const lines = [`Cost estimate ${local ? `(what this run would cost ${where}; the local target costs $0)` : where}:`];
  const rows = c.lines.map((l) => [`  ${l.item}`, l.quantity, range(l.lowUsd, l.usd)]);
  const over = c.totalUsd > plan.budgetUsd;
  rows.push(['  total', '', `${range(c.lowUsd, c.totalUsd)} of budget ${usd(plan.budgetUsd)}${over ? '  OVER BUDGET' : ''}`]);
  lines.push(...table(rows, [false, true, false]));
  for (const note of c.pricing.notes) lines.push(`  note: ${note}`);
  if (c.trainingHours) lines.push('  note: training hours are a range estimated from the data size (docs/cost.md); the budget uses the high end');
  lines.push(...adviceLines(plan));
  return lines;
}

/** The cost advisor's table: what drives the cost and the cheapest single changes, each priced. */
export function adviceLines(plan: Plan): string[] {
  const a = plan.cost.advice;
  if (!a) return [];
  const lines = ['', adviceHeadline(a)];
  if (a.suggestions.length === 0) return [...lines, '  no single change to the spec makes it cheaper'];
  const rows = [['  change', 'from -> to', 'users x queries', 'estimate', '']];
  for (const s of a.suggestions) {
    rows.push([
      `  ${s.key}`,
      `${s.from} -> ${s.to}`,
      `${s.users.toLocaleString('en-US')} x ${s.queries}`,
      `${s.exact ? '' : '<= '}${usd(s.totalUsd)}`,
      [s.underBudget ? 'within budget' : '', s.spoilsEvaluation ? 'spoils the evaluation' : ''].filter(Boolean).join(', '),
    ]);
  }
  lines.push(...table(rows, [false, false, true, true, false]).map((l) => l.trimEnd()));
  for (const s of a.suggestions) {
    lines.push(`  ${s.key}: ${s.note}`);
    if (s.evaluation) lines.push(`    evaluation: ${s.evaluation}${s.spoilsEvaluation ? `; makes it meaningless (${s.spoilsEvaluation})` : ''}`);
  }
  if (a.remark) lines.push(`  ${a.remark}`);
  return lines;
}

/**
 * What drives the cost, in plain words: "batch segments are 98% of the cost ($30.67): every one of the 3,834 users
 * ... is scored for each of the 500 queries; cheaper options:" (over budget: "Over budget: ..." first).
 */
export function adviceHeadline(a: NonNullable<Plan['cost']['advice']>): string {
  const verb = a.driver.item.endsWith('s') ? 'are' : 'is';
  const head = `${a.driver.item} ${verb} ${Math.round(a.driver.share * 100)}% of the cost (${usd(a.driver.usd)}): ${a.driver.explanation}`;
  const text = a.why === 'over budget' ? `Over budget: ${head}` : head.charAt(0).toUpperCase() + head.slice(1);
  return `${text}; ${a.suggestions.length ? 'cheaper options:' : 'no cheaper option.'}`;
}

export function usd(x: number): string {
  return `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function range(low: number, high: number): string {
  return low.toFixed(2) === high.toFixed(2) ? usd(high) : `${usd(low)}-${usd(high)}`;
}

/** Columns padded to their widest cell; `right` aligns numbers. */
function table(rows: string[][], right: boolean[]): string[] {
  const widths = right.map((_, k) => Math.max(...rows.map((r) => (r[k] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, k) => (right[k] ? cell.padStart(widths[k]!) : cell.padEnd(widths[k]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function tally(plan: Plan): string {
  if (plan.changes === 0) return 'No changes. The pipeline is up to date.';
  const counts = new Map<string, number>();
  for (const s of plan.steps) if (s.action !== 'noop') counts.set(s.action, (counts.get(s.action) ?? 0) + 1);
  const parts = ['create', 'adopt', 'update', 'replace', 'run', 'wait'].filter((a) => counts.has(a)).map((a) => `${counts.get(a)} to ${a}`);
  return `Plan: ${parts.join(', ')}; ${plan.steps.length - plan.changes} up to date.`;
}
