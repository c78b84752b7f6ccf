import { ApiError } from '../api-error.js';
import type { Emu } from '../context.js';

/**
 * Personalize's per-region and per-dataset-group quotas on segflow's path ("Amazon Personalize endpoints and quotas",
 * https://docs.aws.amazon.com/personalize/latest/dg/limits.html): active schemas 500, active dataset groups 5,
 * pending or in-progress dataset import jobs 5, batch segment jobs 5, solution versions 20; per dataset group
 * active solutions 10 and filters 10. The emulator option `quotas` may lower any of them (never raise: that would
 * accept what AWS refuses by default).
 */
export const DEFAULT_QUOTAS = {
  schemas: 500,
  datasetGroups: 5,
  importJobsInFlight: 5,
  batchSegmentJobsInFlight: 5,
  solutionVersionsInFlight: 20,
  solutionsPerDatasetGroup: 10,
  filtersPerDatasetGroup: 10,
} as const;

export type QuotaName = keyof typeof DEFAULT_QUOTAS;
export type Quotas = Partial<Record<QuotaName, number>>;

export function quota(emu: Emu, name: QuotaName): number {
  return emu.opts.quotas[name] ?? DEFAULT_QUOTAS[name];
}

/**
 * In-flight quotas, as the error-messages page quotes the service: "An error occurred (LimitExceededException) when
 * calling the CreateDatasetImportJob operation: More than 5 resources with PENDING or IN_PROGRESS status."
 * (https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html)
 */
export function checkInFlight(emu: Emu, name: QuotaName, count: number): void {
  const max = quota(emu, name);
  if (count >= max) throw new ApiError('LimitExceededException', `More than ${max} resources with PENDING or IN_PROGRESS status.`);
}

/**
 * Quotas on active resources, worded after the service's message for the campaign quota that the same page quotes:
 * "Cannot create a campaign. More than 5 resources in ACTIVE state. Please delete some and try again."
 */
export function checkActive(emu: Emu, name: QuotaName, what: string, count: number): void {
  const max = quota(emu, name);
  if (count >= max)
    throw new ApiError('LimitExceededException', `Cannot create a ${what}. More than ${max} resources in ACTIVE state. Please delete some and try again.`);
}

/** Validates the `quotas` option: known names, integers from 0 to AWS's default. */
export function validateQuotas(q: Quotas | undefined): Quotas {
  const out: Quotas = {};
  for (const [name, value] of Object.entries(q ?? {})) {
    if (!(name in DEFAULT_QUOTAS)) throw new Error(`unknown quota '${name}' (known: ${Object.keys(DEFAULT_QUOTAS).join(', ')})`);
    const max = DEFAULT_QUOTAS[name as QuotaName];
    if (!Number.isInteger(value) || value < 0 || value > max) throw new Error(`quota ${name} must be an integer from 0 to AWS's default ${max}, not ${value}`);
    out[name as QuotaName] = value;
  }
  return out;
}
