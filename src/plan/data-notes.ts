import { estimateCost } from '../cost/formulas.js';
import { resolvePrices } from '../cost/prices.js';
import { segmentationStats } from '../resources/layout.js';
import type { PreparedData } from '../resources/types.js';
import type { Spec } from '../spec/types.js';

/**
 * What the plan says about the prepared data without it changing any step: prepare's warnings (a thin holdout,
 * chosen items the model has never seen), and what keeping the unknown items would cost, priced like the run.
 */
export function dataNotes(spec: Spec, p: PreparedData): string[] {
  const notes = [...(p.stats.warnings ?? [])];
  const prices = resolvePrices(spec.target.region, spec.budget.prices);
  for (const seg of spec.segmentations) {
    const unknown = segmentationStats(p, seg).unknown;
    if (!unknown || unknown.kept) continue;
    const usd = estimateCost({ ingestBytes: 0, segments: { users: p.stats.trainUsers, queries: unknown.count } }, prices).totalUsd;
    const where = spec.segmentations.length > 1 ? `${seg.name}: ` : '';
    notes.push(
      `${where}keeping the ${unknown.count} unknown item${unknown.count === 1 ? '' : 's'} (queries.items.keepUnknown: true) would add $${usd.toFixed(2)} on AWS ` +
        `(${p.stats.trainUsers.toLocaleString('en-US')} users x ${unknown.count} queries) for segments the model cannot fill`,
    );
  }
  return notes;
}
