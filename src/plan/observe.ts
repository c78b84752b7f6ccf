import { ensurePrepared } from '../resources/prepare.js';
import { observeTags } from '../resources/tags.js';
import type { Env, Observation, PreparedData, StepContext, StepDefinition } from '../resources/types.js';
import { desireAll } from './desire.js';

/** Everything the plan is decided from, read once: the prepared data and one observation per step. */
export interface Snapshot {
  env: Env;
  prepared: PreparedData;
  observations: Record<string, Observation>;
}

/**
 * The observe phase, where all of planning's I/O happens: prepare the data (a cache keyed by its fingerprint),
 * build the steps it calls for (a batch segment job per chunk of queries), compute the names they would have, and
 * read each step's resource once (in parallel).
 */
export async function observeWorld(
  ctx: StepContext,
  stepsFor: (prepared: PreparedData) => StepDefinition[],
): Promise<{ snapshot: Snapshot; steps: StepDefinition[] }> {
  const prepared = await ensurePrepared(ctx);
  const steps = stepsFor(prepared);
  const desired = desireAll(ctx.spec, ctx.env, prepared, ctx.state.current, steps);
  // Steps that read upstream names while observing (a dataset's ARN from its group's name) see these.
  const observing: StepContext = { ...ctx, prepared, desired: (id) => desired.get(id)! };
  const observations: Record<string, Observation> = {};
  await Promise.all(
    steps.map(async (step) => {
      const want = desired.get(step.id)!;
      const record = ctx.state.step(step.id);
      observations[step.id] = await observeTags(observing, step, want, record, await step.observe(observing, want, record));
    }),
  );
  return { snapshot: { env: ctx.env, prepared, observations }, steps };
}
