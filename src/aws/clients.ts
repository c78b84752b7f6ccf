import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { S3Client } from '@aws-sdk/client-s3';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Target } from '../spec/types.js';
import { CallCounter } from './call-counter.js';

/** The account the local emulator pretends to be. */
export const LOCAL_ACCOUNT = '000000000000';

export interface AwsClients {
  personalize: PersonalizeClient;
  s3: S3Client;
  iam: IAMClient;
  sts: STSClient;
  calls: CallCounter;
  region: string;
  /** Resolved lazily with one STS call (local: the emulator's fixed account). */
  accountId(): Promise<string>;
  /** Human label for messages: "local emulator at http://127.0.0.1:1234" or "aws eu-west-1". */
  label: string;
  destroy(): void;
}

export interface ClientOptions {
  target: Target;
  /** Endpoint of the local emulator; required for target local. */
  endpoint?: string;
  /** Attempts per call for throttling and transient errors (SDK standard retry mode). */
  maxAttempts?: number;
}

/**
 * One path to the cloud: the local target is the very same SDK clients pointed at the emulator's endpoint with
 * the emulator's fixed test credentials. Every call is counted per operation for `apply --json`.
 */
export function createClients(opts: ClientOptions): AwsClients {
  const { target } = opts;
  const calls = new CallCounter();
  const local = target.kind === 'local';
  if (local && !opts.endpoint) throw new Error('local target needs an emulator endpoint');
  const base = {
    region: target.region,
    maxAttempts: opts.maxAttempts ?? 8,
    retryMode: 'standard' as const,
    ...(local
      ? { endpoint: opts.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }
      : target.profile
        ? { profile: target.profile }
        : {}),
  };
  const personalize = new PersonalizeClient(base);
  const s3 = new S3Client({
    ...base,
    forcePathStyle: local,
    // Buffers and files are sent with a plain content-length; no aws-chunked trailers needed.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // IAM is global and signs with us-east-1.
  const iam = new IAMClient({ ...base, region: local ? target.region : 'us-east-1' });
  const sts = new STSClient(base);
  for (const [service, client] of [
    ['personalize', personalize],
    ['s3', s3],
    ['iam', iam],
    ['sts', sts],
  ] as const) {
    calls.attach(service, client);
  }
  let account: Promise<string> | undefined;
  return {
    personalize,
    s3,
    iam,
    sts,
    calls,
    region: target.region,
    label: local ? `local emulator at ${opts.endpoint}` : `aws ${target.region}`,
    accountId() {
      account ??= local
        ? Promise.resolve(LOCAL_ACCOUNT)
        : sts.send(new GetCallerIdentityCommand({})).then((r) => r.Account ?? '');
      return account;
    },
    destroy() {
      personalize.destroy();
      s3.destroy();
      iam.destroy();
      sts.destroy();
    },
  };
}
