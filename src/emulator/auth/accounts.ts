import { inputError } from '../../util/errors.js';
import { AuthFailure } from './sigv4.js';
import type { CredentialExpiry } from './expiry.js';
import { ExpiryClock } from './expiry.js';

/**
 * The accounts the emulator serves, each with its own credentials: the default account (options accessKeyId /
 * secretAccessKey / accountId) and any `accounts` besides it. A request signed with an account's credentials acts as
 * that account's root user: its own IAM roles and policies, Personalize resources and KMS keys; S3 buckets remember
 * the account that created them. Only the default credentials can be made to expire (option credentialExpiry).
 */
export interface AccountCredentials {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Credentials of a role session, as `sts:AssumeRole` would hand out (a CI job's OIDC role): requests signed with
 * them act as the role — its inline and attached policies and its permissions boundary decide every request, in
 * every service — instead of as the account's root user. The role is looked up when a request arrives.
 */
export interface RoleSessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** arn:<partition>:iam::<account>:role/<path><name> of a role in one of the emulator's accounts. */
  roleArn: string;
}

/** Who a verified request acts as: an account's root user, or a session of one of its roles. */
export interface SignedIn {
  account: string;
  roleArn?: string;
  /** The session name (the access key id), as in arn:aws:sts::<account>:assumed-role/<role>/<session>. */
  sessionName?: string;
}

const ROLE_ARN = /^arn:([a-z\d-]+):iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?[\w+=,.@-]{1,64}$/;

export function validateRoleSessions(accounts: readonly AccountCredentials[], sessions: readonly RoleSessionCredentials[]): RoleSessionCredentials[] {
  const keys = new Set(accounts.map((a) => a.accessKeyId));
  for (const s of sessions) {
    if (!ACCESS_KEY_ID.test(s.accessKeyId))
      throw inputError('EMU_OPTIONS', `access key id of the role session ${s.roleArn} must be 1 to 128 letters, digits or '_', not '${s.accessKeyId}'`);
    if (typeof s.secretAccessKey !== 'string' || s.secretAccessKey === '') throw inputError('EMU_OPTIONS', `the role session ${s.roleArn} needs a secret`);
    const m = ROLE_ARN.exec(s.roleArn);
    if (!m) throw inputError('EMU_OPTIONS', `'${s.roleArn}' is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)`);
    if (!accounts.some((a) => a.accountId === m[2]))
      throw inputError('EMU_OPTIONS', `the role ${s.roleArn} is in account ${m[2]}, which the emulator does not serve (add it with --account)`);
    if (keys.has(s.accessKeyId)) throw inputError('EMU_OPTIONS', `access key id '${s.accessKeyId}' is given twice`);
    keys.add(s.accessKeyId);
  }
  return sessions.map((s) => ({ accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, roleArn: s.roleArn }));
}

/** The --role-session syntax: `ACCESS_KEY_ID:SECRET:ROLE_ARN` (the ARN is everything after the second ':'). */
export function parseRoleSessionSpec(text: string): RoleSessionCredentials {
  const first = text.indexOf(':');
  const second = first < 0 ? -1 : text.indexOf(':', first + 1);
  if (second < 0) throw inputError('EMU_OPTIONS', `--role-session: expected ACCESS_KEY_ID:SECRET:ROLE_ARN, got '${text}'`);
  return { accessKeyId: text.slice(0, first), secretAccessKey: text.slice(first + 1, second), roleArn: text.slice(second + 1) };
}

// botocore iam accessKeyIdType is [\w]+ of 16 to 128 characters; shorter ids are accepted for test keys like 'test'.
const ACCESS_KEY_ID = /^\w{1,128}$/;

export function validateAccounts(defaults: AccountCredentials, extra: readonly AccountCredentials[]): AccountCredentials[] {
  const all = [defaults, ...extra];
  for (const a of all) {
    if (!/^\d{12}$/.test(a.accountId)) throw inputError('EMU_OPTIONS', `accountId must be 12 digits, not '${a.accountId}'`);
    if (!ACCESS_KEY_ID.test(a.accessKeyId))
      throw inputError('EMU_OPTIONS', `access key id of account ${a.accountId} must be 1 to 128 letters, digits or '_', not '${a.accessKeyId}'`);
    if (typeof a.secretAccessKey !== 'string' || a.secretAccessKey === '') throw inputError('EMU_OPTIONS', `account ${a.accountId} needs a secretAccessKey`);
  }
  const twice = (key: 'accountId' | 'accessKeyId') => all.map((a) => a[key]).find((v, i, list) => list.indexOf(v) !== i);
  const account = twice('accountId');
  if (account !== undefined) throw inputError('EMU_OPTIONS', `account ${account} is given twice: every account needs its own id`);
  const key = twice('accessKeyId');
  if (key !== undefined) throw inputError('EMU_OPTIONS', `access key id '${key}' is given to two accounts`);
  return extra.map((a) => ({ accountId: a.accountId, accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }));
}

/** The --account syntax: `ACCOUNT_ID:ACCESS_KEY_ID:SECRET` (the secret is everything after the second ':'). */
export function parseAccountSpec(text: string): AccountCredentials {
  const first = text.indexOf(':');
  const second = first < 0 ? -1 : text.indexOf(':', first + 1);
  if (second < 0) throw inputError('EMU_OPTIONS', `--account: expected ACCOUNT_ID:ACCESS_KEY_ID:SECRET, got '${text}'`);
  return { accountId: text.slice(0, first), accessKeyId: text.slice(first + 1, second), secretAccessKey: text.slice(second + 1) };
}

export class CredentialRegistry {
  private readonly byKey: ReadonlyMap<string, AccountCredentials>;
  private readonly sessions: ReadonlyMap<string, RoleSessionCredentials>;
  private readonly clock: ExpiryClock;

  constructor(
    private readonly defaults: AccountCredentials,
    extra: readonly AccountCredentials[],
    expiry: CredentialExpiry | undefined,
    sessions: readonly RoleSessionCredentials[] = [],
  ) {
    this.byKey = new Map([defaults, ...extra].map((a) => [a.accessKeyId, a]));
    this.sessions = new Map(sessions.map((s) => [s.accessKeyId, s]));
    this.clock = new ExpiryClock(expiry);
  }

  /** The secret to verify a signature with; undefined for an access key no account or session has. */
  secretFor(accessKeyId: string): string | undefined {
    return this.byKey.get(accessKeyId)?.secretAccessKey ?? this.sessions.get(accessKeyId)?.secretAccessKey;
  }

  /**
   * Who a verified request acts as. Each request signed with the default credentials counts against their
   * expiry; once they have expired, AuthFailure 'token-expired' until renew().
   */
  signIn(accessKeyId: string): SignedIn {
    const session = this.sessions.get(accessKeyId);
    if (session) return { account: session.roleArn.split(':')[4]!, roleArn: session.roleArn, sessionName: accessKeyId };
    const a = this.byKey.get(accessKeyId);
    if (!a) throw new AuthFailure('unknown-key', 'The security token included in the request is invalid.');
    if (a === this.defaults && !this.clock.admit()) throw new AuthFailure('token-expired', 'The security token included in the request is expired');
    return { account: a.accountId };
  }

  /** Fresh default credentials: a new expiry window starts (a test's "the operator logged in again"). */
  renew(): void {
    this.clock.renew();
  }

  expiryStatus(): ReturnType<ExpiryClock['status']> {
    return this.clock.status();
  }

  accountIds(): string[] {
    return [...this.byKey.values()].map((a) => a.accountId);
  }
}
