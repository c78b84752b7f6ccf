/**
 * What an AWS failure means to segflow: AWS's error code (and HTTP status) -> an AwsErrorKind. The SDK adapters
 * and the unit-test fake both classify through `kindOf`, so code under test cannot tell them apart.
 *
 * Codes come from the botocore models (boto/botocore @ 0e6e2404: personalize, s3, iam, sts, kms service-2.json)
 * and, for S3 codes the model only documents in prose, from the S3 error-code reference.
 */
import { AwsError, type AwsErrorKind } from './errors.js';

const CODES: Array<[AwsErrorKind, string[]]> = [
  [
    'expired-credentials',
    [
      'ExpiredToken', // S3, STS query protocol
      'ExpiredTokenException', // JSON protocol services
      'RequestExpired',
      'TokenRefreshRequired',
      // Raised by the SDK's credential chain before any request is sent (no profile, SSO session expired...).
      'CredentialsProviderError',
      'TokenProviderError',
    ],
  ],
  [
    'not-found',
    [
      'ResourceNotFoundException', // Personalize
      'NoSuchEntity', // IAM (404)
      'NoSuchEntityException',
      'NotFoundException', // KMS
      'NoSuchBucket', // S3 (404)
      'NoSuchKey',
      'NotFound', // S3 HEAD 404: no body, the SDK names it by status
      'NoSuchBucketPolicy',
      'NoSuchTagSet',
      'ServerSideEncryptionConfigurationNotFoundError',
      'NoSuchPublicAccessBlockConfiguration',
      'NoSuchUpload',
      'NoSuchLifecycleConfiguration',
      'NoSuchVersion',
    ],
  ],
  [
    'already-exists',
    [
      'ResourceAlreadyExistsException',
      'EntityAlreadyExists',
      'EntityAlreadyExistsException',
      'BucketAlreadyExists',
      'BucketAlreadyOwnedByYou',
      'AlreadyExistsException',
    ],
  ],
  ['in-use', ['ResourceInUseException', 'DeleteConflict', 'DeleteConflictException', 'BucketNotEmpty']],
  // Personalize (and KMS) quotas; IAM's LimitExceeded (409). Never retried: see retry-strategy.ts.
  ['limit-exceeded', ['LimitExceededException', 'LimitExceeded']],
  [
    'throttled',
    ['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'SlowDown', 'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException'],
  ],
  [
    'access-denied',
    [
      'AccessDenied',
      'AccessDeniedException',
      'Forbidden',
      'UnauthorizedOperation',
      // Credentials AWS does not accept: as denied as a missing permission, and no retry fixes them.
      'InvalidClientTokenId',
      'UnrecognizedClientException',
      'InvalidAccessKeyId',
      'SignatureDoesNotMatch',
      'InvalidSignatureException',
      'MissingAuthenticationToken',
      'MissingAuthenticationTokenException',
    ],
  ],
  [
    'invalid-input',
    [
      'InvalidInputException', // Personalize
      'InvalidNextTokenException',
      'TooManyTagsException',
      'TooManyTagKeysException',
      'ValidationException',
      'ValidationError', // IAM / STS query protocol
      'InvalidInput',
      'MalformedPolicyDocument',
      'UnmodifiableEntity',
      'InvalidParameterValue',
      'MalformedPolicy', // S3
      'MalformedXML',
      'InvalidArgument',
      'InvalidBucketName',
      'InvalidRequest',
      'IllegalLocationConstraintException',
      'InvalidLocationConstraint',
      'EntityTooSmall',
      'EntityTooLarge',
      'KeyTooLongError',
      'MetadataTooLarge',
      'InvalidArnException', // KMS
      'SerializationException',
    ],
  ],
  ['precondition-failed', ['PreconditionFailed']],
  // S3 409s of concurrent writers (a retry may succeed); IAM's ConcurrentModification is the same story.
  ['conflict', ['ConditionalRequestConflict', 'OperationAborted', 'ConcurrentModification', 'ConcurrentModificationException']],
];

const KIND_OF_CODE = new Map<string, AwsErrorKind>(CODES.flatMap(([kind, codes]) => codes.map((c) => [c, kind] as const)));

/** The kind of an AWS error code; the HTTP status decides only for codes not listed (e.g. a bodiless HEAD 403). */
export function kindOf(code: string, status?: number): AwsErrorKind {
  const known = KIND_OF_CODE.get(code);
  if (known) return known;
  if (status === 404) return 'not-found';
  if (status === 403) return 'access-denied';
  if (status === 412) return 'precondition-failed';
  // 503 is "slow down" on S3 (SlowDown, bodiless on HEAD) and "try later" elsewhere: back off either way.
  if (status === 429 || status === 503) return 'throttled';
  return 'other';
}

/** S3 answers HEAD errors without a body: the SDK then calls them "Unknown"; name them by their status. */
const STATUS_CODES: Record<number, string> = {
  301: 'PermanentRedirect',
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

interface SdkErrorShape {
  name?: unknown;
  /** Query-protocol services (IAM, STS) keep the wire code here; the class name is longer (NoSuchEntityException). */
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * AWS's code for a failure: the wire code (IAM's NoSuchEntity, not the SDK class NoSuchEntityException), else the SDK
 * error's name, a Node network error's code (ECONNRESET), or a name for a bodiless answer's HTTP status.
 */
export function codeOf(e: unknown): { code: string; message: string; status?: number } {
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkErrorShape;
  const status = err.$metadata?.httpStatusCode;
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const nodeCode = typeof err.code === 'string' ? err.code : undefined;
  let code = typeof err.Code === 'string' && err.Code !== '' ? err.Code : name;
  if ((name === 'Unknown' || name === 'UnknownError') && status !== undefined) code = STATUS_CODES[status] ?? `Http${status}`;
  else if ((name === 'Error' || name === 'TypeError') && nodeCode) code = nodeCode;
  const message = typeof err.message === 'string' && err.message !== '' && err.message !== 'UnknownError' ? err.message : e instanceof Error ? code : String(e);
  return status === undefined ? { code, message } : { code, message, status };
}

/** Any failure of one port call, as the AwsError the ports promise. An AwsError passes through unchanged. */
export function toAwsError(service: string, operation: string, e: unknown): AwsError {
  if (e instanceof AwsError) return e;
  const { code, message, status } = codeOf(e);
  const error = awsError(service, operation, code, message, status);
  error.cause = e; // the SDK's own error, for debugging (request id, attempts)
  return error;
}

/** An AwsError for a code, classified like every other: what the fake raises. */
export function awsError(service: string, operation: string, code: string, message: string, status?: number): AwsError {
  return new AwsError(service, operation, code, message, kindOf(code, status), status);
}
