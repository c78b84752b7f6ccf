import type { BadRowPolicy } from '../spec/types.js';
import { inputError } from '../util/errors.js';
import { describeBadRows, type StageResult } from './stage.js';

/**
 * onBadRows: fail refuses any bad row, naming the first ones with their lines; skip drops them, up to maxBadRows.
 * `what` is the spec path of the source (data.interactions, queries.items, ...).
 */
export function applyBadRowPolicy(what: string, source: string, policy: BadRowPolicy, r: StageResult, hint?: string): void {
  if (r.badRows === 0) return;
  const lines = describeBadRows(r.badExamples);
  // Most rows bad for one reason that one spec line fixes: say that line, not "skip them".
  if (hint) throw inputError('DATA_BAD_ROWS', `${source}: ${r.badRows} bad ${what} row${r.badRows === 1 ? '' : 's'}`, [hint, ...lines.slice(0, 3)]);
  const path = what.includes('.') ? what : `data.${what}`;
  if (policy.onBadRows === 'fail') {
    throw inputError('DATA_BAD_ROWS', `${source}: ${r.badRows} bad ${what} row${r.badRows === 1 ? '' : 's'} (onBadRows: fail)`, [
      ...lines,
      `set ${path}.onBadRows: skip (with maxBadRows) to drop them`,
    ]);
  }
  if (r.badRows > policy.maxBadRows) {
    throw inputError('DATA_TOO_MANY_BAD_ROWS', `${source}: ${r.badRows} bad ${what} rows, more than maxBadRows ${policy.maxBadRows}`, lines);
  }
}
