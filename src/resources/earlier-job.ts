import type { StepRecord } from '../state/types.js';
import type { Observation } from './types.js';

/**
 * A job found by this step's name that is not this run's (jobs can never be deleted: after a destroy, an old
 * import or segment job keeps its name while what it was made from is gone). With a record of the step, the
 * state knew it: that is drift, and the plan says "drifted: why". Without one (a first run, or after destroy) there
 * is nothing of this state's to drift: the step is simply absent, a plain run under the next free name, and the old
 * job is a note.
 */
export function earlierJob(seen: Observation, why: string, name: string, record: StepRecord | undefined): Observation {
  if (record) return { ...seen, drift: [why] };
  return { exists: false, notes: [`${name} is an earlier run's job (${why}); jobs cannot be deleted, so this run's takes the next name`] };
}
