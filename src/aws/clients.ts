import type { PersonalizeClient } from '@aws-sdk/client-personalize';
import type { S3Client } from '@aws-sdk/client-s3';
import type { IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { CallCounter } from './call-counter.js';
import { createSdkClients, type ClientOptions } from './sdk-clients.js';

export type { ClientOptions } from './sdk-clients.js';

/** The account the local emulator pretends to be. */
export const LOCAL_ACCOUNT = '000000000000';

/**
 * The raw SDK clients, for the code that predates the ports (src/resources, src/engine). New code uses
 * createPorts (create-ports.ts); both are configured in one place, sdk-clients.ts.
 */
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

/** Every call is counted per operation for `apply --json`. */
export function createClients(opts: ClientOptions): AwsClients {
  const c = createSdkClients(opts);
  let account: Promise<string> | undefined;
  return {
    personalize: c.personalize,
    s3: c.s3,
    iam: c.iam,
    sts: c.sts,
    calls: c.calls,
    region: c.region,
    label: c.label,
    accountId() {
      account ??= c.local ? Promise.resolve(LOCAL_ACCOUNT) : c.sts.send(new GetCallerIdentityCommand({})).then((r) => r.Account ?? '');
      return account;
    },
    destroy: () => c.destroy(),
  };
}
