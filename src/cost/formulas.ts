import type { Prices } from '../spec/types.js';
import type { CostAdvice } from './advisor.js';
import type { ResolvedPrices } from './prices.js';
import type { HoursRange } from './training-hours.js';

/**
 * The billing formulas (docs/cost.md), used both for the plan's estimate and for the actual cost after a run:
 *   data ingestion = GB imported x price per GB
 *   training       = billed training hours x price per hour
 *   batch segments = unique users in the interactions dataset the solution version was trained on
 *                    x input rows (queries) / 1,000 x price per 1,000 users scored
 * The batch segment charge does not depend on numResults: every user is scored for every query.
 */
export interface CostQuantities {
  /** Bytes the import jobs that will run read (interactions.csv, items.csv). */
  ingestBytes: number;
  /** Billed training hours of a training that will run (absent: no training runs). */
  trainingHours?: HoursRange;
  /** The batch segment jobs that will run (absent: none): users in the dataset, queries summed over the jobs. */
  segments?: { users: number; queries: number; jobs?: number };
}

/**
 * Quantities of several steps together: bytes and training hours add up; batch segment jobs add their queries
 * (every job of a dataset group scores the same users).
 */
export function sumQuantities(parts: Array<Partial<CostQuantities>>): CostQuantities {
  const out: CostQuantities = { ingestBytes: 0 };
  for (const p of parts) {
    out.ingestBytes += p.ingestBytes ?? 0;
    if (p.trainingHours) {
      const h = out.trainingHours ?? { low: 0, high: 0 };
      out.trainingHours = { low: round(h.low + p.trainingHours.low, 2), high: round(h.high + p.trainingHours.high, 2) };
    }
    if (p.segments) {
      const s = out.segments;
      out.segments = {
        users: Math.max(s?.users ?? 0, p.segments.users),
        queries: (s?.queries ?? 0) + p.segments.queries,
        jobs: (s?.jobs ?? 0) + (p.segments.jobs ?? 1),
      };
    }
  }
  return out;
}

/** A run's cost as its report shows it: the estimate's range and lines, and on AWS what was billed. */
export interface RunCost {
  estimate: { lowUsd: number; highUsd: number; lines: CostLine[] };
  actual?: { totalUsd: number; lines: CostLine[] };
}

export type CostItem = 'data ingestion' | 'training' | 'batch segments';

export interface CostLine {
  item: CostItem;
  /** "0.0123 GB", "1.06-2.25 h", "3,834 users x 500 queries". */
  quantity: string;
  /** Low end of the range (equal to usd for lines that are not ranges). */
  lowUsd: number;
  /** High end: what the budget gate uses. */
  usd: number;
}

export interface CostEstimate {
  lines: CostLine[];
  /** High end of the estimate: compared with budget.maxUsd. */
  totalUsd: number;
  lowUsd: number;
  ingestGb: number;
  trainingHours?: HoursRange;
  segments?: { users: number; queries: number; jobs?: number; usersScored: number };
  prices: Prices;
  pricing: Omit<ResolvedPrices, 'prices'>;
  /** What drives the cost and the cheapest changes, when over budget or dominated by one line. */
  advice?: CostAdvice;
}

export function costLines(q: CostQuantities, prices: Prices): CostLine[] {
  const gb = q.ingestBytes / 1e9;
  const ingest = gb * prices.dataIngestionPerGb;
  const hours = q.trainingHours ?? { low: 0, high: 0 };
  const scored = q.segments ? q.segments.users * q.segments.queries : 0;
  const segments = (scored / 1000) * prices.batchSegmentsPer1000Users;
  return [
    { item: 'data ingestion', quantity: `${round(gb, 4)} GB`, lowUsd: round(ingest, 4), usd: round(ingest, 4) },
    {
      item: 'training',
      quantity: hours.low === hours.high ? `${hours.high} h` : `${hours.low}-${hours.high} h`,
      lowUsd: round(hours.low * prices.trainingPerHour, 4),
      usd: round(hours.high * prices.trainingPerHour, 4),
    },
    {
      item: 'batch segments',
      quantity: q.segments
        ? `${int(q.segments.users)} users x ${int(q.segments.queries)} queries${(q.segments.jobs ?? 1) > 1 ? ` (${q.segments.jobs} jobs)` : ''}`
        : '0 users scored',
      lowUsd: round(segments, 4),
      usd: round(segments, 4),
    },
  ];
}

export function estimateCost(q: CostQuantities, resolved: ResolvedPrices): CostEstimate {
  const lines = costLines(q, resolved.prices);
  const { prices, ...pricing } = resolved;
  return {
    lines,
    totalUsd: round(
      lines.reduce((s, l) => s + l.usd, 0),
      2,
    ),
    lowUsd: round(
      lines.reduce((s, l) => s + l.lowUsd, 0),
      2,
    ),
    ingestGb: round(q.ingestBytes / 1e9, 6),
    ...(q.trainingHours ? { trainingHours: q.trainingHours } : {}),
    ...(q.segments ? { segments: { ...q.segments, usersScored: q.segments.users * q.segments.queries } } : {}),
    prices,
    pricing,
  };
}

/** What was billed, by the same formulas, from what AWS reported: billed hours, bytes imported, users x rows. */
export function actualCost(
  billed: { ingestBytes: number; trainingHours: number; segments?: { users: number; queries: number; jobs?: number } },
  prices: Prices,
): { lines: CostLine[]; totalUsd: number } {
  const lines = costLines(
    {
      ingestBytes: billed.ingestBytes,
      trainingHours: { low: billed.trainingHours, high: billed.trainingHours },
      ...(billed.segments ? { segments: billed.segments } : {}),
    },
    prices,
  );
  return {
    lines,
    totalUsd: round(
      lines.reduce((s, l) => s + l.usd, 0),
      2,
    ),
  };
}

export function round(x: number, digits: number): number {
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
}

function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
