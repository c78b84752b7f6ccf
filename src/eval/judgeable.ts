import type { PrepareStats } from '../data/artifacts.js';
import type { Holdout } from './report-types.js';

/** Fewer scored queries than this, and a mean over them says little. */
export const MIN_JUDGEABLE_QUERIES = 10;
/** A 95% interval of recall@K at least this wide spans most of [0, 1]: the point value cannot be judged. */
export const MAX_JUDGEABLE_INTERVAL = 0.5;

/**
 * Why the holdout's figures cannot be judged, in words (empty when they can): fewer warm test users than K (a
 * segment of K users cannot be mostly right), too few scored queries, or an interval of recall@K spanning most
 * of [0, 1]. The report keeps the figures, marked, so nobody reads `random lift 33.89x` as a result.
 */
export function judgeCaveats(h: Pick<Holdout, 'k' | 'queryCount' | 'model'>, stats: Pick<PrepareStats, 'warmTestUsers'> | null): string[] {
  const out: string[] = [];
  if (stats && stats.warmTestUsers < h.k) out.push(`only ${stats.warmTestUsers} warm test users, fewer than K = ${h.k}`);
  if (h.queryCount < MIN_JUDGEABLE_QUERIES) out.push(`only ${h.queryCount} scored quer${h.queryCount === 1 ? 'y' : 'ies'}`);
  const ci = h.model.ci.recallAtK;
  if (ci && ci[1] - ci[0] >= MAX_JUDGEABLE_INTERVAL) out.push(`the 95% interval of recall@K is [${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}]`);
  return out;
}

/** One sentence for apply's summary, report.md and report.html. */
export function caveatSentence(reasons: string[]): string {
  return `These figures cannot be judged (${reasons.join('; ')}): a later split.testStart, more data or a smaller K makes a holdout that can.`;
}

/** A figure marked when the holdout cannot be judged. */
export function marked(text: string, h: Pick<Holdout, 'notJudgeable'>): string {
  return h.notJudgeable?.length ? `${text} (cannot be judged)` : text;
}
