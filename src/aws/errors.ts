/** Error classification for SDK errors, by name and HTTP status (HEAD 404s come back as "NotFound"). */
export interface AwsErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function asAws(e: unknown): AwsErrorLike {
  return (e ?? {}) as AwsErrorLike;
}

export function errorName(e: unknown): string {
  return asAws(e).name ?? 'Error';
}

export function errorMessage(e: unknown): string {
  return asAws(e).message ?? String(e);
}

/** A read of something that is not there: the caller turns it into the value "absent". */
export function isNotFound(e: unknown): boolean {
  const { name, $metadata } = asAws(e);
  return (
    name === 'ResourceNotFoundException' ||
    name === 'NoSuchEntity' ||
    name === 'NoSuchEntityException' ||
    name === 'NoSuchBucket' ||
    name === 'NoSuchKey' ||
    name === 'NotFound' ||
    $metadata?.httpStatusCode === 404
  );
}

export function isAlreadyExists(e: unknown): boolean {
  const n = errorName(e);
  return (
    n === 'ResourceAlreadyExistsException' ||
    n === 'EntityAlreadyExists' ||
    n === 'EntityAlreadyExistsException' ||
    n === 'BucketAlreadyOwnedByYou'
  );
}

export function isInUse(e: unknown): boolean {
  const n = errorName(e);
  return n === 'ResourceInUseException' || n === 'DeleteConflict' || n === 'DeleteConflictException' || n === 'BucketNotEmpty';
}

/**
 * IAM is eventually consistent: a role created seconds ago may not yet be assumable by Personalize, which then
 * rejects the job with an input error mentioning the role. These are retried, not slept on up front.
 */
export function isRolePropagation(e: unknown): boolean {
  const n = e instanceof AwsError ? e.code : errorName(e);
  const m = (e instanceof AwsError ? e.awsMessage : errorMessage(e)).toLowerCase();
  return (
    (n === 'InvalidInputException' || n === 'AccessDeniedException' || n === 'AccessDenied') &&
    (m.includes('role') || m.includes('assume') || m.includes('access denied') || m.includes('permission'))
  );
}

export function isThrottling(e: unknown): boolean {
  const n = errorName(e);
  return (
    n === 'ThrottlingException' ||
    n === 'Throttling' ||
    n === 'TooManyRequestsException' ||
    n === 'SlowDown' ||
    n === 'LimitExceededException' ||
    asAws(e).$metadata?.httpStatusCode === 429
  );
}

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
