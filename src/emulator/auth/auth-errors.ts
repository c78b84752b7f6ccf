import { ApiError } from '../api-error.js';
import type { AuthFailure } from './sigv4.js';

export type Protocol = 'json' | 'query' | 's3';

/**
 * Each service's own answer to a request it cannot authenticate. JSON-protocol (Coral) services answer 400 with
 * __type MissingAuthenticationTokenException / UnrecognizedClientException / InvalidSignatureException.
 * Expired credentials ('token-expired'): S3 `ExpiredToken` 400 "The provided token has expired." (botocore s3
 * 2006-03-01, the error-code list in the Error shape's Code); IAM and STS `ExpiredToken` 403 "The security token
 * included in the request is expired" (the query error document as services send it, e.g. cfn-sphere/cfn-sphere#55,
 * aws/aws-sdk-java-v2#1649); JSON services `ExpiredTokenException` with the same message (AWS "Common Errors";
 * aws/aws-sdk-go#253 lists the three codes), 400 as the other Coral authentication errors.
 */
export function authError(protocol: Protocol, f: AuthFailure): ApiError {
  if (protocol === 's3') {
    switch (f.kind) {
      case 'missing':
        return new ApiError('AccessDenied', 'Access Denied', 403);
      case 'unknown-key':
        return new ApiError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403);
      case 'mismatch':
        return new ApiError('SignatureDoesNotMatch', f.message, 403);
      case 'skewed':
        return new ApiError('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', 403);
      case 'expired':
        return new ApiError('AccessDenied', 'Request has expired', 403);
      case 'token-expired':
        return new ApiError('ExpiredToken', 'The provided token has expired.', 400);
      case 'malformed':
        return new ApiError('AuthorizationHeaderMalformed', f.message, 400);
    }
  }
  if (protocol === 'query') {
    switch (f.kind) {
      case 'missing':
        return new ApiError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
      case 'unknown-key':
        return new ApiError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      case 'mismatch':
      case 'skewed':
      case 'expired':
        return new ApiError('SignatureDoesNotMatch', f.message, 403);
      case 'token-expired':
        return new ApiError('ExpiredToken', f.message, 403);
      case 'malformed':
        return new ApiError('IncompleteSignature', f.message, 400);
    }
  }
  switch (f.kind) {
    case 'missing':
      return new ApiError('MissingAuthenticationTokenException', 'Request is missing Authentication Token', 400);
    case 'unknown-key':
      return new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
    case 'mismatch':
    case 'skewed':
    case 'expired':
      return new ApiError('InvalidSignatureException', f.message, 400);
    case 'token-expired':
      return new ApiError('ExpiredTokenException', f.message, 400);
    case 'malformed':
      return new ApiError('IncompleteSignatureException', f.message, 400);
  }
}
