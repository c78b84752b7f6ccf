/**
 * The three shapes of a port call, shared by the SDK adapters: a call whose failures become AwsErrors, a read
 * whose "not there" is the value undefined, and a delete whose "already gone" is success. Plus paging to the end.
 */
import { isAwsError } from './errors.js';
import { toAwsError } from './error-kinds.js';

export class PortCalls {
  constructor(readonly service: string) {}

  async run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toAwsError(this.service, operation, e);
    }
  }

  /** Absence is a value: not-found (whatever the service calls it) reads as undefined. */
  async read<T>(operation: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.run(operation, fn);
    } catch (e) {
      if (isAwsError(e, 'not-found')) return undefined;
      throw e;
    }
  }

  /** Deleting what is already gone succeeds. */
  async remove(operation: string, fn: () => Promise<unknown>): Promise<void> {
    await this.read(operation, fn);
  }

  /**
   * Every page, in order, until the service stops handing out a token. A list under a parent that is not there
   * (solution versions of a deleted solution, objects of a deleted bucket) is empty, not an error.
   */
  async pages<P, T>(
    operation: string,
    fetch: (token: string | undefined) => Promise<P>,
    items: (page: P) => T[] | undefined,
    next: (page: P) => string | undefined,
  ): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    for (;;) {
      const current = token;
      const page = await this.read(operation, () => fetch(current));
      if (page === undefined) return out;
      out.push(...(items(page) ?? []));
      token = next(page);
      if (!token) return out;
      // A service that hands back a token it already gave would loop forever.
      if (seen.has(token)) throw toAwsError(this.service, operation, new Error(`the paging token repeated: ${token}`));
      seen.add(token);
    }
  }
}

export function tagList(tags: Record<string, string>): Array<{ tagKey: string; tagValue: string }> | undefined {
  const list = Object.entries(tags).map(([tagKey, tagValue]) => ({ tagKey, tagValue }));
  return list.length > 0 ? list : undefined;
}

export function tagRecord(list: Array<{ Key?: string; Value?: string; tagKey?: string; tagValue?: string }> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) {
    const key = t.Key ?? t.tagKey;
    if (key !== undefined) out[key] = t.Value ?? t.tagValue ?? '';
  }
  return out;
}
