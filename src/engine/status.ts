import type { Spec } from '../spec/types.js';
import { describeDatasetGroup } from '../resources/dataset-group.js';
import { describeDataset } from '../resources/dataset.js';
import { describeImportJob } from '../resources/import-job.js';
import { describeSchema } from '../resources/schema.js';
import { describeSegmentJob } from '../resources/segments.js';
import { describeSolution } from '../resources/solution.js';
import { describeSolutionVersion } from '../resources/training.js';
import { bucketStep } from '../resources/bucket.js';
import { roleStep } from '../resources/role.js';
import type { Observation, StepContext } from '../resources/types.js';
import type { StepRecord } from '../state/types.js';
import { openSession, type EngineTuning } from './session.js';
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

async function live(ctx: StepContext, id: string, r: StepRecord): Promise<Observation | undefined> {
  const arn = r.arn;
  if (id === 'bucket' || id === 'role') {
    const step = id === 'bucket' ? bucketStep : roleStep;
    return r.name ? step.read(ctx, { name: r.name, inputs: {}, inputsHash: r.inputsHash ?? '' }, r) : undefined;
  }
  if (!arn) return undefined;
  if (id === 'dataset-group') return describeDatasetGroup(ctx, arn);
  if (id.startsWith('schema-')) return describeSchema(ctx, arn);
  if (id.startsWith('dataset-')) return describeDataset(ctx, arn);
  if (id.startsWith('import-')) return describeImportJob(ctx, arn);
  if (id === 'solution') return describeSolution(ctx, arn);
  if (id === 'training') return describeSolutionVersion(ctx, arn);
  if (id === 'segments') return describeSegmentJob(ctx, arn);
  return undefined;
}

/** The state, with each recorded resource's live status read now. Never takes the lock; changes nothing. */
export async function pipelineStatus(opts: { spec: Spec; cwd: string; signal: AbortSignal; emit: Emit } & EngineTuning): Promise<StatusReport> {
  const session = await openSession({ ...opts });
  try {
    const { ctx } = session;
    const st = ctx.state.current;
    const rows: StatusRow[] = [];
    const order = session.steps.map((s) => s.id);
    const ids = Object.keys(st.steps).sort((a, b) => order.indexOf(a) - order.indexOf(b));
    await Promise.all(
      ids.map(async (id) => {
        const r = st.steps[id]!;
        const o = await live(ctx, id, r);
        rows.push({
          id,
          phase: r.phase,
          ...(r.name ? { name: r.name } : {}),
          ...(r.arn ? { arn: r.arn } : {}),
          ...(o ? { live: o.exists ? (o.status ?? 'exists') : 'absent' } : {}),
          updatedAt: r.updatedAt,
          ...(r.error ? { error: r.error } : {}),
        });
      }),
    );
    rows.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
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
