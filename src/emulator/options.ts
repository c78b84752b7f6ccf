import { inputError } from '../util/errors.js';
import { validateAccounts, validateRoleSessions, type AccountCredentials, type RoleSessionCredentials } from './auth/accounts.js';
import { validateCredentialExpiry, type CredentialExpiry } from './auth/expiry.js';
import { validateQuotas, type Quotas } from './personalize/quotas.js';

/** How fast resources walk through their statuses: fast for tests, realistic for trying a runner's polling. */
export type LifecycleSpeed = 'fast' | 'realistic';

/**
 * Injected failures, so a runner's retries and resume can be tested against the emulator.
 * Rates are probabilities per signed service request (0..1); the random stream is seeded, so a run is repeatable.
 */
export interface FaultSpec {
  /** Rate of throttling answers (Personalize ThrottlingException, S3 SlowDown 503, IAM/STS Throttling). */
  throttleRate?: number;
  /** Rate of HTTP 500 answers (InternalFailure / InternalError). */
  errorRate?: number;
  /** Added latency per request, in milliseconds. */
  latencyMs?: number;
  /** Personalize Create* operations whose resources end in CREATE FAILED (e.g. CreateSolutionVersion). */
  failOperations?: string[];
  /** Seed of the fault random stream (default 1). */
  seed?: number;
  /**
   * Trainings wait this long before they start learning (stopping ends the wait at once): a training a test can
   * always catch in progress, however fast or busy the machine.
   */
  trainingDelayMs?: number;
}

export interface EmulatorOptions {
  dataDir: string;
  /** 0 = ephemeral. Default 0 in process; the CLI defaults to 4566-like fixed port. */
  port?: number;
  host?: string;
  lifecycle?: LifecycleSpeed;
  faults?: FaultSpec;
  /** The default account and its credentials (default 000000000000, access key 'test', secret 'test'). */
  accessKeyId?: string;
  secretAccessKey?: string;
  accountId?: string;
  /**
   * More accounts on the same endpoint, each with its own credentials: a request signed with them acts as that
   * account (its own IAM, Personalize resources and KMS keys; S3 buckets belong to the account that created them).
   */
  accounts?: AccountCredentials[];
  /**
   * Credentials that act as a session of a role (a CI role): every request signed with them is authorized by that
   * role's policies and permissions boundary, in every service, as on AWS. Default: none (every caller is root).
   */
  roleSessions?: RoleSessionCredentials[];
  /** Makes the default credentials expire after this many signed requests or milliseconds (renewCredentials()). */
  credentialExpiry?: CredentialExpiry;
  /** Largest single PUT / part body accepted, in bytes (default 5 GiB, as S3). */
  maxObjectBytes?: number;
  /**
   * Caps every list page (Personalize List*, S3 ListObjects(V2)/ListObjectVersions/ListParts, IAM and KMS lists) so
   * that every client path has to follow the continuation tokens. Default: no cap beyond each API's own maximum.
   */
  pageSize?: number;
  /**
   * IAM eventual consistency: a new or changed role (trust policy, inline or attached policies) becomes usable by
   * Personalize only this many milliseconds later. Default 0 (immediately).
   */
  iamPropagationDelayMs?: number;
  /** Lower Personalize quotas (e.g. { batchSegmentJobsInFlight: 1 }) to reach them in tests; never above AWS's. */
  quotas?: Quotas;
  /** Where the emulator's own log lines go (background task failures, internal errors); default: nowhere. */
  log?: (line: string) => void;
  /** Milliseconds per status step, overriding `lifecycle` (tests that need a known, generous step). */
  lifecycleStepMs?: number;
  /** The clock IAM propagation is judged by (default Date.now): a test moves it instead of sleeping. */
  now?: () => number;
}

export interface ResolvedOptions {
  dataDir: string;
  port: number;
  host: string;
  lifecycle: LifecycleSpeed;
  lifecycleStepMs?: number;
  now: () => number;
  faults: FaultSpec;
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  accounts: AccountCredentials[];
  roleSessions: RoleSessionCredentials[];
  credentialExpiry?: CredentialExpiry;
  maxObjectBytes: number;
  pageSize?: number;
  iamPropagationDelayMs: number;
  quotas: Quotas;
}

export const DEFAULT_ACCESS_KEY_ID = 'test';
export const DEFAULT_SECRET_ACCESS_KEY = 'test';
export const DEFAULT_ACCOUNT_ID = '000000000000';

export function resolveOptions(o: EmulatorOptions): ResolvedOptions {
  const defaults = {
    accountId: o.accountId ?? DEFAULT_ACCOUNT_ID,
    accessKeyId: o.accessKeyId ?? DEFAULT_ACCESS_KEY_ID,
    secretAccessKey: o.secretAccessKey ?? DEFAULT_SECRET_ACCESS_KEY,
  };
  const accounts = validateAccounts(defaults, o.accounts ?? []);
  const credentialExpiry = validateCredentialExpiry(o.credentialExpiry);
  return {
    dataDir: o.dataDir,
    port: o.port ?? 0,
    host: o.host ?? '127.0.0.1',
    lifecycle: o.lifecycle ?? 'fast',
    ...(o.lifecycleStepMs !== undefined ? { lifecycleStepMs: nonNegative('lifecycleStepMs', o.lifecycleStepMs) } : {}),
    now: o.now ?? Date.now,
    faults: validateFaults(o.faults ?? {}),
    ...defaults,
    accounts,
    roleSessions: validateRoleSessions([defaults, ...accounts], o.roleSessions ?? []),
    ...(credentialExpiry ? { credentialExpiry } : {}),
    maxObjectBytes: o.maxObjectBytes ?? 5 * 1024 ** 3,
    pageSize: positiveInt('pageSize', o.pageSize),
    iamPropagationDelayMs: nonNegative('iamPropagationDelayMs', o.iamPropagationDelayMs ?? 0),
    quotas: quotasOption(o.quotas),
  };
}

function positiveInt(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 1) throw inputError('EMU_OPTIONS', `${name} must be a positive integer, not ${v}`);
  return v;
}

function quotasOption(q: Quotas | undefined): Quotas {
  try {
    return validateQuotas(q);
  } catch (e) {
    throw inputError('EMU_OPTIONS', (e as Error).message);
  }
}

function nonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw inputError('EMU_OPTIONS', `${name} must be a number >= 0, not ${v}`);
  return v;
}

export function validateFaults(f: FaultSpec): FaultSpec {
  for (const key of ['throttleRate', 'errorRate'] as const) {
    const v = f[key];
    if (v !== undefined && !(v >= 0 && v <= 1)) throw inputError('EMU_FAULTS', `${key} must be between 0 and 1, not ${v}`);
  }
  if (f.trainingDelayMs !== undefined && !(f.trainingDelayMs >= 0 && f.trainingDelayMs <= 3_600_000)) {
    throw inputError('EMU_FAULTS', `trainingDelayMs must be between 0 and 3600000, not ${f.trainingDelayMs}`);
  }
  if (f.latencyMs !== undefined && !(f.latencyMs >= 0 && f.latencyMs <= 60_000)) {
    throw inputError('EMU_FAULTS', `latencyMs must be between 0 and 60000, not ${f.latencyMs}`);
  }
  return { ...f, failOperations: [...(f.failOperations ?? [])] };
}

/** The --quotas syntax: `batchSegmentJobsInFlight=1,datasetGroups=2`. */
export function parseQuotaSpec(text: string): Quotas {
  const out: Record<string, number> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=');
    const n = Number(value);
    if (!name || value === undefined || value === '' || !Number.isFinite(n)) throw inputError('EMU_OPTIONS', `--quotas: expected NAME=N, got '${part}'`);
    out[name] = n;
  }
  return quotasOption(out);
}

/**
 * The --faults syntax: comma separated `throttle=0.1,error=0.05,latency=200,fail=CreateSolutionVersion+CreateBatchSegmentJob,seed=7`.
 */
export function parseFaultSpec(text: string): FaultSpec {
  const spec: FaultSpec = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    const num = () => {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) throw inputError('EMU_FAULTS', `--faults ${key} needs a number, got '${value}'`);
      return n;
    };
    if (key === 'throttle') spec.throttleRate = num();
    else if (key === 'error' || key === 'error500') spec.errorRate = num();
    else if (key === 'latency') spec.latencyMs = num();
    else if (key === 'seed') spec.seed = num();
    else if (key === 'train-delay') spec.trainingDelayMs = num();
    else if (key === 'fail') spec.failOperations = value.split('+').filter(Boolean);
    else throw inputError('EMU_FAULTS', `--faults: unknown key '${key}' (known: throttle, error, latency, fail, seed, train-delay)`);
  }
  return validateFaults(spec);
}
