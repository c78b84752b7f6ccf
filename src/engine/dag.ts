import { CancelledError } from '../util/backoff.js';

export interface DagNode {
  id: string;
  deps: string[];
}

export type NodeOutcome = { status: 'done' } | { status: 'failed'; error: unknown } | { status: 'skipped'; because: string } | { status: 'cancelled' };

/**
 * Runs nodes as soon as all their dependencies are done, independent ones in parallel (up to `concurrency`).
 * A failure skips everything downstream of it but lets independent branches finish, so the state records as much
 * progress as possible. Cancellation starts nothing new and waits for what is running (which sees the signal).
 */
export async function runDag(
  nodes: DagNode[],
  run: (id: string) => Promise<void>,
  opts: { signal?: AbortSignal; concurrency?: number } = {},
): Promise<Map<string, NodeOutcome>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) {
    for (const d of n.deps) if (!byId.has(d)) throw new Error(`step ${n.id} depends on unknown step ${d}`);
  }
  assertAcyclic(nodes);
  const concurrency = opts.concurrency ?? Infinity;
  const outcomes = new Map<string, NodeOutcome>();
  const running = new Map<string, Promise<void>>();

  const ready = (n: DagNode) => !outcomes.has(n.id) && !running.has(n.id) && n.deps.every((d) => outcomes.get(d)?.status === 'done');
  const blockedBy = (n: DagNode): string | undefined => {
    for (const d of n.deps) {
      const o = outcomes.get(d);
      if (o && o.status !== 'done') return d;
    }
    return undefined;
  };

  for (;;) {
    // Propagate failures/skips/cancellations downstream.
    let changed = true;
    while (changed) {
      changed = false;
      for (const n of nodes) {
        if (outcomes.has(n.id) || running.has(n.id)) continue;
        const b = blockedBy(n);
        if (b) {
          outcomes.set(n.id, { status: 'skipped', because: b });
          changed = true;
        }
      }
    }
    if (!opts.signal?.aborted) {
      for (const n of nodes) {
        if (running.size >= concurrency) break;
        if (!ready(n)) continue;
        const p = run(n.id).then(
          () => {
            outcomes.set(n.id, { status: 'done' });
          },
          (error: unknown) => {
            outcomes.set(n.id, error instanceof CancelledError || opts.signal?.aborted ? { status: 'cancelled' } : { status: 'failed', error });
          },
        );
        running.set(
          n.id,
          p.finally(() => running.delete(n.id)),
        );
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  for (const n of nodes) if (!outcomes.has(n.id)) outcomes.set(n.id, { status: 'cancelled' });
  return outcomes;
}

export function assertAcyclic(nodes: DagNode[]): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]) => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`dependency cycle: ${[...path, id].join(' -> ')}`);
    state.set(id, 'visiting');
    for (const d of byId.get(id)?.deps ?? []) visit(d, [...path, id]);
    state.set(id, 'done');
  };
  for (const n of nodes) visit(n.id, []);
}
