import { ApiError } from '../api-error.js';
import type { Emu } from '../context.js';
import type { RequestContext } from '../iam/conditions.js';
import { notAuthorized } from '../iam/denial.js';
import { callerContext, callerPolicies, callerPrincipal } from '../iam/caller.js';
import { evaluatePolicy, type Decision, type Principal } from '../iam/evaluate.js';
import { parsePolicy, type Policy } from '../iam/policy.js';
import type { KmsKey } from '../store/state.js';
import type { RequestInfo } from '../context.js';
import { parseArn, rootArn, type AccountScope } from '../partitions.js';

/**
 * Who may use a KMS key, as the KMS Developer Guide's "Determining access to KMS keys" describes it: the key policy
 * is the primary control. An explicit Deny (key policy or the caller's IAM policies) wins; a key policy statement
 * naming the caller allows; a statement naming the account's root ("Enable IAM User Permissions", the default key
 * policy) lets the caller's IAM policies decide; a grant for the caller allows its operations; nothing else does.
 * https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export function defaultKeyPolicy(scope: AccountScope): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: rootArn(scope) }, Action: 'kms:*', Resource: '*' }],
    },
    null,
    2,
  );
}

export function keys(emu: Emu): Record<string, KmsKey> {
  return emu.store.state.kms.keys;
}

/** Where a key is looked for: keys are regional and belong to one account (of one partition). */
export type KeyScope = AccountScope & { region: string };

/** A key by id or key ARN (aliases are not emulated); only keys of that region and account. */
export function findKey(emu: Emu, where: KeyScope, keyId: string): KmsKey | undefined {
  const m = /^arn:([a-z\d-]+):kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/.exec(keyId);
  const id = m ? m[4]! : keyId;
  if (m && (m[1] !== where.partition || m[2] !== where.region || m[3] !== where.account)) return undefined;
  const k = Object.prototype.hasOwnProperty.call(keys(emu), id) ? keys(emu)[id] : undefined;
  return k && k.arn === keyArn(where, k.keyId) ? k : undefined;
}

export function keyArn(where: KeyScope, keyId: string): string {
  return `arn:${where.partition}:kms:${where.region}:${where.account}:key/${keyId}`;
}

/** The account a key belongs to (its ARN's). */
export function keyAccount(k: KmsKey): string {
  return parseArn(k.arn)?.account ?? '';
}

export function mustKey(emu: Emu, info: RequestInfo, keyId: string): KmsKey {
  const k = findKey(emu, info, keyId);
  if (!k) throw new ApiError('NotFoundException', `Key '${keyId.startsWith('arn:') ? keyId : keyArn(info, keyId)}' does not exist`);
  return k;
}

export function pendingDeletion(k: KmsKey): ApiError {
  return new ApiError('KMSInvalidStateException', `${k.arn} is pending deletion.`);
}

const policyCache = new WeakMap<KmsKey, { text: string; policy: Policy }>();

function keyPolicy(k: KmsKey): Policy {
  const cached = policyCache.get(k);
  if (cached && cached.text === k.policy) return cached.policy;
  const policy = parsePolicy(k.policy);
  policyCache.set(k, { text: k.policy, policy });
  return policy;
}

export interface KeyUse {
  principal: Principal;
  /** e.g. kms:Decrypt */
  action: string;
  context: RequestContext;
  /** The caller's identity-based policies (a role's inline and attached policies). */
  identityPolicies?: Policy[];
  boundary?: Policy;
}

function granteeMatches(grantee: string, p: Principal): boolean {
  if (p.kind === 'role') return grantee === p.roleArn || grantee === p.sessionArn;
  if (p.kind === 'service') return grantee === p.service;
  if (p.kind === 'root') return grantee === rootArn(p) || grantee === p.account;
  return false;
}

export function decideKeyUse(k: KmsKey, use: KeyUse): Decision {
  const request = { principal: use.principal, action: use.action, resource: k.arn, context: use.context };
  const fromKey = evaluatePolicy(keyPolicy(k), request, true);
  const fromIdentity = (use.identityPolicies ?? []).map((p) => evaluatePolicy(p, request, false));
  const fromBoundary = use.boundary ? evaluatePolicy(use.boundary, request, false) : undefined;
  if (fromKey.denied) return { allowed: false, reason: 'explicit-deny', deniedBy: fromKey.deniedBy, in: 'resource-based policy' };
  const idDeny = fromIdentity.find((r) => r.denied);
  if (idDeny) return { allowed: false, reason: 'explicit-deny', deniedBy: idDeny.deniedBy, in: 'identity-based policy' };
  if (fromBoundary?.denied) return { allowed: false, reason: 'explicit-deny', deniedBy: fromBoundary.deniedBy, in: 'permissions boundary' };
  if (fromKey.allowed) return { allowed: true };
  const iamAllows = (!fromBoundary || fromBoundary.allowed) && fromIdentity.some((r) => r.allowed);
  if (fromKey.allowedAccount && iamAllows) return { allowed: true };
  const operation = use.action.replace(/^kms:/, '');
  if (k.grants.some((g) => granteeMatches(g.granteePrincipal, use.principal) && g.operations.includes(operation))) return { allowed: true };
  return { allowed: false, reason: 'implicit-deny' };
}

/**
 * For the KMS API itself: the caller is its account's root user, or a role session whose IAM policies count when
 * the key policy delegates to the account. AccessDeniedException as KMS words it.
 */
export function authorizeKeyApi(emu: Emu, info: RequestInfo, k: KmsKey, action: string): void {
  const principal = callerPrincipal(info);
  const decision = decideKeyUse(k, { principal, action, context: callerContext(info, { 'kms:CallerAccount': info.account }), ...callerPolicies(emu, info) });
  if (!decision.allowed) throw new ApiError('AccessDeniedException', notAuthorized(principal, action, k.arn, decision));
}

const MAX_POLICY = 32768;

/**
 * CreateKey / PutKeyPolicy rules from the model: valid JSON, every statement names principals that exist, and
 * (unless BypassPolicyLockoutSafetyCheck) the caller can still call PutKeyPolicy afterwards.
 */
export function checkKeyPolicy(emu: Emu, info: RequestInfo, text: string, bypassLockoutCheck: boolean): void {
  if (text.length > MAX_POLICY) throw new ApiError('LimitExceededException', `The key policy exceeds the limit of ${MAX_POLICY} characters.`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ApiError('MalformedPolicyDocumentException', 'The policy is not valid JSON.');
  }
  const raw = (doc as { Statement?: unknown } | null)?.Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (statements.length === 0) throw new ApiError('MalformedPolicyDocumentException', 'The policy contains no statement.');
  const roles = emu.store.state.iam.roles;
  for (const s of statements as Array<Record<string, unknown>>) {
    const principal = s?.Principal ?? s?.NotPrincipal;
    if (principal === undefined) throw new ApiError('MalformedPolicyDocumentException', 'Policy contains a statement with no principal.');
    const aws = typeof principal === 'object' && principal !== null ? (principal as Record<string, unknown>).AWS : undefined;
    for (const a of aws === undefined ? [] : Array.isArray(aws) ? aws : [aws]) {
      const arn = String(a);
      const local = new RegExp(`^arn:${info.partition}:iam::${info.account}:(role|user)/`).exec(arn);
      if (local && !(local[1] === 'role' && Object.prototype.hasOwnProperty.call(roles, arn))) {
        throw new ApiError('MalformedPolicyDocumentException', 'Policy contains a statement with one or more invalid principals.');
      }
    }
  }
  if (bypassLockoutCheck) return;
  const probe: KmsKey = {
    keyId: 'probe',
    arn: keyArn(info, 'probe'),
    region: info.region,
    created: 0,
    description: '',
    keyUsage: '',
    keySpec: '',
    state: 'Enabled',
    policy: text,
    grants: [],
    tags: [],
  };
  const principal: Principal = { kind: 'root', account: info.account, partition: info.partition };
  if (!decideKeyUse(probe, { principal, action: 'kms:PutKeyPolicy', context: {} }).allowed) {
    throw new ApiError('MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
  }
}
