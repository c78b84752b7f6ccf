import type { FaultSpec } from './options.js';

export type FaultDecision = { kind: 'none' } | { kind: 'throttle' } | { kind: 'error' };

/** Seeded decisions (mulberry32), so a faulty run can be repeated exactly. */
export class FaultInjector {
  private state: number;
  constructor(private spec: FaultSpec) {
    this.state = (spec.seed ?? 1) >>> 0;
  }

  get current(): FaultSpec {
    return this.spec;
  }

  replace(spec: FaultSpec): void {
    this.spec = spec;
    this.state = (spec.seed ?? 1) >>> 0;
  }

  private random(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  decide(): FaultDecision {
    const throttle = this.spec.throttleRate ?? 0;
    const error = this.spec.errorRate ?? 0;
    if (throttle === 0 && error === 0) return { kind: 'none' };
    const r = this.random();
    if (r < throttle) return { kind: 'throttle' };
    if (r < throttle + error) return { kind: 'error' };
    return { kind: 'none' };
  }

  async delay(): Promise<void> {
    const ms = this.spec.latencyMs ?? 0;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  }

  /** Whether resources created by this Personalize operation must end in CREATE FAILED. */
  forcesFailure(operation: string): boolean {
    return (this.spec.failOperations ?? []).includes(operation);
  }
}
