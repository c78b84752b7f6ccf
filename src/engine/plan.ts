import { relative } from 'node:path';
import { assemblePlan } from '../plan/assemble.js';
import { observeWorld } from '../plan/observe.js';
import { pipelineSteps } from '../resources/index.js';
import { chunkCounts } from '../resources/layout.js';
import type { Plan } from '../plan/types.js';
import type { Spec } from '../spec/types.js';
import type { EngineDeps, EngineTuning } from './deps.js';
import type { Emit } from './events.js';
import { openSession, type Session } from './session.js';

/**
 * Read, then decide: the observe phase does all the I/O, then the pure assemblePlan decides. The session's
 * context learns the prepared data and the plan's desired values, which apply then works towards.
 */
export async function planIn(session: Session, now: Date): Promise<Plan> {
  const { ctx } = session;
  const { snapshot, steps } = await observeWorld(ctx, (prepared) => pipelineSteps(ctx.spec, chunkCounts(ctx.spec, prepared)));
  // The steps follow the prepared data (one batch segment job per chunk of queries): apply walks these.
  session.steps = steps;
  const plan: Plan = {
    ...assemblePlan(ctx.spec, snapshot, ctx.state.current, now, steps),
    state: {
      backend: session.backend.kind,
      // A local path is this machine's business: shown relative to the working directory.
      location: session.backend.kind === 'local' ? relative(ctx.cwd, session.backend.location) : session.backend.location,
      serial: ctx.state.current.serial ?? 0,
    },
  };
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  ctx.prepared = snapshot.prepared;
  ctx.desired = (id) => {
    const s = byId.get(id);
    if (!s) throw new Error(`step ${id} is not in the plan`);
    return { name: s.name, inputs: s.inputs, inputsHash: s.inputsHash };
  };
  return plan;
}

export interface PlanOptions extends EngineTuning {
  spec: Spec;
  cwd: string;
  signal: AbortSignal;
  emit: Emit;
  deps: EngineDeps;
  now?: Date;
}

/** `segflow plan`: changed data is prepared in a staging directory; nothing in the world changes. */
export async function planPipeline(opts: PlanOptions): Promise<Plan> {
  const session = await openSession(opts);
  try {
    session.ctx.planOnly = true;
    return await planIn(session, opts.now ?? new Date());
  } finally {
    await session.close();
  }
}
