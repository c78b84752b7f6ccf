import { inputError } from '../../util/errors.js';

/**
 * Credentials that expire, like the temporary credentials of an SSO or assumed-role session: after `afterRequests`
 * signed requests or `afterMs` milliseconds (whichever comes first) every request signed with them is refused as
 * AWS refuses an expired session token, until they are renewed. Counting starts when the emulator starts and again
 * at each renewal. Requests that fail authentication for another reason do not count.
 */
export interface CredentialExpiry {
  afterRequests?: number;
  afterMs?: number;
}

export function validateCredentialExpiry(e: CredentialExpiry | undefined): CredentialExpiry | undefined {
  if (e === undefined) return undefined;
  const { afterRequests, afterMs } = e;
  if (afterRequests === undefined && afterMs === undefined) throw inputError('EMU_OPTIONS', 'credentialExpiry needs afterRequests or afterMs');
  if (afterRequests !== undefined && !(Number.isInteger(afterRequests) && afterRequests >= 0)) {
    throw inputError('EMU_OPTIONS', `credentialExpiry.afterRequests must be an integer >= 0, not ${afterRequests}`);
  }
  if (afterMs !== undefined && !(Number.isFinite(afterMs) && afterMs >= 0))
    throw inputError('EMU_OPTIONS', `credentialExpiry.afterMs must be a number >= 0, not ${afterMs}`);
  return { ...(afterRequests !== undefined ? { afterRequests } : {}), ...(afterMs !== undefined ? { afterMs } : {}) };
}

/** The --credential-expiry syntax: `requests=N`, `ms=N` or both, comma separated. */
export function parseCredentialExpirySpec(text: string): CredentialExpiry {
  const out: CredentialExpiry = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [key, value] = part.split('=');
    const n = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(n))
      throw inputError('EMU_OPTIONS', `--credential-expiry: expected requests=N or ms=N, got '${part}'`);
    if (key === 'requests') out.afterRequests = n;
    else if (key === 'ms') out.afterMs = n;
    else throw inputError('EMU_OPTIONS', `--credential-expiry: unknown key '${key}' (known: requests, ms)`);
  }
  return validateCredentialExpiry(out)!;
}

export interface ExpiryStatus {
  expires: boolean;
  expired: boolean;
  requestsUsed: number;
  requestsLeft: number | null;
  expiresAt: string | null;
  renewals: number;
}

export class ExpiryClock {
  private used = 0;
  private since: number;
  private renewals = 0;

  constructor(
    private readonly spec: CredentialExpiry | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.since = now();
  }

  private expired(): boolean {
    if (!this.spec) return false;
    const { afterRequests, afterMs } = this.spec;
    return (afterRequests !== undefined && this.used >= afterRequests) || (afterMs !== undefined && this.now() - this.since >= afterMs);
  }

  /** Counts one signed request; false once the credentials have expired (that request is refused). */
  admit(): boolean {
    if (this.expired()) return false;
    this.used++;
    return true;
  }

  renew(): void {
    this.used = 0;
    this.since = this.now();
    this.renewals++;
  }

  status(): ExpiryStatus {
    const after = this.spec?.afterRequests;
    const ms = this.spec?.afterMs;
    return {
      expires: this.spec !== undefined,
      expired: this.expired(),
      requestsUsed: this.used,
      requestsLeft: after === undefined ? null : Math.max(0, after - this.used),
      expiresAt: ms === undefined ? null : new Date(this.since + ms).toISOString(),
      renewals: this.renewals,
    };
  }
}
