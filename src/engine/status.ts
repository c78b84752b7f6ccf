import type { Spec } from '../spec/types.js';
import type { StepRecord } from '../state/types.js';
import { openSession } from './session.js';
import type { EngineDeps, EngineTuning } from './deps.js';
import type { Emit } from './events.js';

export interface StatusRow {
  id: string;
  phase: StepRecord['phase'];
  name?: string;
  arn?: string;
  /** Live status read now ("absent" when the resource is gone). */
  live?: string;
  updatedAt: string;
  error?: string;
}

export interface StatusReport {
  pipeline: string;
  target: string;
  specChangedSinceApply: boolean;
  rows: StatusRow[];
  metrics?: Record<string, number>;
  report: string[];
}

/** The state, with each recorded resource's live status read now (by its kind). Never takes the lock; changes nothing. */
export async function pipelineStatus(opts: { spec: Spec; cwd: string; signal: AbortSignal; emit: Emit; deps: EngineDeps } & EngineTuning): Promise<StatusReport> {
  const session = await openSession(opts);
  try {
    const { ctx, steps } = session;
    const st = ctx.state.current;
    const order = steps.map((s) => s.id);
    const rows = await Promise.all(
      Object.entries(st.steps).map(async ([id, r]): Promise<StatusRow> => {
        const o = await steps.find((s) => s.id === id)?.status?.(ctx, r);
        return {
          id,
          phase: r.phase,
          ...(r.name ? { name: r.name } : {}),
          ...(r.arn ? { arn: r.arn } : {}),
          ...(o ? { live: o.exists ? (o.status ?? 'exists') : 'absent' } : {}),
          updatedAt: r.updatedAt,
          ...(r.error ? { error: r.error } : {}),
        };
      }),
    );
    const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
    rows.sort((a, b) => rank(a.id) - rank(b.id));
    const metrics = st.steps['metrics']?.outputs?.['metrics'] as Record<string, number> | undefined;
    return {
      pipeline: opts.spec.name,
      target: session.aws.label,
      specChangedSinceApply: Boolean(st.specHash && st.specHash !== opts.spec.fileHash),
      rows,
      ...(metrics ? { metrics } : {}),
      report: (st.steps['evaluate']?.outputs?.['summary'] as string[] | undefined) ?? [],
    };
  } finally {
    await session.close();
  }
}
