import type { Prices, Recipe } from '../spec/types.js';

/**
 * The cost model (docs/cost.md). Amazon Personalize bills data ingested (per GB), training hours (billed hours,
 * which can exceed wall-clock) and batch segmentation (per 1,000 users in the output). The default prices are
 * us-east-1 list prices as recorded in docs/cost.md with their date; spec.budget.prices overrides any of them.
 */
export const DEFAULT_PRICES: Prices = {
  dataIngestionPerGb: 0.05,
  trainingPerHour: 0.24,
  batchSegmentsPer1000Users: 0.016,
};
export const PRICES_AS_OF = '2026-11-28';

export interface CostInputs {
  /** Bytes imported (interactions + items), only for imports that will run. */
  ingestBytes: number;
  /** Interactions in the training data (drives the training-hours estimate). */
  trainInteractions: number;
  recipe: Recipe;
  /** Will a new training run? */
  training: boolean;
  /** Users in the batch segment output (queries x numResults), only when a segment job will run. */
  segmentUsers: number;
}

export interface CostEstimate {
  ingestGb: number;
  trainingHours: number;
  segmentUsers: number;
  lines: Array<{ item: string; quantity: string; usd: number }>;
  totalUsd: number;
  prices: Prices;
}

/**
 * Billed training hours, estimated from the only public measurements there are (aws-samples notebook, 2021:
 * ~2.25 h item-affinity and ~3.7 h item-attribute-affinity on ~26k users / ~1M interactions): a fixed base plus a
 * term that grows with the data. Deliberately pessimistic; the actual figure is read back after training.
 */
export function estimateTrainingHours(trainInteractions: number, recipe: Recipe): number {
  const base = recipe === 'aws-item-attribute-affinity' ? 3.7 : 2.25;
  return round(base * Math.max(1, trainInteractions / 1_000_000), 2);
}

export function resolvePrices(overrides: Partial<Prices> | undefined): Prices {
  return { ...DEFAULT_PRICES, ...(overrides ?? {}) };
}

export function estimateCost(inputs: CostInputs, prices: Prices): CostEstimate {
  const ingestGb = inputs.ingestBytes / 1e9;
  const trainingHours = inputs.training ? estimateTrainingHours(inputs.trainInteractions, inputs.recipe) : 0;
  const lines = [
    { item: 'data ingestion', quantity: `${round(ingestGb, 4)} GB`, usd: ingestGb * prices.dataIngestionPerGb },
    { item: 'training', quantity: `${trainingHours} h`, usd: trainingHours * prices.trainingPerHour },
    { item: 'batch segments', quantity: `${inputs.segmentUsers} users`, usd: (inputs.segmentUsers / 1000) * prices.batchSegmentsPer1000Users },
  ].map((l) => ({ ...l, usd: round(l.usd, 4) }));
  return {
    ingestGb: round(ingestGb, 6),
    trainingHours,
    segmentUsers: inputs.segmentUsers,
    lines,
    totalUsd: round(lines.reduce((s, l) => s + l.usd, 0), 2),
    prices,
  };
}

/** What was actually billed, from the figures AWS reports back. */
export function actualCost(billed: { ingestBytes: number; trainingHours: number; segmentUsers: number }, prices: Prices): number {
  return round(
    (billed.ingestBytes / 1e9) * prices.dataIngestionPerGb +
      billed.trainingHours * prices.trainingPerHour +
      (billed.segmentUsers / 1000) * prices.batchSegmentsPer1000Users,
    2,
  );
}

function round(x: number, digits: number): number {
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
}
