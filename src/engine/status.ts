import type { Spec } from '../spec/types.js';
import type { StepRecord } from '../state/types.js';
import { openSession } from './session.js';
import { summaryLines } from './reports.js';
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
  /** Personalize's solution metrics of the (first) model. */
  metrics?: Record<string, number>;
  /** With several models: each one's metrics, by the step that read them ('metrics', 'metrics:attr'). */
  metricsByStep?: Record<string, Record<string, number>>;
  report: string[];
}

/** The state, with each recorded resource's live status read now (by its kind). Never takes the lock; changes nothing. */
export async function pipelineStatus(
  opts: { spec: Spec; cwd: string; signal: AbortSignal; emit: Emit; deps: EngineDeps } & EngineTuning,
): Promise<StatusReport> {
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
    const metrics = Object.fromEntries(
      steps.flatMap((s) => {
        const r = st.steps[s.id];
        const m = r && s.metrics?.(r);
        return m ? [[s.id, m] as const] : [];
      }),
    );
    return {
      pipeline: opts.spec.name,
      target: session.aws.label,
      specChangedSinceApply: Boolean(st.specHash && st.specHash !== opts.spec.fileHash),
      rows,
      ...(Object.keys(metrics).length ? { metrics: Object.values(metrics)[0]! } : {}),
      ...(Object.keys(metrics).length > 1 ? { metricsByStep: metrics } : {}),
      report: summaryLines(steps, st.steps),
    };
  } finally {
    await session.close();
  }
}
