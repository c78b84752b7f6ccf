/** Number formatting shared by the text summary, report.md, report.html and the history table. */
import type { Interval, Lift } from './report-types.js';

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
