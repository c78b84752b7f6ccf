/** Counts SDK calls per operation (e.g. "personalize:CreateSolutionVersion") for `apply --json` and tests. */
export class CallCounter {
  private readonly counts = new Map<string, number>();
  bytesUploaded = 0;

  /** Adds a middleware that counts each operation once per logical call (retries are not extra calls). */
  attach(service: string, client: { middlewareStack: { add: (mw: never, opts: never) => void } }): void {
    const middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      this.add(`${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`);
      return next(args);
    };
    client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'segflowCallCounter' } as never);
  }

  add(operation: string, n = 1): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + n);
  }

  get(operation: string): number {
    return this.counts.get(operation) ?? 0;
  }

  /** Sorted by operation name, so output is stable. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  /** Calls that create something (Create*, Put*, Upload*, Copy*): what "a second apply changes nothing" checks. */
  creates(): number {
    let n = 0;
    for (const [k, v] of this.counts) if (/:(Create|Put|Upload|CompleteMultipart|Copy)/.test(k)) n += v;
    return n;
  }
}
