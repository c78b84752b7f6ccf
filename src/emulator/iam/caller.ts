import { ApiError } from '../api-error.js';
import type { Emu, RequestInfo } from '../context.js';
import { identityPolicies, policyDocument } from '../personalize/role-session.js';
import { baseContext } from './context-keys.js';
import { snapshotOf } from './propagation.js';
import type { RequestContext } from './conditions.js';
import { notAuthorized } from './denial.js';
import { authorize, type Decision, type Principal } from './evaluate.js';
import { parsePolicy, type Policy } from './policy.js';

/**
 * Who signed a request, and what they may do. Root credentials are the account's root user (everything in its own
 * account); role-session credentials (a CI role) are that role: its inline and attached policies, capped by its
 * permissions boundary, decide every request of every service, with an explicit Deny winning
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html). The role is read as
 * it is now: the caller's own policy changes take effect at once (only Personalize sees IAM propagate).
 */
export function callerPrincipal(info: RequestInfo): Principal {
  if (info.session) return { kind: 'role', account: info.account, roleArn: info.session.roleArn, sessionArn: info.session.sessionArn };
  return { kind: 'root', account: info.account, partition: info.partition };
}

export interface CallerPolicies {
  identityPolicies?: Policy[];
  boundary?: Policy;
}

/** A session's policies (none at all when its role was deleted); nothing for the root user, who needs none. */
export function callerPolicies(emu: Emu, info: RequestInfo): CallerPolicies {
  if (!info.session) return {};
  const roles = emu.store.state.iam.roles;
  const role = Object.prototype.hasOwnProperty.call(roles, info.session.roleArn) ? roles[info.session.roleArn] : undefined;
  if (!role) return { identityPolicies: [] };
  const seen = snapshotOf(role);
  const boundaryDoc = seen.permissionsBoundary ? policyDocument(emu, seen.permissionsBoundary) : undefined;
  // A boundary that names a policy that is gone allows nothing.
  const boundary = seen.permissionsBoundary ? parsePolicy(boundaryDoc ?? '{"Version":"2012-10-17","Statement":[]}') : undefined;
  return { identityPolicies: identityPolicies(emu, seen), ...(boundary ? { boundary } : {}) };
}

/** The request context every caller decision starts from (aws:PrincipalArn, aws:SecureTransport, ...). */
export function callerContext(info: RequestInfo, extra: RequestContext = {}): RequestContext {
  return { ...baseContext(callerPrincipal(info), info.region), ...extra };
}

/**
 * The decision for an action of the caller on a resource of its own account that has no resource-based policy
 * (IAM entities, Personalize resources).
 */
export function decideCaller(emu: Emu, info: RequestInfo, action: string, resource: string, extra: RequestContext = {}): Decision {
  if (!info.session) return { allowed: true };
  const principal = callerPrincipal(info);
  return authorize({
    request: { principal, action, resource, context: callerContext(info, extra) },
    ...callerPolicies(emu, info),
    resourceAccount: info.account,
  });
}

/** Throws the service's access-denied error, in IAM's wording, unless the caller may. */
export function authorizeCallerAction(
  emu: Emu,
  info: RequestInfo,
  action: string,
  resource: string,
  deny: (message: string) => ApiError,
  extra: RequestContext = {},
): void {
  const decision = decideCaller(emu, info, action, resource, extra);
  if (!decision.allowed) throw deny(notAuthorized(callerPrincipal(info), action, resource, decision));
}
