import { ARTIFACT_FILES } from '../data/artifacts.js';
import { adviseCost } from '../cost/advisor.js';
import { estimateCost, type CostEstimate, type CostQuantities } from '../cost/formulas.js';
import { resolvePrices } from '../cost/prices.js';
import { estimateTrainingHours } from '../cost/training-hours.js';
import type { PreparedData } from '../resources/types.js';
import type { Spec } from '../spec/types.js';
import type { PlannedStep } from './types.js';

/**
 * What the planned run costs on AWS: only the steps that will run are priced (docs/cost.md), and the advisor adds
 * the cheapest changes when the estimate is over budget or dominated by one line.
 */
export function planCost(spec: Spec, p: PreparedData, steps: PlannedStep[]): CostEstimate {
  const runs = (id: string) => {
    const s = steps.find((x) => x.id === id);
    return Boolean(s && (s.action === 'run' || s.action === 'create' || s.action === 'replace'));
  };
  const bytes = (file: string) => p.manifest.outputs[file]?.bytes ?? 0;
  const quantities: CostQuantities = {
    // Every import that runs is billed for the bytes it reads: interactions, and items and users when present.
    ingestBytes: (['interactions', 'items', 'users'] as const).reduce((sum, t) => sum + (runs(`import-${t}`) ? bytes(ARTIFACT_FILES[t]) : 0), 0),
    ...(runs('training')
      ? { trainingHours: estimateTrainingHours({ interactions: p.stats.trainRows, users: p.stats.trainUsers, items: p.stats.trainItems }, spec.recipe) }
      : {}),
    // Billed per user in the interactions dataset the version was trained on, per input row.
    ...(runs('segments') ? { segments: { users: p.stats.trainUsers, queries: p.stats.queries } } : {}),
  };
  const prices = resolvePrices(spec.target.region, spec.budget.prices);
  const estimate = estimateCost(quantities, prices);
  const advice = adviseCost({
    estimate,
    quantities,
    budgetUsd: spec.budget.maxUsd,
    prices,
    recipe: spec.recipe,
    data: {
      trainUsers: p.stats.trainUsers,
      trainRows: p.stats.trainRows,
      trainItems: p.stats.trainItems,
      interactionsBytes: bytes(ARTIFACT_FILES.interactions),
      itemsBytes: bytes(ARTIFACT_FILES.items),
      ...(spec.split.trainStart ? { trainStart: spec.split.trainStart } : {}),
    },
    queries:
      spec.recipe === 'aws-item-attribute-affinity'
        ? { key: 'queries.attributes', value: spec.queries.attributes?.length ?? p.stats.queries }
        : { key: 'queries.items.sample', value: spec.queries.items?.sample ?? p.stats.queries },
    ...(p.stats.costBasis ? { basis: p.stats.costBasis } : {}),
  });
  return advice ? { ...estimate, advice } : estimate;
}
