import { mulberry32 } from '../util/prng.js';
import type { FaultSpec } from './options.js';

export type FaultDecision = { kind: 'none' } | { kind: 'throttle' } | { kind: 'error' };

/** Seeded decisions (mulberry32), so a faulty run can be repeated exactly. */
export class FaultInjector {
  private random: () => number;
  constructor(private spec: FaultSpec) {
    this.random = mulberry32(spec.seed ?? 1);
  }

  get current(): FaultSpec {
    return this.spec;
  }

  replace(spec: FaultSpec): void {
    this.spec = spec;
    this.random = mulberry32(spec.seed ?? 1);
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
