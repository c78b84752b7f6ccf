import { estimateCost } from '../cost/formulas.js';
import { resolvePrices } from '../cost/prices.js';
import { segmentationStats } from '../resources/layout.js';
import type { PreparedData } from '../resources/types.js';
import type { Spec } from '../spec/types.js';
import { filterNotes } from './filter-notes.js';

/**
 * What the plan says about the prepared data without it changing any step: prepare's warnings (a thin holdout,
 * chosen items the model has never seen), what the cold sampled queries and keeping the unknown items would cost,
 * priced like the run.
 */
export function dataNotes(spec: Spec, p: PreparedData): string[] {
  const notes = [...(p.stats.warnings ?? [])];
  const prices = resolvePrices(spec.target.region, spec.budget.prices);
  for (const seg of spec.segmentations) {
    const stats = segmentationStats(p, seg);
    const where = spec.segmentations.length > 1 ? `${seg.name}: ` : '';
    const items = seg.queries.items;
    if (items?.kind === 'sample' && stats.coldQueries > 0) {
      const usd = estimateCost({ ingestBytes: 0, segments: { users: p.stats.trainUsers, queries: stats.coldQueries } }, prices).totalUsd;
      notes.push(
        `${where}${stats.coldQueries} of the ${stats.queries} sampled queries are cold (items never seen in training): they cost $${usd.toFixed(2)} on AWS ` +
          `(${p.stats.trainUsers.toLocaleString('en-US')} users x ${stats.coldQueries} queries) and come back without users; queries.items.excludeCold: true samples only items the model has seen`,
      );
    }
    const unknown = stats.unknown;
    if (!unknown || unknown.kept) continue;
    const usd = estimateCost({ ingestBytes: 0, segments: { users: p.stats.trainUsers, queries: unknown.count } }, prices).totalUsd;
    notes.push(
      `${where}keeping the ${unknown.count} unknown item${unknown.count === 1 ? '' : 's'} (queries.items.keepUnknown: true) would add $${usd.toFixed(2)} on AWS ` +
        `(${p.stats.trainUsers.toLocaleString('en-US')} users x ${unknown.count} queries) for segments the model cannot fill`,
    );
  }
  notes.push(...filterNotes(spec, p));
  return notes;
}
