import { ARTIFACT_FILES, type SegmentationStats } from '../data/artifacts.js';
import { adviseCost, type AttributeAlternative, type QueryKnob } from '../cost/advisor.js';
import type { EvaluationBasis } from '../cost/evaluation-impact.js';
import { estimateCost, sumQuantities, type CostEstimate } from '../cost/formulas.js';
import { resolvePrices } from '../cost/prices.js';
import { segmentationStats } from '../resources/layout.js';
import { modelsOf } from '../resources/segmentation-ids.js';
import type { Desired, PreparedData, StepDefinition } from '../resources/types.js';
import type { Recipe, Segmentation, Spec } from '../spec/types.js';
import { RENEWS_PAID, type PlannedStep } from './types.js';

/**
 * What the planned run costs on AWS: every step that will run declares what it is billed (its `billable`), and only
 * those are priced (docs/cost.md). The advisor adds the cheapest changes when the estimate is over budget or
 * dominated by one line.
 */
export function planCost(spec: Spec, p: PreparedData, planned: PlannedStep[], steps: StepDefinition[], desired: Map<string, Desired>): CostEstimate {
  const runs = (id: string) => RENEWS_PAID.has(planned.find((x) => x.id === id)?.action ?? 'noop');
  const quantities = sumQuantities(steps.filter((s) => s.billable && runs(s.id)).map((s) => s.billable!({ spec, prepared: p, desired: desired.get(s.id)! })));
  const prices = resolvePrices(spec.target.region, spec.budget.prices);
  const estimate = estimateCost(quantities, prices);
  const bytes = (file: string) => p.manifest.outputs[file]?.bytes ?? 0;
  const recipes = [...new Set(modelsOf(spec).map((m) => m.recipe))] as Recipe[];
  const knob = queryKnob(spec, p);
  const alternatives = attributeAlternatives(spec, p);
  const advice = adviseCost({
    estimate,
    quantities,
    budgetUsd: spec.budget.maxUsd,
    prices,
    recipes,
    data: {
      trainUsers: p.stats.trainUsers,
      trainRows: p.stats.trainRows,
      trainItems: p.stats.trainItems,
      interactionsBytes: bytes(ARTIFACT_FILES.interactions),
      itemsBytes: bytes(ARTIFACT_FILES.items),
      ...(spec.split?.trainStart ? { trainStart: spec.split.trainStart } : {}),
      ...(spec.split ? {} : { production: true }),
      ...(spec.data.interactions.lastDays !== undefined ? { lastDays: spec.data.interactions.lastDays } : {}),
    },
    ...(knob ? { queries: knob } : {}),
    ...(alternatives.length ? { alternatives } : {}),
    ...(p.stats.costBasis ? { basis: p.stats.costBasis } : {}),
    ...(spec.split ? { evaluation: evaluationBasis(spec, p) } : {}),
  });
  return advice ? { ...estimate, advice } : estimate;
}

/** The first segmentation's holdout as prepared: what each cheaper option would do to it. */
function evaluationBasis(spec: Spec, p: PreparedData): EvaluationBasis {
  const seg = spec.segmentations[0]!;
  const s = segmentationStats(p, seg);
  return { numResults: seg.segments.numResults, k: s.k, queries: s.queries, coldQueries: s.coldQueries, warmTestUsers: p.stats.warmTestUsers };
}

/** The spec path of a segmentation's key: top-level for a file without `segmentations`. */
function keyOf(spec: Spec, seg: Segmentation, key: string): string {
  const i = spec.segmentations.indexOf(seg);
  return spec.segmentations.length === 1 && seg.primary ? key : `segmentations[${i}].${key}`;
}

/**
 * The segmentation with the most queries whose number of queries is a setting: a test-period sample, a top-N of
 * attribute values, or hand-written expressions. Chosen items (ids, a file, a condition) are the marketer's call.
 */
function queryKnob(spec: Spec, p: PreparedData): QueryKnob | undefined {
  let best: { knob: QueryKnob; stats: SegmentationStats } | undefined;
  for (const seg of spec.segmentations) {
    const stats = segmentationStats(p, seg);
    const items = seg.queries.items;
    const knob: QueryKnob | undefined =
      items?.kind === 'sample'
        ? { key: keyOf(spec, seg, 'queries.items.sample'), value: stats.queries, unit: 'items' }
        : seg.queries.topAttributeValues
          ? { key: keyOf(spec, seg, 'queries.attributes.top'), value: stats.queries, unit: 'values' }
          : seg.queries.attributes
            ? { key: keyOf(spec, seg, 'queries.attributes'), value: stats.queries, unit: 'expressions' }
            : undefined;
    if (knob && (!best || stats.queries > best.stats.queries)) best = { knob, stats };
  }
  return best?.knob;
}

/** Item-query segmentations and the categorical attribute whose values cover their items with the fewest queries. */
function attributeAlternatives(spec: Spec, p: PreparedData): AttributeAlternative[] {
  const attrTrained = spec.segmentations.some((s) => s.recipe === 'aws-item-attribute-affinity');
  return spec.segmentations.flatMap((seg) => {
    if (seg.recipe !== 'aws-item-affinity') return [];
    const stats = segmentationStats(p, seg);
    // The coarsest split that still tells segments apart: fewest values, but at least two.
    const best = [...(stats.attributeAlternative ?? [])].filter((a) => a.values >= 2).sort((a, b) => a.values - b.values)[0];
    if (!best) return [];
    return [{ key: keyOf(spec, seg, 'recipe'), itemQueries: stats.queries, attribute: best.attribute, values: best.values, addsTraining: !attrTrained }];
  });
}
