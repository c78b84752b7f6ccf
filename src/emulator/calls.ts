/** Counts of answered requests per service and operation, served at GET /_emulator/calls. */
export class CallCounter {
  private readonly counts = new Map<string, Map<string, number>>();
  private errors = 0;

  record(service: string, operation: string, failed: boolean): void {
    let ops = this.counts.get(service);
    if (!ops) this.counts.set(service, (ops = new Map<string, number>()));
    ops.set(operation, (ops.get(operation) ?? 0) + 1);
    if (failed) this.errors++;
  }

  snapshot(): { total: number; errors: number; services: Record<string, Record<string, number>> } {
    const services: Record<string, Record<string, number>> = {};
    let total = 0;
    for (const [service, ops] of [...this.counts].sort(([a], [b]) => a.localeCompare(b))) {
      services[service] = Object.fromEntries([...ops].sort(([a], [b]) => a.localeCompare(b)));
      for (const n of ops.values()) total += n;
    }
    return { total, errors: this.errors, services };
  }

  reset(): void {
    this.counts.clear();
    this.errors = 0;
  }
}
