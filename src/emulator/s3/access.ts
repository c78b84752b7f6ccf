import { ApiError } from '../api-error.js';
import { notAuthorized } from '../iam/denial.js';
import { authorize, type Decision, type Principal } from '../iam/evaluate.js';
import type { RequestContext } from '../iam/conditions.js';
import { parsePolicy, type Policy } from '../iam/policy.js';
import { callerPolicies, callerPrincipal } from '../iam/caller.js';
import type { S3Bucket } from '../store/state.js';
import type { S3Request } from './responses.js';
import { partitionOfBucket } from './s3-model.js';

/**
 * Authorization of S3 requests by the policy evaluator. A caller signing with an account's root credentials has
 * every permission of its own account, so only an explicit Deny in the bucket policy stops it on its own buckets; a
 * role session (a CI role) needs its own policies (within its boundary) or the bucket policy to allow; on another account's bucket the bucket policy must also allow it (cross-account
 * evaluation). Personalize reaches S3 through the same function with its role or service principal.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-policy-language-overview.html
 * Bucket and object ARNs carry the partition of the bucket's region and no region or account: arn:aws-cn:s3:::b/k.
 */
export const bucketArn = (b: S3Bucket) => `arn:${partitionOfBucket(b)}:s3:::${b.name}`;
export const objectArn = (b: S3Bucket, key: string) => `${bucketArn(b)}/${key}`;

const policyCache = new WeakMap<S3Bucket, { text: string; policy: Policy }>();

export function bucketPolicy(b: S3Bucket): Policy | undefined {
  if (b.policy === undefined) return undefined;
  const cached = policyCache.get(b);
  if (cached && cached.text === b.policy) return cached.policy;
  const policy = parsePolicy(b.policy);
  policyCache.set(b, { text: b.policy, policy });
  return policy;
}

import { baseContext } from '../iam/context-keys.js';

export { baseContext };

export interface S3Access {
  principal: Principal;
  action: string;
  resource: string;
  context: RequestContext;
  identityPolicies?: Policy[];
  boundary?: Policy;
}

/**
 * The decision for one S3 action on a bucket or object, with the bucket's policy as the resource-based policy and
 * the bucket owner as the resource's account (objects belong to the bucket owner: ownership enforced, S3's default).
 */
export function decideS3(b: S3Bucket, access: S3Access): Decision {
  return authorize({
    request: { principal: access.principal, action: access.action, resource: access.resource, context: access.context },
    identityPolicies: access.identityPolicies,
    boundary: access.boundary,
    resourcePolicy: bucketPolicy(b),
    resourceAccount: b.owner,
  });
}

export function accessDenied(message: string): ApiError {
  return new ApiError('AccessDenied', message, 403);
}

/** The signer of a request: the root user of its account, or a role session (iam/caller.ts). */
export { callerPrincipal } from '../iam/caller.js';

/** Authorizes the signed caller of an S3 request; throws 403 AccessDenied with AWS's wording otherwise. */
export function authorizeCaller(r: S3Request, b: S3Bucket, action: string, resource: string, extra: RequestContext = {}): void {
  const decision = callerDecision(r, b, action, resource, extra);
  if (!decision.allowed) throw accessDenied(notAuthorized(callerPrincipal(r.info), action, resource, decision));
}

export function callerDecision(r: S3Request, b: S3Bucket, action: string, resource: string, extra: RequestContext = {}): Decision {
  const principal = callerPrincipal(r.info);
  const context = { ...baseContext(principal, r.info.region, r.req.socket.remoteAddress), ...extra };
  return decideS3(b, { principal, action, resource, context, ...callerPolicies(r.emu, r.info) });
}

/**
 * The bucket policy operations: the bucket owner's root user may always call them, "even if their bucket policy
 * explicitly denies the root principal's access"; any other caller needs the permission (403 AccessDenied otherwise)
 * and must belong to the bucket owner's account: "If you have the correct permissions, but you're not using an
 * identity that belongs to the bucket owner's account, Amazon S3 returns a 405 Method Not Allowed error" (botocore s3
 * PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy).
 */
export function authorizePolicyOperation(r: S3Request, b: S3Bucket, action: string): void {
  if (b.owner === r.info.account && !r.info.session) return;
  authorizeCaller(r, b, action, bucketArn(b));
  if (b.owner === r.info.account) return;
  throw new ApiError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
}
