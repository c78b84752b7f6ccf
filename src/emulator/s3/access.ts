import { ApiError } from '../api-error.js';
import type { Emu } from '../context.js';
import { notAuthorized } from '../iam/denial.js';
import { authorize, type Decision, type Principal } from '../iam/evaluate.js';
import type { RequestContext } from '../iam/conditions.js';
import { parsePolicy, type Policy } from '../iam/policy.js';
import type { S3Bucket } from '../store/state.js';
import type { S3Request } from './responses.js';

/**
 * Authorization of S3 requests by the policy evaluator. The emulator's own callers sign with the account's root
 * credentials: the root user has every permission of its account, so only an explicit Deny in the bucket policy
 * stops it (as on AWS; only the bucket policy operations themselves stay open to the root user, which "can always"
 * manage the bucket policy). Personalize reaches S3 through the same function with its role or service principal.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-policy-language-overview.html
 */
export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

const policyCache = new WeakMap<S3Bucket, { text: string; policy: Policy }>();

export function bucketPolicy(b: S3Bucket): Policy | undefined {
  if (b.policy === undefined) return undefined;
  const cached = policyCache.get(b);
  if (cached && cached.text === b.policy) return cached.policy;
  const policy = parsePolicy(b.policy);
  policyCache.set(b, { text: b.policy, policy });
  return policy;
}

/** Context keys every request carries. The emulator's endpoint stands in for S3's HTTPS endpoint. */
export function baseContext(emu: Emu, principal: Principal, region: string, sourceIp?: string): RequestContext {
  const now = new Date();
  const ctx: RequestContext = {
    'aws:SecureTransport': 'true',
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:RequestedRegion': region,
  };
  if (sourceIp) ctx['aws:SourceIp'] = sourceIp.replace(/^::ffff:/, '');
  if (principal.kind === 'root') {
    Object.assign(ctx, { 'aws:PrincipalArn': `arn:aws:iam::${principal.account}:root`, 'aws:PrincipalAccount': principal.account, 'aws:PrincipalType': 'Account', 'aws:userid': principal.account });
  } else if (principal.kind === 'role') {
    Object.assign(ctx, { 'aws:PrincipalArn': principal.roleArn, 'aws:PrincipalAccount': principal.account, 'aws:PrincipalType': 'AssumedRole' });
  } else if (principal.kind === 'service') {
    Object.assign(ctx, { 'aws:PrincipalServiceName': principal.service, 'aws:PrincipalIsAWSService': 'true' });
  }
  if (principal.kind !== 'service') ctx['aws:PrincipalIsAWSService'] = 'false';
  return ctx;
}

export interface S3Access {
  principal: Principal;
  action: string;
  resource: string;
  context: RequestContext;
  identityPolicies?: Policy[];
  boundary?: Policy;
}

/** The decision for one S3 action on a bucket or object, with the bucket's policy as the resource-based policy. */
export function decideS3(emu: Emu, b: S3Bucket, access: S3Access): Decision {
  return authorize({
    request: { principal: access.principal, action: access.action, resource: access.resource, context: access.context },
    identityPolicies: access.identityPolicies,
    boundary: access.boundary,
    resourcePolicy: bucketPolicy(b),
    resourceAccount: emu.opts.accountId,
  });
}

export function accessDenied(message: string): ApiError {
  return new ApiError('AccessDenied', message, 403);
}

export function callerPrincipal(emu: Emu): Principal {
  return { kind: 'root', account: emu.opts.accountId };
}

/** Authorizes the signed caller of an S3 request; throws 403 AccessDenied with AWS's wording otherwise. */
export function authorizeCaller(r: S3Request, b: S3Bucket, action: string, resource: string, extra: RequestContext = {}): void {
  const decision = callerDecision(r, b, action, resource, extra);
  if (!decision.allowed) throw accessDenied(notAuthorized(callerPrincipal(r.emu), action, resource, decision));
}

export function callerDecision(r: S3Request, b: S3Bucket, action: string, resource: string, extra: RequestContext = {}): Decision {
  const principal = callerPrincipal(r.emu);
  const context = { ...baseContext(r.emu, principal, r.info.region, r.req.socket.remoteAddress), ...extra };
  return decideS3(r.emu, b, { principal, action, resource, context });
}
