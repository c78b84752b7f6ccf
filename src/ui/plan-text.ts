import type { Plan } from '../plan/types.js';
import { PRICES_AS_OF } from '../plan/cost.js';

const SYMBOL: Record<string, string> = { create: '+', adopt: '<', replace: '-/+', run: '>', wait: '~', noop: '=' };

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
  }
  lines.push('');
  lines.push(...costLines(plan));
  lines.push('');
  lines.push(tally(plan));
  return lines;
}

export function costLines(plan: Plan): string[] {
  const c = plan.cost;
  const local = plan.target.kind === 'local';
  const lines = [`Cost estimate${local ? ' (what this run would cost on AWS; the local target costs $0)' : ''}, list prices as of ${PRICES_AS_OF}:`];
  for (const l of c.lines) lines.push(`  ${l.item.padEnd(15)} ${l.quantity.padStart(16)}  $${l.usd.toFixed(2)}`);
  const over = c.totalUsd > plan.budgetUsd;
  lines.push(`  ${'total'.padEnd(15)} ${''.padStart(16)}  $${c.totalUsd.toFixed(2)} of budget $${plan.budgetUsd.toFixed(2)}${over ? '  OVER BUDGET' : ''}`);
  return lines;
}

export function tally(plan: Plan): string {
  if (plan.changes === 0) return 'No changes. The pipeline is up to date.';
  const counts = new Map<string, number>();
  for (const s of plan.steps) if (s.action !== 'noop') counts.set(s.action, (counts.get(s.action) ?? 0) + 1);
  const parts = ['create', 'adopt', 'replace', 'run', 'wait'].filter((a) => counts.has(a)).map((a) => `${counts.get(a)} to ${a}`);
  return `Plan: ${parts.join(', ')}; ${plan.steps.length - plan.changes} up to date.`;
}
