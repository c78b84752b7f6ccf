/**
 * The one place SDK clients are configured: endpoint and credentials per target, retries without quota errors,
 * IAM signed for its partition's global region, S3 path-style on the emulator, and call counting.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import type { Target } from '../spec/types.js';
import { CallCounter } from './call-counter.js';
import { iamSigningRegion, partitionOf } from './partition.js';
import { StandardRetryExceptQuotaErrors } from './retry-strategy.js';

/** The emulator's fixed test credentials (src/emulator/options.ts DEFAULT_ACCESS_KEY_ID / SECRET). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Attempts per call for throttling and transient failures, unless the caller says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * No call may hang: a connection that is not up in 10 s, or a socket that stays silent for a minute (a half-open
 * connection), fails the attempt with a TimeoutError, which the retry strategy retries like any network error.
 * Control-plane calls (Personalize, IAM, STS, KMS) also end after two minutes whatever happens; S3 transfers may
 * take longer as long as bytes keep flowing. Callers with a deadline of their own (a lock renewal) abort sooner.
 */
export const HTTP_TIMEOUTS = { connectionTimeout: 10_000, socketTimeout: 60_000 };
const CONTROL_PLANE_TIMEOUT = { ...HTTP_TIMEOUTS, requestTimeout: 120_000, throwOnRequestTimeout: true };

export interface ClientOptions {
  target: Target;
  /** Endpoint of the local emulator; required for target local. */
  endpoint?: string;
  /** Attempts per call for throttling and transient errors (quota errors are never retried). */
  maxAttempts?: number;
  /** Shorter HTTP timeouts than HTTP_TIMEOUTS (tests of a server that never answers). */
  httpTimeouts?: Partial<typeof CONTROL_PLANE_TIMEOUT>;
}

export interface SdkClients {
  personalize: PersonalizeClient;
  s3: S3Client;
  iam: IAMClient;
  sts: STSClient;
  kms: KMSClient;
  calls: CallCounter;
  region: string;
  partition: string;
  local: boolean;
  label: string;
  destroy(): void;
}

/** One path to the cloud: the local target is the very same SDK clients pointed at the emulator. */
export function createSdkClients(opts: ClientOptions): SdkClients {
  const { target } = opts;
  const local = target.kind === 'local';
  if (local && !opts.endpoint) throw new Error('local target needs an emulator endpoint');
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  // A local target signs with the emulator's test credentials, or with a named profile's (a standalone emulator that
  // knows other accounts or role sessions: a CI role tried locally).
  const access = local
    ? { endpoint: opts.endpoint, ...(target.profile ? { profile: target.profile } : { credentials: LOCAL_CREDENTIALS }) }
    : target.profile
      ? { profile: target.profile }
      : {}; // the SDK's default credential chain
  // A strategy per client: each keeps its own retry quota, as the SDK's default does.
  const control = { ...CONTROL_PLANE_TIMEOUT, ...opts.httpTimeouts };
  const transfer = { ...HTTP_TIMEOUTS, ...opts.httpTimeouts, requestTimeout: undefined, throwOnRequestTimeout: undefined };
  const config = (region: string, requestHandler: object = control) => ({
    region,
    maxAttempts,
    retryStrategy: new StandardRetryExceptQuotaErrors(maxAttempts),
    requestHandler,
    ...access,
  });
  const calls = new CallCounter();
  const personalize = new PersonalizeClient(config(target.region));
  const s3 = new S3Client({
    ...config(target.region, transfer),
    forcePathStyle: local,
    // A bucket in another region (an s3:// source, a state bucket) answers 301 with its region: follow it.
    followRegionRedirects: true,
    // Buffers and files are sent with a plain content-length; no aws-chunked trailers needed.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // IAM is global: one endpoint per partition, signed for that partition's region (the emulator takes any).
  const iam = new IAMClient(config(local ? target.region : iamSigningRegion(target.region)));
  const sts = new STSClient(config(target.region));
  const kms = new KMSClient(config(target.region));
  calls.attach('personalize', personalize);
  calls.attach('s3', s3);
  calls.attach('iam', iam);
  calls.attach('sts', sts);
  calls.attach('kms', kms);
  return {
    personalize,
    s3,
    iam,
    sts,
    kms,
    calls,
    region: target.region,
    partition: partitionOf(target.region),
    local,
    label: local ? `local emulator at ${opts.endpoint}` : `aws ${target.region}`,
    destroy() {
      for (const c of [personalize, s3, iam, sts, kms]) c.destroy();
    },
  };
}
