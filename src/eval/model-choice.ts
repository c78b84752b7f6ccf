import type { ModelChoiceReport } from './report-types.js';

/**
 * The local model's validation contest, read back from the solution metrics' `segflow.*` keys (written by the
 * emulator: src/model/choice-metrics.ts has the format). AWS runs have none, and then there is no contest to show.
 */
const MODEL = 'segflow.model.';
const VALIDATION = 'segflow.validation.';
const RECALL = '.recall_at_1_percent';
const HITS = '.hits_at_1_percent';

/** The solution metrics without the segflow.* keys: what Personalize itself reports. */
export function personalizeMetrics(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => !k.startsWith('segflow.')));
}

export function modelChoiceFrom(values: Record<string, number> | undefined): ModelChoiceReport | null {
  if (!values) return null;
  const chosen = Object.keys(values)
    .find((k) => k.startsWith(MODEL))
    ?.slice(MODEL.length);
  if (chosen === undefined) return null;
  const byName = new Map<string, { recall?: number; hits?: number }>();
  for (const [k, v] of Object.entries(values)) {
    if (!k.startsWith(VALIDATION)) continue;
    const rest = k.slice(VALIDATION.length);
    const field = rest.endsWith(RECALL) ? 'recall' : rest.endsWith(HITS) ? 'hits' : undefined;
    if (!field) continue;
    const name = rest.slice(0, rest.length - (field === 'recall' ? RECALL : HITS).length);
    byName.set(name, { ...byName.get(name), [field]: v });
  }
  const candidates = [...byName.entries()]
    .filter((e): e is [string, { recall: number; hits: number }] => e[1].recall !== undefined && e[1].hits !== undefined)
    .map(([name, m]) => ({ name, recall: m.recall, hits: m.hits, chosen: name === chosen }))
    .sort((a, b) => b.recall - a.recall || b.hits - a.hits || (a.name < b.name ? -1 : 1));
  return {
    chosen,
    protocol:
      candidates.length > 0
        ? `Chosen inside training on a validation split (the latest 10% of the training interactions, warm users, ` +
          `${values['segflow.validation.queries']} queries, k = ${values['segflow.validation.k']}), then retrained on all of it.`
        : 'No validation contest (too little data for one): the default model.',
    candidates,
  };
}
