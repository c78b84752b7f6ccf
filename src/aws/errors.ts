/**
 * AwsError: every failure a port reports, classified by kind (src/aws/error-kinds.ts maps the SDK's errors, the
 * unit-test fake raises the same). Below, the few classifications segflow makes on top of the kind.
 */
/** What an AWS failure means to segflow, whatever the service calls it. */
export type AwsErrorKind =
  | 'not-found'
  | 'already-exists'
  | 'in-use'
  | 'limit-exceeded'
  | 'throttled'
  | 'access-denied'
  | 'invalid-input'
  | 'precondition-failed'
  | 'conflict'
  | 'expired-credentials'
  | 'other';

/**
 * Every failure a port reports: the service and operation, AWS's own error code and message, the HTTP status,
 * and its kind. The message reads "personalize CreateDatasetImportJob: InvalidInputException: ...".
 */
export class AwsError extends Error {
  constructor(
    readonly service: string,
    readonly operation: string,
    readonly code: string,
    readonly awsMessage: string,
    readonly kind: AwsErrorKind,
    readonly status?: number,
  ) {
    super(`${service} ${operation}: ${code}: ${awsMessage}`);
    this.name = 'AwsError';
  }
}

export function isAwsError(e: unknown, kind?: AwsErrorKind): e is AwsError {
  return e instanceof AwsError && (kind === undefined || e.kind === kind);
}

/**
 * Personalize's answer when it cannot use the job's role, or cannot read or write the bucket through it: the role
 * is missing, not assumable (trust policy, IAM still propagating a new role), or a policy does not grant the
 * access ("Insufficient privileges for accessing data in S3. ... fix bucket policy on <bucket>"). Only
 * Personalize's InvalidInputException qualifies: an AccessDenied is the caller's own permission, never the role's.
 */
export function isRoleAccessProblem(e: unknown): boolean {
  return (
    isAwsError(e) &&
    e.service === 'personalize' &&
    e.code === 'InvalidInputException' &&
    /insufficient privileges|assume (the )?role|cannot assume|not authorized to perform: sts:assumerole|role .*(does not exist|not valid|cannot be used)/i.test(
      e.awsMessage,
    )
  );
}

/** Node's codes for a connection that failed or dropped, and the SDK's for a request that outlived its timeout. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'TimeoutError']);

/**
 * The service could not be reached at all (after the SDK's own retries): a network outage, a laptop's lid closed,
 * a restarted endpoint. Nothing was answered, so nothing is known about the resource; asking again later is safe.
 */
export function isConnectionProblem(e: unknown): boolean {
  return isAwsError(e) && e.status === undefined && CONNECTION_CODES.has(e.code);
}
