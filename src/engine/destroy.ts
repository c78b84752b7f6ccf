import type { Spec } from '../spec/types.js';
import type { LockOwner } from '../state/backend.js';
import type { DestroyContext, DestroyReport } from '../resources/types.js';
import { runDag } from './dag.js';
import { openSession } from './session.js';
import type { EngineDeps, EngineTuning } from './deps.js';
import type { Emit } from './events.js';

export interface DestroyOptions extends EngineTuning {
  spec: Spec;
  cwd: string;
  signal: AbortSignal;
  emit: Emit;
  deps: EngineDeps;
  /** Who takes the lock beyond host and pid (CI actor and run). */
  lockOwner?: LockOwner;
  keepData: boolean;
}

export interface DestroySummary extends Omit<DestroyReport, 'keepRecord'> {
  pipeline: string;
  calls: Record<string, number>;
}

/**
 * Tears the pipeline down: the step graph walked in reverse (a step is destroyed once every step that depends on
 * it is), each step deleting what it created and sweeping what a crashed run never recorded (by tag or by its
 * deterministic name), waiting for each asynchronous delete. Idempotent: absent is success. Knows nothing of any
 * particular resource: each kind's destroy does.
 */
export async function destroyPipeline(opts: DestroyOptions): Promise<DestroySummary> {
  const session = await openSession({ ...opts, lockFor: 'destroy' });
  const { steps } = session;
  const memo = new Map<string, Promise<unknown>>();
  const ctx: DestroyContext = {
    ...session.ctx,
    keepData: opts.keepData,
    once: <T>(key: string, compute: () => Promise<T>) => {
      if (!memo.has(key)) memo.set(key, compute());
      return memo.get(key) as Promise<T>;
    },
  };
  const summary: DestroySummary = { pipeline: opts.spec.name, deleted: [], undeletable: [], kept: [], stillBilling: [], calls: {} };
  const kept = new Set<string>();
  try {
    const dependents = new Map(steps.map((s) => [s.id, [] as string[]]));
    for (const s of steps) for (const d of s.deps) dependents.get(d)?.push(s.id);
    const outcomes = await runDag(
      steps.map((s) => ({ id: s.id, deps: dependents.get(s.id) ?? [] })),
      async (id) => {
        const step = steps.find((s) => s.id === id)!;
        const report = (await step.destroy?.(ctx)) ?? {};
        summary.deleted.push(...(report.deleted ?? []));
        summary.undeletable.push(...(report.undeletable ?? []));
        summary.kept.push(...(report.kept ?? []));
        summary.stillBilling.push(...(report.stillBilling ?? []));
        if (report.keepRecord) kept.add(id);
      },
      { signal: ctx.signal, concurrency: 1 },
    );
    const lost = session.lockLost();
    if (lost) throw lost;
    for (const o of outcomes.values()) if (o.status === 'failed') throw o.error;
    await ctx.state.update((s) => {
      for (const id of Object.keys(s.steps)) if (!kept.has(id)) delete s.steps[id];
    });
    if (kept.size === 0) await ctx.state.deleteFile();
    summary.calls = ctx.aws.calls.snapshot();
    return summary;
  } finally {
    await session.close();
  }
}
