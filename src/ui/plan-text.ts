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
  const pct = Math.round(a.driver.share * 100);
  const lines = [
    '',
    `Cost advice (${a.why}): ${a.driver.item} is ${pct}% of the estimate (${usd(a.driver.usd)}): ${a.driver.explanation}.`,
  ];
  if (a.suggestions.length === 0) return [...lines, '  no single change to the spec makes it cheaper'];
  const rows = [['  change', 'from -> to', 'users x queries', 'estimate', '']];
  for (const s of a.suggestions) {
    rows.push([
      `  ${s.key}`,
      `${s.from} -> ${s.to}`,
      `${s.users.toLocaleString('en-US')} x ${s.queries}`,
      `${s.exact ? '' : '<= '}${usd(s.totalUsd)}`,
      s.underBudget ? 'within budget' : '',
    ]);
  }
  lines.push(...table(rows, [false, false, true, true, false]).map((l) => l.trimEnd()));
  for (const s of a.suggestions) lines.push(`  ${s.key}: ${s.note}`);
  if (a.remark) lines.push(`  ${a.remark}`);
  return lines;
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
  return rows.map((r) => r.map((cell, k) => (right[k] ? cell.padStart(widths[k]!) : cell.padEnd(widths[k]!))).join('  ').trimEnd());
}

export function tally(plan: Plan): string {
  if (plan.changes === 0) return 'No changes. The pipeline is up to date.';
  const counts = new Map<string, number>();
  for (const s of plan.steps) if (s.action !== 'noop') counts.set(s.action, (counts.get(s.action) ?? 0) + 1);
  const parts = ['create', 'adopt', 'update', 'replace', 'run', 'wait'].filter((a) => counts.has(a)).map((a) => `${counts.get(a)} to ${a}`);
  return `Plan: ${parts.join(', ')}; ${plan.steps.length - plan.changes} up to date.`;
}
