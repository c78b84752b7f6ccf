import type { PreparedData } from '../resources/types.js';
import { didYouMean } from '../spec/did-you-mean.js';
import type { Spec } from '../spec/types.js';

/**
 * Segment filter values that never occur in the prepared data: `EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN
 * ("1")` on data that hold `1.0` excludes no one, silently. Each such value is named with the field, a
 * did-you-mean over the values that do occur, and what the filter then does. Event types match ignoring case (as
 * Personalize matches them); every other value exactly. Needs prepare's `fieldValues` (stats.json).
 */
export function filterNotes(spec: Spec, p: PreparedData): string[] {
  const known = p.stats.fieldValues;
  if (!known) return [];
  const notes: string[] = [];
  for (const seg of spec.segmentations) {
    const filter = seg.segments.filter;
    if (!filter) continue;
    const where = spec.segmentations.length > 1 ? `${seg.name}: ` : '';
    for (const clause of filter.clauses) {
      for (const condition of clause.anyOf.flat()) {
        if (condition.op !== 'IN' && condition.op !== 'NOT IN' && condition.op !== '=') continue;
        const key = Object.keys(known).find((k) => k.toLowerCase() === `${condition.dataset}.${condition.field}`.toLowerCase());
        const field = key === undefined ? undefined : known[key];
        if (!field || !field.complete) continue;
        const eventType = condition.dataset === 'Interactions';
        const norm = (v: string) => (eventType ? v.toLowerCase() : v);
        const present = new Set(field.values.map(norm));
        for (const v of condition.values) {
          if (v.kind === 'placeholder') continue;
          const value = String(v.value);
          if (present.has(norm(value))) continue;
          const guess = didYouMean(value, field.values);
          const shown = field.values.length > 8 ? `${field.values.slice(0, 8).join(', ')}, ... (${field.values.length})` : field.values.join(', ');
          const effect = clause.action === 'EXCLUDE' ? 'excludes no one by it' : 'includes no one by it';
          notes.push(
            `${where}segments.filter: "${value}" never occurs in ${key} of the prepared data, so ${clause.action} ${clause.target} ${effect}` +
              `${guess !== undefined ? `; did you mean "${guess}"?` : ''} (values: ${shown})`,
          );
        }
      }
    }
  }
  return notes;
}
