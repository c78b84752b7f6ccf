import type { Recipe } from '../spec/types.js';

/** The size of the data a solution version trains on. */
export interface TrainingSize {
  interactions: number;
  users: number;
  items?: number;
}

export interface HoursRange {
  low: number;
  high: number;
}

/**
 * The one public measurement of these recipes (aws-samples user-segmentation notebook, Nov 2021, Amazon Grocery
 * reviews): about 226,000 users (its 1% segment was 2,262 users), about 1.4 million interactions and 229,000
 * items took 2 h 15 min (aws-item-affinity) and 3 h 41 min (aws-item-attribute-affinity) of wall-clock time.
 */
export const REFERENCE_RUN = { interactions: 1_400_000, users: 226_000, items: 229_000 } as const;
export const REFERENCE_HOURS: Record<Recipe, number> = { 'aws-item-affinity': 2.25, 'aws-item-attribute-affinity': 3.68 };

/**
 * Billed training hours as a range, from the data's size relative to the reference run (its largest ratio of
 * interactions, users and items). Low: the reference's wall-clock time scaled with the square root of the size,
 * at least half an hour. High: twice the reference (Personalize may train on larger instances and bills their
 * hours, so billed hours can exceed wall-clock) scaled linearly, never below the reference itself. The budget
 * gate uses the high end; the actual figure is read back from DescribeSolutionVersion after training.
 */
export function estimateTrainingHours(size: TrainingSize, recipe: Recipe): HoursRange {
  const ratio = Math.max(size.interactions / REFERENCE_RUN.interactions, size.users / REFERENCE_RUN.users, (size.items ?? 0) / REFERENCE_RUN.items);
  const base = REFERENCE_HOURS[recipe];
  const low = Math.max(0.5, base * Math.sqrt(ratio));
  const high = Math.max(low, 2 * base * Math.max(ratio, 0.5));
  return { low: round2(low), high: round2(high) };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
