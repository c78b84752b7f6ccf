import type { BlobStore } from './store/blob-store.js';
import type { StateStore } from './store/state-store.js';
import type { Lifecycle } from './lifecycle.js';
import type { FaultInjector } from './faults.js';
import type { ResolvedOptions } from './options.js';

/** What every handler may use: options, the state and blob stores, the status scheduler and fault settings. */
export interface Emu {
  opts: ResolvedOptions;
  store: StateStore;
  blobs: BlobStore;
  lifecycle: Lifecycle;
  faults: FaultInjector;
  log: (line: string) => void;
}

/** Per request: the signing region (used in ARNs) and the request id echoed in answers. */
export interface RequestInfo {
  region: string;
  requestId: string;
}
