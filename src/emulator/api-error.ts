/**
 * An error answer of an emulated service. Each protocol renders it in its own shape: Personalize as JSON with
 * `__type`, S3 as `<Error>` XML, IAM/STS as `<ErrorResponse>` XML. `status` is the HTTP status.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** S3 only: extra elements of the <Error> document (e.g. BucketName, Key). */
    readonly fields: Record<string, string> = {},
    /** S3 only: response headers of the error (e.g. x-amz-delete-marker on a deleted key). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
