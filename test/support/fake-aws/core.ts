/**
 * What every fake service shares: call counting, the operation log, injected failures, and the three call shapes
 * of the SDK adapters (src/aws/port-call.ts): run, read (not-found is undefined), remove (not-found is success).
 * Errors are AwsErrors classified by the adapters' own `kindOf`, so code under test cannot tell fake from real.
 */
import { CallCounter } from '../../../src/aws/call-counter.js';
import { awsError } from '../../../src/aws/error-kinds.js';
import { isAwsError } from '../../../src/aws/errors.js';

/**
 * A failure the fake's logic raises; `run` turns it into the AwsError of the service and operation. The status
 * defaults to 400, what AWS sends for client errors without their own (every Personalize error, for one).
 */
export class FakeFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function fail(code: string, message: string, status?: number): never {
  throw new FakeFailure(code, message, status);
}

interface Injection {
  operation: string;
  code: string;
  message: string;
  status: number;
  times: number;
}

/** "CreateSolution" matches any service's CreateSolution; "personalize:CreateSolution" only that one. */
function matches(pattern: string, service: string, operation: string): boolean {
  return pattern === operation || pattern === `${service}:${operation}`;
}

export class FakeCore {
  calls = new CallCounter();
  /** What changed, in order: "create solution demo-solution", "put demo/input/interactions.csv", ... */
  readonly log: string[] = [];
  /**
   * The next call of this operation takes effect, then throws as if the connection dropped before the answer
   * (AwsError code ECONNRESET, kind other): the crash between "create" and "record" the engine must survive.
   */
  crashAfter?: string;
  private readonly injections: Injection[] = [];
  private seq = 0;

  /** A number that grows with every creation: creation order, for "newest first" lists. */
  nextSeq(): number {
    return ++this.seq;
  }

  /**
   * The next `times` calls of `operation` fail with this AWS error code (status 400 unless given) before doing anything, e.g.
   * failNext('CreateSolutionVersion', 'LimitExceededException') or failNext('GetCallerIdentity', 'ExpiredToken').
   */
  failNext(operation: string, code: string, options: { message?: string; status?: number; times?: number } = {}): void {
    this.injections.push({ operation, code, message: options.message ?? `simulated ${code}`, status: options.status ?? 400, times: options.times ?? 1 });
  }

  /** One port call: counted `pages` times (one per SDK request the adapter would send), failures as AwsErrors. */
  async run<T>(service: string, operation: string, fn: () => T | Promise<T>, pages = 1): Promise<T> {
    this.calls.add(`${service}:${operation}`, pages);
    const injected = this.injections.find((i) => i.times > 0 && matches(i.operation, service, operation));
    if (injected) {
      injected.times -= 1;
      throw awsError(service, operation, injected.code, injected.message, injected.status);
    }
    let out: T;
    try {
      out = await fn();
    } catch (e) {
      if (e instanceof FakeFailure) throw awsError(service, operation, e.code, e.message, e.status);
      throw e;
    }
    if (this.crashAfter !== undefined && matches(this.crashAfter, service, operation)) {
      this.crashAfter = undefined;
      throw awsError(service, operation, 'ECONNRESET', 'socket hang up (simulated: the operation took effect, its answer was lost)');
    }
    return out;
  }

  async read<T>(service: string, operation: string, fn: () => T | Promise<T>, pages = 1): Promise<T | undefined> {
    try {
      return await this.run(service, operation, fn, pages);
    } catch (e) {
      if (isAwsError(e, 'not-found')) return undefined;
      throw e;
    }
  }

  async remove(service: string, operation: string, fn: () => unknown): Promise<void> {
    await this.read(service, operation, fn);
  }
}

/** How many requests a list of `n` items takes at `pageSize` per page (at least one). */
export function pagesOf(n: number, pageSize: number): number {
  return Math.max(1, Math.ceil(n / pageSize));
}
