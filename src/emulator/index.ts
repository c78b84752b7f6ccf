import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { SegflowError } from '../util/errors.js';
import { CredentialRegistry } from './auth/accounts.js';
import { CallCounter } from './calls.js';
import type { Emu } from './context.js';
import { FaultInjector } from './faults.js';
import { createEmulatorServer } from './http/server.js';
import { Lifecycle } from './lifecycle.js';
import { resolveOptions, validateFaults, type EmulatorOptions, type FaultSpec } from './options.js';
import { personalizeBlobs, resumePersonalize } from './personalize/resume.js';
import { s3Blobs } from './s3/s3-model.js';
import { BlobStore } from './store/blob-store.js';
import { lockDataDir, StateStore } from './store/state-store.js';

export type { EmulatorOptions, FaultSpec, LifecycleSpeed } from './options.js';
export { parseFaultSpec, parseQuotaSpec, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, DEFAULT_ACCOUNT_ID } from './options.js';
export { parseAccountSpec, parseRoleSessionSpec, type AccountCredentials, type RoleSessionCredentials } from './auth/accounts.js';
export { parseCredentialExpirySpec, type CredentialExpiry } from './auth/expiry.js';

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:43817 — give it to every SDK client as `endpoint` (S3: with forcePathStyle). */
  endpoint: string;
  port: number;
  /** Replaces the fault settings of the running emulator. */
  setFaults(faults: FaultSpec): void;
  /** Calls answered so far, per service and operation. */
  calls(): ReturnType<CallCounter['snapshot']>;
  /** With `credentialExpiry`: the default credentials work again, for a new expiry window (POST /_emulator/credentials/renew). */
  renewCredentials(): void;
  /** Stops serving; in-flight jobs stay in flight on disk and continue at the next start on the same dataDir. */
  close(): Promise<void>;
}

/**
 * Starts the emulator on `host:port` (default 127.0.0.1, ephemeral port) with its state in `dataDir`.
 * Whatever was in flight in that dataDir (a killed emulator, a previous run) continues.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const opts = resolveOptions({ ...options, dataDir: resolve(options.dataDir) });
  const unlock = await lockDataDir(opts.dataDir);
  let lifecycle: Lifecycle | undefined;
  try {
    const store = await StateStore.open(opts.dataDir, opts.accountId);
    const blobs = new BlobStore(opts.dataDir);
    await blobs.init();
    await blobs.sweep(new Set([...s3Blobs(store.state), ...personalizeBlobs(store.state)]));
    // The emulator never writes to the terminal itself: whoever starts it decides where its log lines go.
    const log = options.log ?? (() => undefined);
    lifecycle = new Lifecycle(opts.lifecycle, (e) => log(`emulator: background task failed: ${(e as Error)?.stack ?? String(e)}`), opts.lifecycleStepMs);
    const faults = new FaultInjector(opts.faults);
    const credentials = new CredentialRegistry(opts, opts.accounts, opts.credentialExpiry, opts.roleSessions);
    const emu: Emu = { opts, credentials, store, blobs, lifecycle, faults, log };
    const calls = new CallCounter();
    const server = createEmulatorServer(emu, calls);
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(opts.port, opts.host, () => {
        server.off('error', fail);
        ok();
      });
    });
    resumePersonalize(emu);
    const port = (server.address() as AddressInfo).port;
    const hostInUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    let closed: Promise<void> | undefined;
    return {
      endpoint: `http://${hostInUrl}:${port}`,
      port,
      setFaults: (f) => faults.replace(validateFaults(f)),
      calls: () => calls.snapshot(),
      renewCredentials: () => credentials.renew(),
      close: () =>
        (closed ??= (async () => {
          await new Promise<void>((ok) => {
            server.close(() => ok());
            server.closeAllConnections();
          });
          await emu.lifecycle.close();
          await store.flushed();
          await unlock();
        })()),
    };
  } catch (e) {
    await lifecycle?.close();
    await unlock();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new SegflowError('EMU_PORT_IN_USE', `port ${opts.port} on ${opts.host} is already in use`);
    }
    throw e;
  }
}
