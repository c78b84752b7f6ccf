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

/** The attempt a job step is at: the recorded one while its inputs stay the same, else the first. */
export function attemptOf(record: StepRecord | undefined, inputsHash: string): number {
  return record?.inputsHash === inputsHash ? (record.attempt ?? 1) : 1;
}

/**
 * Jobs can be neither deleted nor renamed, so an attempt that failed, or whose job is not this run's (`passOver`
 * says why, in the kind's own terms), holds its name forever: the step moves on to the next attempt's name until
 * one is free or holds a job to adopt.
 */
export async function usableAttempt(
  from: { attempt: number; name: string },
  kind: {
    nameOf(attempt: number): string;
    read(name: string): Promise<Observation>;
    passOver(seen: Observation, name: string): Promise<string | undefined>;
  },
): Promise<{ attempt: number; name: string; seen: Observation }> {
  let { attempt, name } = from;
  let seen = await kind.read(name);
  while (seen.exists && (seen.phase === 'failed' || (await kind.passOver(seen, name)))) {
    attempt += 1;
    name = kind.nameOf(attempt);
    seen = await kind.read(name);
  }
  return { attempt, name, seen };
}
