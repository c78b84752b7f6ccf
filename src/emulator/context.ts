import type { BlobStore } from './store/blob-store.js';
import type { StateStore } from './store/state-store.js';
import type { Lifecycle } from './lifecycle.js';
import type { FaultInjector } from './faults.js';
import type { CredentialRegistry } from './auth/accounts.js';
import type { ResolvedOptions } from './options.js';
import type { AccountScope } from './partitions.js';

/**
 * What every handler may use: options, the state and blob stores, the status scheduler, fault settings and the
 * accounts' credentials.
 */
export interface Emu {
  opts: ResolvedOptions;
  credentials: CredentialRegistry;
  store: StateStore;
  blobs: BlobStore;
  lifecycle: Lifecycle;
  faults: FaultInjector;
  log: (line: string) => void;
}

/**
 * Per request: the signing region (used in ARNs), the request id echoed in answers, and who signed it: the account
 * of the credentials, in the partition of the signing region (every ARN the request produces or names is in it).
 */
export interface RequestInfo extends AccountScope {
  region: string;
  requestId: string;
  /** JSON services: the operation being answered (X-Amz-Target), for IAM-style messages naming the action. */
  operation?: string;
  /** Signed with role-session credentials: the caller is that role's session, not the account's root user. */
  session?: { roleArn: string; sessionArn: string };
}
