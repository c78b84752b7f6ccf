/**
 * The SDK's standard retries, minus quota errors.
 *
 * SDK v3 classifies `LimitExceededException` as throttling (it is in smithy's THROTTLING_ERROR_CODES), so a
 * Personalize quota breach ("You have reached the maximum number of dataset groups") would be retried with
 * throttling backoff before surfacing: slower, and it can never succeed. Personalize uses the same code for
 * request-rate and resource quotas; segflow treats it as a quota (kind limit-exceeded) and lets the caller decide.
 * Real throttling (ThrottlingException, SlowDown, 429) and transient failures (5xx, timeouts, resets) are
 * still retried by the standard strategy, with its backoff and retry quota.
 *
 * The SDK's own retry options (maxAttempts, retryMode) cannot exempt an error code, so this wraps the standard
 * strategy of @smithy/core, the package the SDK clients retry with. That makes @smithy/core a direct dependency
 * that moves with the clients: package.json gives every @aws-sdk/* package one range and @smithy/core the version
 * those clients depend on, so a single copy is installed (retry-strategy.test.ts checks it).
 */
import { StandardRetryStrategy } from '@smithy/core/retry';

type Token = Awaited<ReturnType<StandardRetryStrategy['acquireInitialRetryToken']>>;
type ErrorInfo = Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[1];

/** Error names that mean "a quota is exhausted": retrying cannot help. */
export const QUOTA_ERROR_NAMES: ReadonlySet<string> = new Set(['LimitExceededException', 'LimitExceeded']);

export function isQuotaError(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return typeof name === 'string' && QUOTA_ERROR_NAMES.has(name);
}

/**
 * The standard strategy, except that a quota error is never retried. A RetryStrategyV2: the retry middleware
 * rethrows the original error when refreshing the token is refused.
 */
export class StandardRetryExceptQuotaErrors {
  readonly mode = 'standard';
  private readonly inner: StandardRetryStrategy;

  constructor(maxAttempts: number) {
    this.inner = new StandardRetryStrategy(maxAttempts);
  }

  acquireInitialRetryToken(scope: string): Promise<Token> {
    return this.inner.acquireInitialRetryToken(scope);
  }

  refreshRetryTokenForRetry(token: Token, info: ErrorInfo): Promise<Token> {
    if (isQuotaError(info.error)) return Promise.reject(new Error('quota errors are not retried'));
    return this.inner.refreshRetryTokenForRetry(token, info);
  }

  recordSuccess(token: Token): void {
    this.inner.recordSuccess(token);
  }
}
