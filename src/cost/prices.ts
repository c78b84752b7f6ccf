import type { Prices } from '../spec/types.js';

/**
 * The price table (docs/cost.md). Amazon Personalize bills data ingested per GB, training per billed training
 * hour, and a batch segment job per 1,000 "users scored": the unique users in the dataset times the input rows.
 * The figures below are the us-east-1 list prices recorded on PRICES_AS_OF; they could not be re-read from the
 * pricing page while this was written, so every region's entry says `confirmed: false` and the plan says so.
 * `budget.prices` in the spec overrides any of them (and a figure the user gives counts as confirmed).
 */
export const PRICES_AS_OF = '2026-11-28';
export const PRICING_PAGE = 'https://aws.amazon.com/personalize/pricing/';

export const US_EAST_1_PRICES: Prices = {
  dataIngestionPerGb: 0.05,
  trainingPerHour: 0.24,
  batchSegmentsPer1000Users: 0.016,
};

/** Kept for callers that price without a region (tests, the local model's benchmarks). */
export const DEFAULT_PRICES = US_EAST_1_PRICES;

interface RegionPrices {
  prices: Prices;
  /** Billing currency of the region's own pricing page. */
  currency: 'USD' | 'CNY';
  confirmed: boolean;
  source: string;
}

const RECORDED = `us-east-1 list prices recorded ${PRICES_AS_OF}, not confirmed against ${PRICING_PAGE}`;

/**
 * Regions where Amazon Personalize has an endpoint (botocore endpoints.json @ 0e6e2404, 2026-08-07). No regional
 * price was confirmed; each starts from the us-east-1 figures, so the plan flags every one of them.
 */
export const PRICE_TABLE: Readonly<Record<string, RegionPrices>> = Object.fromEntries<RegionPrices>([
  ...[
    'us-east-1',
    'us-east-2',
    'us-west-2',
    'ca-central-1',
    'eu-west-1',
    'eu-central-1',
    'ap-south-1',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-southeast-1',
    'ap-southeast-2',
  ].map((r) => [r, { prices: US_EAST_1_PRICES, currency: 'USD', confirmed: false, source: RECORDED }] as const),
  ['cn-north-1', { prices: US_EAST_1_PRICES, currency: 'CNY', confirmed: false, source: 'billed in CNY by Amazon Web Services China; no price recorded' }],
]);

export interface ResolvedPrices {
  prices: Prices;
  region: string;
  /** Every figure in use is one the user gave in budget.prices. */
  confirmed: boolean;
  /** Keys taken from budget.prices. */
  overridden: Array<keyof Prices>;
  /** What the plan must say about the figures (unconfirmed, unknown region, other currency). */
  notes: string[];
}

export function resolvePrices(region: string, overrides: Partial<Prices> | undefined): ResolvedPrices {
  const entry = PRICE_TABLE[region];
  const overridden = (Object.keys(overrides ?? {}) as Array<keyof Prices>).filter((k) => overrides?.[k] !== undefined);
  const prices: Prices = { ...(entry?.prices ?? US_EAST_1_PRICES), ...(overrides ?? {}) };
  const confirmed = overridden.length === 3;
  const notes: string[] = [];
  if (!confirmed) {
    const which = overridden.length ? ` (budget.prices sets ${overridden.join(', ')})` : '';
    if (!entry) notes.push(`Amazon Personalize has no endpoint in ${region}; using ${RECORDED}${which}`);
    else if (entry.currency !== 'USD') notes.push(`${region} is ${entry.source}; using ${RECORDED}${which}: set budget.prices in USD`);
    else if (!entry.confirmed)
      notes.push(`prices are ${entry.source}${region === 'us-east-1' ? '' : ` (${region} may differ)`}${which}; set budget.prices to the current figures`);
  }
  return { prices, region, confirmed, overridden, notes };
}
