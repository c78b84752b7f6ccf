import { conditionsHold, UnknownConditionOperator, type RequestContext } from './conditions.js';
import type { Policy, PrincipalSet, Statement } from './policy.js';
import { wildcardMatch } from './wildcard.js';

/**
 * Who makes a request. The emulator's callers: the account's root user (the configured credentials), a role
 * session (Personalize acting through a role), a service principal (Personalize itself), or nobody (anonymous).
 */
export type Principal =
  | { kind: 'root'; account: string; partition: string }
  | { kind: 'role'; account: string; roleArn: string; sessionArn: string }
  | { kind: 'service'; service: string }
  | { kind: 'anonymous' };

export interface Request {
  principal: Principal;
  action: string;
  resource: string;
  context: RequestContext;
}

export type StatementEffect = 'allow' | 'deny' | 'none';

/**
 * How a resource-based policy's Principal element names the caller. `exact`: the caller itself (its role ARN,
 * session ARN or service name, or "*"); `account`: only its account ("AWS": "111122223333" or ":root"), which in an
 * Allow delegates to the account's own policies and in a Deny applies to every principal of that account.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
type PrincipalMatch = 'exact' | 'account' | 'no';

/** The partition of a root or role principal: an account is one account in one partition. */
function partitionOfPrincipal(p: Extract<Principal, { kind: 'root' | 'role' }>): string {
  return p.kind === 'root' ? p.partition : (p.roleArn.split(':')[1] ?? '');
}

function matchOne(entry: string, p: Principal): PrincipalMatch {
  if (p.kind === 'service' || p.kind === 'anonymous') return 'no';
  // "AWS": "111122223333" names the account in the policy's own partition; an ARN names its partition.
  const asArn = /^arn:([^:]+):iam::(\d{12}):root$/.exec(entry);
  const account = /^\d{12}$/.test(entry) ? entry : asArn?.[2];
  if (account !== undefined) {
    if (account !== p.account || (asArn && asArn[1] !== partitionOfPrincipal(p))) return 'no';
    return p.kind === 'root' ? 'exact' : 'account';
  }
  if (p.kind === 'role' && (entry === p.roleArn || entry === p.sessionArn)) return 'exact';
  return 'no';
}

function matchSet(set: PrincipalSet, p: Principal): PrincipalMatch {
  if (set.any) return 'exact';
  if (p.kind === 'service') return set.service.includes(p.service) ? 'exact' : 'no';
  let best: PrincipalMatch = 'no';
  for (const entry of set.aws) {
    const m = matchOne(entry, p);
    if (m === 'exact') return 'exact';
    if (m === 'account') best = 'account';
  }
  return best;
}

function principalMatch(s: Statement, p: Principal): PrincipalMatch {
  if (s.principal) return matchSet(s.principal, p);
  if (s.notPrincipal) return matchSet(s.notPrincipal, p) === 'no' ? 'exact' : 'no';
  return 'no';
}

function actionApplies(s: Statement, action: string): boolean {
  if (s.actions) return s.actions.some((a) => wildcardMatch(a, action, true));
  if (s.notActions) return !s.notActions.some((a) => wildcardMatch(a, action, true));
  return false;
}

function resourceApplies(s: Statement, resource: string): boolean {
  if (s.resources) return s.resources.some((r) => wildcardMatch(r, resource));
  if (s.notResources) return !s.notResources.some((r) => wildcardMatch(r, resource));
  return false;
}

/** Conditions; an operator IAM does not define makes an Allow not apply and a Deny apply (never more lenient). */
function conditionsApply(s: Statement, context: RequestContext): boolean {
  try {
    return conditionsHold(s.conditions, context);
  } catch (e) {
    if (e instanceof UnknownConditionOperator) return s.effect === 'Deny';
    throw e;
  }
}

export interface PolicyResult {
  /** An explicit Deny applies. */
  denied: boolean;
  /** An Allow applies to the caller itself (identity policies, or a resource policy naming the caller). */
  allowed: boolean;
  /** A resource-policy Allow applies to the caller's account only (delegation to the account's policies). */
  allowedAccount: boolean;
  /** Sids (or positions) of the statements that decided, for messages. */
  deniedBy?: string;
}

/**
 * Evaluates one policy. Identity-based policies have no Principal element (they apply to whom they are attached);
 * resource-based policies (`resourceBased`) apply a statement only when its Principal/NotPrincipal names the caller.
 */
export function evaluatePolicy(policy: Policy, req: Request, resourceBased: boolean): PolicyResult {
  const out: PolicyResult = { denied: false, allowed: false, allowedAccount: false };
  policy.statements.forEach((s, i) => {
    let who: PrincipalMatch = 'exact';
    if (resourceBased) {
      who = principalMatch(s, req.principal);
      if (who === 'no') return;
    }
    if (!actionApplies(s, req.action) || !resourceApplies(s, req.resource) || !conditionsApply(s, req.context)) return;
    if (s.effect === 'Deny') {
      out.denied = true;
      out.deniedBy ??= s.sid ?? `statement ${i + 1}`;
    } else if (who === 'exact') out.allowed = true;
    else out.allowedAccount = true;
  });
  return out;
}

export type DenySource = 'identity-based policy' | 'resource-based policy' | 'permissions boundary';
/** A denial: which statement denied (explicit), or which kind of policy lacked an Allow (implicit, across accounts). */
export type Decision =
  | { allowed: true }
  | {
      allowed: false;
      reason: 'explicit-deny' | 'implicit-deny';
      deniedBy?: string;
      in?: DenySource;
      missing?: 'identity-based policy' | 'resource-based policy';
    };

export interface AuthorizationInput {
  request: Request;
  /** The caller's identity-based policies (inline and attached); none for root, services and anonymous callers. */
  identityPolicies?: Policy[];
  /** A permissions boundary of the calling role: identity permissions must also be allowed by it. */
  boundary?: Policy;
  /** The resource's own policy (bucket policy), if any. */
  resourcePolicy?: Policy;
  /** The account that owns the resource. */
  resourceAccount: string;
}

function principalAccount(p: Principal): string | undefined {
  return p.kind === 'root' || p.kind === 'role' ? p.account : undefined;
}

/**
 * The IAM policy evaluation logic for one request: an explicit Deny anywhere wins; otherwise, within one account,
 * an Allow in either the identity-based or the resource-based policy is enough; across accounts both must allow;
 * otherwise the request is implicitly denied. A root user has every permission of its own account.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 */
export function authorize(input: AuthorizationInput): Decision {
  const { request } = input;
  const identity = (input.identityPolicies ?? []).map((p) => evaluatePolicy(p, request, false));
  const boundary = input.boundary ? evaluatePolicy(input.boundary, request, false) : undefined;
  const resource = input.resourcePolicy ? evaluatePolicy(input.resourcePolicy, request, true) : undefined;
  // A Deny that names only the caller's account applies to every principal of it.
  const sources: Array<[PolicyResult | undefined, DenySource]> = [
    ...identity.map((r) => [r, 'identity-based policy'] as [PolicyResult, DenySource]),
    [boundary, 'permissions boundary'],
    [resource, 'resource-based policy'],
  ];
  const denial = sources.find(([r]) => r?.denied);
  if (denial) return { allowed: false, reason: 'explicit-deny', deniedBy: denial[0]!.deniedBy, in: denial[1] };
  const account = principalAccount(request.principal);
  const sameAccount = account === input.resourceAccount;
  const boundaryOk = !boundary || boundary.allowed;
  // The root user has every permission in its own account; identities need an Allow (within their boundary).
  const identityAllows = request.principal.kind === 'root' || (boundaryOk && identity.some((r) => r.allowed));
  const resourceAllowsCaller = !!resource?.allowed && (request.principal.kind !== 'role' || boundaryOk);
  const resourceAllowsAccount = !!resource && (resource.allowed || resource.allowedAccount);
  if (sameAccount && (identityAllows || resourceAllowsCaller)) return { allowed: true };
  if (!sameAccount && request.principal.kind === 'service' && resourceAllowsCaller) return { allowed: true };
  if (!sameAccount && account !== undefined && identityAllows && resourceAllowsAccount) return { allowed: true };
  if (!sameAccount && request.principal.kind === 'anonymous' && resourceAllowsCaller) return { allowed: true };
  if (!sameAccount && identityAllows) return { allowed: false, reason: 'implicit-deny', missing: 'resource-based policy' };
  return { allowed: false, reason: 'implicit-deny' };
}
