import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { S3Port } from '../aws/ports.js';
import { SegflowError, refusal } from '../util/errors.js';
import type { HeldLock, LockBackend, LockHolder, LockOwner } from './backend.js';
import { systemClock, type Clock } from '../util/clock.js';
import { lostRace, stateAccessError } from './s3-errors.js';
import { s3Url } from './s3-keys.js';

/**
 * The lock of a shared state: an S3 object beside it, created with `If-None-Match: *` (S3-native locking by
 * conditional writes, as Terraform's S3 backend does since 1.10), holding who holds it and a lease.
 *
 * - Acquire: create-only PUT. Exactly one of any number of concurrent creators gets 200; the others 412 (or 409).
 * - A held lock is refused (STATE_LOCKED, exit 3) naming its holder, unless its lease expired.
 * - Lease: a running command renews it every `renewEveryMs` by replacing the object with If-Match on its own
 *   ETag (so a renewal never resurrects a lock someone else took). The holder counts its lease from the moment it
 *   wrote the renewal (before the request, never after the answer) and gives the lock up `renewEveryMs` before
 *   that lease ends, whether or not a renewal is still in flight: a renewal that hangs (a half-open connection) is
 *   aborted then, so the holder always learns it lost the lock before a contender can take it. Expiry is judged by S3's LastModified of the
 *   lock object (S3's clock, when it was last renewed) plus the lease, AND by the holder's own expiresAt: both
 *   must have passed by the contender's clock. See docs/team.md for the clock assumption.
 * - Takeover of an expired lease: a PUT with If-Match on the expired lock's ETag. S3 lets exactly one conditional
 *   write on that ETag succeed, so of any number of contenders exactly one wins; the others get 412 and re-read.
 * - Release: DELETE with If-Match on our ETag (never deletes a lock someone else took meanwhile).
 * - Our own request whose answer was lost (a retried PUT then fails its condition) is recognised by the lock id.
 */
export interface LeaseTiming {
  leaseMs: number;
  renewEveryMs: number;
}

export const DEFAULT_LEASE: LeaseTiming = { leaseMs: 120_000, renewEveryMs: 30_000 };

/** S3's LastModified has whole seconds: a lock renewed at 12:00:00.9 reads 12:00:00, so a second is added. */
const LAST_MODIFIED_PRECISION_MS = 1000;
const ACQUIRE_ATTEMPTS = 8;

type LockS3 = Pick<S3Port, 'getObjectText' | 'putObject' | 'deleteObject'>;

/** When a renewal has to have landed: the lease it extends, less one renewal period of safety. */
function giveUpAt(leaseStart: number, t: LeaseTiming): number {
  return leaseStart + t.leaseMs - t.renewEveryMs;
}

interface Observed {
  holder: LockHolder | undefined;
  etag: string;
  lastModified?: Date;
}

export function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h.id === 'string' && typeof h.command === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** "apply by alice on ci-7 (pid 4242, run 991) since 2025-...": how a holder is named in messages. */
export function describeHolder(h: LockHolder): string {
  const who = h.who ? `${h.who} on ${h.host}` : h.host;
  return `${h.command} by ${who} (pid ${h.pid}${h.runId ? `, run ${h.runId}` : ''}) since ${h.since}`;
}

export class S3LockBackend implements LockBackend {
  readonly location: string;

  constructor(
    private readonly s3: LockS3,
    private readonly bucket: string,
    private readonly key: string,
    readonly timing: LeaseTiming = DEFAULT_LEASE,
    private readonly clock: Clock = systemClock,
  ) {
    this.location = s3Url(bucket, key);
  }

  private now(): number {
    return this.clock.now();
  }

  private async observe(): Promise<Observed | undefined> {
    let got;
    try {
      got = await this.s3.getObjectText(this.bucket, this.key);
    } catch (e) {
      throw stateAccessError(`reading the lock ${this.location}`, e);
    }
    if (!got) return undefined;
    return { holder: parseHolder(got.text), etag: got.etag, ...(got.lastModified ? { lastModified: got.lastModified } : {}) };
  }

  /** Whether the lease of what was observed ran out: by S3's clock of its last renewal and by the holder's own. */
  expired(o: Observed): boolean {
    const now = this.now();
    const leaseMs = o.holder?.leaseSeconds !== undefined ? o.holder.leaseSeconds * 1000 : this.timing.leaseMs;
    const byS3 = o.lastModified ? now >= o.lastModified.getTime() + LAST_MODIFIED_PRECISION_MS + leaseMs : undefined;
    const expiresAt = o.holder?.expiresAt ? Date.parse(o.holder.expiresAt) : NaN;
    const byHolder = Number.isFinite(expiresAt) ? now >= expiresAt : undefined;
    // Neither clock known: never expired (a human runs unlock). One known: it decides. Both: both must agree.
    if (byS3 === undefined && byHolder === undefined) return false;
    return (byS3 ?? true) && (byHolder ?? true);
  }

  private body(h: LockHolder): string {
    const now = this.now();
    const fresh: LockHolder = { ...h, renewedAt: new Date(now).toISOString(), expiresAt: new Date(now + this.timing.leaseMs).toISOString() };
    Object.assign(h, fresh);
    return JSON.stringify(fresh, null, 2) + '\n';
  }

  async acquire(command: string, owner: LockOwner = {}): Promise<HeldLock> {
    const holder: LockHolder = {
      id: randomBytes(8).toString('hex'),
      who: owner.who ?? safeUser(),
      host: hostname(),
      pid: process.pid,
      command,
      runId: owner.runId ?? randomBytes(4).toString('hex'),
      since: new Date(this.now()).toISOString(),
      leaseSeconds: this.timing.leaseMs / 1000,
    };
    let tookOver: LockHolder | undefined;
    for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
      try {
        const put = await this.s3.putObject(this.bucket, this.key, { data: this.body(holder) }, { contentType: 'application/json', ifNoneMatch: '*' });
        return this.held(holder, put.etag, tookOver);
      } catch (e) {
        if (!lostRace(e)) throw stateAccessError(`creating the lock ${this.location}`, e);
      }
      const seen = await this.observe();
      if (!seen) continue; // released meanwhile: try to create it again
      if (seen.holder?.id === holder.id) return this.held(holder, seen.etag, tookOver); // ours; the answer was lost
      if (!this.expired(seen)) throw this.lockedBy(seen);
      try {
        const put = await this.s3.putObject(this.bucket, this.key, { data: this.body(holder) }, { contentType: 'application/json', ifMatch: seen.etag });
        return this.held(holder, put.etag, seen.holder ?? unreadable());
      } catch (e) {
        if (!lostRace(e)) throw stateAccessError(`taking over the expired lock ${this.location}`, e);
        tookOver = seen.holder ?? unreadable(); // if our PUT landed after all, the next read says so
      }
    }
    const last = await this.observe();
    if (last?.holder?.id === holder.id) return this.held(holder, last.etag, tookOver);
    if (last) throw this.lockedBy(last);
    throw refusal('STATE_LOCKED', `could not take the lock ${this.location}: other commands kept taking it`);
  }

  private lockedBy(o: Observed): SegflowError {
    const h = o.holder;
    if (!h) {
      return refusal('STATE_LOCKED', `the lock ${this.location} is held but unreadable (not written by segflow?)`, [
        `it counts as expired ${this.timing.leaseMs / 1000}s after it was last written; or delete the object by hand`,
      ]);
    }
    return refusal('STATE_LOCKED', `another ${describeHolder(h)} holds the lock; lease until ${h.expiresAt ?? '?'}`, [
      `lock id ${h.id} (${this.location})`,
      'wait for it to finish. If that run is gone, the next command takes the lock over once its lease ran out,',
      `or release it now: segflow unlock FILE ${h.id}`,
    ]);
  }

  private held(holder: LockHolder, etag: string, tookOver: LockHolder | undefined): HeldLock {
    let current = etag;
    let released = false;
    let lostError: Error | undefined;
    // When the lease segflow holds began: the time written into the lock before the request that wrote it.
    let leaseStart = Date.parse(holder.renewedAt ?? '') || this.now();
    const lost = (why: string) =>
      new SegflowError('STATE_LOCK_LOST', `the lock ${this.location} is no longer this command's: ${why}`, [
        'another command took it over (its lease had run out) or someone ran segflow unlock; this run stopped',
        'run the command again once the other one finished: the state is consistent and apply resumes',
      ]);
    const renew = async (signal?: AbortSignal): Promise<void> => {
      if (released) return;
      if (lostError) throw lostError;
      const startedAt = this.now();
      const body = this.body(holder);
      try {
        current = (
          await this.s3.putObject(this.bucket, this.key, { data: body }, { contentType: 'application/json', ifMatch: current, ...(signal ? { signal } : {}) })
        ).etag;
        leaseStart = startedAt;
        return;
      } catch (e) {
        if (signal?.aborted) throw lost(`it could not be renewed before its lease ran out (the renewal did not answer)`);
        if (!lostRace(e)) throw stateAccessError(`renewing the lock ${this.location}`, e);
      }
      const seen = await this.observe();
      if (seen?.holder?.id === holder.id) {
        current = seen.etag; // our renewal landed; only its answer was lost
        leaseStart = startedAt;
        return;
      }
      throw lost(seen?.holder ? `it is now held by ${describeHolder(seen.holder)}` : 'it was removed');
    };
    let stop: (() => void) | undefined;
    return {
      holder,
      ...(tookOver ? { tookOver } : {}),
      renew: () => renew(),
      keepAlive: (onLost) => {
        if (stop || released) return;
        let inflight: AbortController | undefined;
        let cancel: () => void = () => undefined;
        const giveUp = (e: Error) => {
          if (lostError || released) return;
          lostError = e;
          cancel();
          inflight?.abort();
          onLost(e);
        };
        const schedule = () => {
          const now = this.now();
          cancel = this.clock.after(Math.min(this.timing.renewEveryMs, giveUpAt(leaseStart, this.timing) - now), tick);
        };
        // Every tick checks the lease first, renewal in flight or not; a failed renewal is tried again next tick.
        const tick = () => {
          if (released || lostError) return;
          const now = this.now();
          if (now >= giveUpAt(leaseStart, this.timing)) {
            giveUp(
              lost(
                `it could not be renewed for ${Math.round((now - leaseStart) / 1000)}s (lease ${this.timing.leaseMs / 1000}s): ${inflight ? 'the renewal did not answer' : 'renewals failed'}`,
              ),
            );
            return;
          }
          if (!inflight) {
            const controller = new AbortController();
            inflight = controller;
            renew(controller.signal)
              .catch((e: unknown) => {
                if (e instanceof SegflowError && e.code === 'STATE_LOCK_LOST') giveUp(e);
              })
              .finally(() => {
                if (inflight === controller) inflight = undefined;
              });
          }
          schedule();
        };
        stop = () => {
          cancel();
          inflight?.abort();
        };
        schedule();
      },
      release: async () => {
        if (released) return;
        released = true;
        stop?.();
        try {
          await this.s3.deleteObject(this.bucket, this.key, { ifMatch: current });
        } catch (e) {
          if (!lostRace(e)) throw stateAccessError(`releasing the lock ${this.location}`, e);
          const seen = await this.observe(); // a renewal's lost answer changed the ETag: delete if still ours
          if (seen?.holder?.id === holder.id) await this.s3.deleteObject(this.bucket, this.key, { ifMatch: seen.etag }).catch(() => undefined);
        }
      },
    };
  }

  async inspect(): Promise<LockHolder | undefined> {
    const seen = await this.observe();
    return seen ? (seen.holder ?? unreadable()) : undefined;
  }

  async forceUnlock(id: string): Promise<LockHolder> {
    const seen = await this.observe();
    if (!seen) throw refusal('STATE_UNLOCK_MISMATCH', `no lock is held (${this.location} does not exist): nothing to unlock`);
    const holder = seen.holder ?? unreadable();
    if (holder.id !== id) {
      throw refusal('STATE_UNLOCK_MISMATCH', `the lock is ${holder.id} (${describeHolder(holder)}), not ${id}`, [
        'unlock removes only the lock it names, so that a lock taken meanwhile is never removed by mistake',
      ]);
    }
    try {
      await this.s3.deleteObject(this.bucket, this.key, { ifMatch: seen.etag });
    } catch (e) {
      if (lostRace(e)) throw refusal('STATE_UNLOCK_MISMATCH', `the lock ${id} changed while it was being removed (renewed or taken over): not removed`);
      throw stateAccessError(`removing the lock ${this.location}`, e);
    }
    return holder;
  }
}

function unreadable(): LockHolder {
  return { id: 'unreadable', who: '', host: '?', pid: 0, command: '?', runId: '', since: '?' };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}
