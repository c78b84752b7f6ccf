import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { stateOf, type Spec, type StateSpec } from '../spec/types.js';
import type { StateBackend } from '../state/backend.js';
import { LocalStateBackend } from '../state/local-backend.js';
import { S3StateBackend } from '../state/s3-backend.js';
import { DEFAULT_LEASE, type LeaseTiming } from '../state/s3-lock.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { refusal, inputError } from '../util/errors.js';
import { stateFile } from '../util/paths.js';
import type { EngineDeps } from './deps.js';

export interface OpenedBackend {
  backend: StateBackend;
  close(): void;
}

/** The lease of S3 locks: `lockLeaseMs` (tests, trials) or the default; renewed every quarter lease. */
export function leaseTiming(lockLeaseMs: number | undefined): LeaseTiming {
  if (lockLeaseMs === undefined) return DEFAULT_LEASE;
  return { leaseMs: lockLeaseMs, renewEveryMs: Math.max(50, Math.floor(lockLeaseMs / 4)) };
}

/** The default backend: .segflow/state/<name>.json under the working directory. */
export function localBackend(spec: Spec, cwd: string): OpenedBackend {
  return { backend: new LocalStateBackend(stateFile(spec.name, cwd)), close: () => undefined };
}

/**
 * The state backend `state` names (spec.state by default). The S3 backend speaks through an S3Port of its own, for
 * the bucket's region (the target's endpoint for the local target: its emulator).
 */
export async function openStateBackend(
  spec: Spec,
  cwd: string,
  deps: EngineDeps,
  opts: { state?: StateSpec; lockLeaseMs?: number } = {},
): Promise<OpenedBackend> {
  const state = opts.state ?? stateOf(spec);
  if (state.backend === 'local') return localBackend(spec, cwd);
  // Its own clients (the bucket's region, the target's endpoint): the pipeline's call and byte counts stay the pipeline's.
  const own = deps.ports({ ...spec.target, region: state.region }, spec.target.endpoint);
  try {
    const backend = await S3StateBackend.open(own.s3, state.bucket, state.key, { timing: leaseTiming(opts.lockLeaseMs) });
    return { backend, close: () => own.close() };
  } catch (e) {
    own.close();
    throw e;
  }
}

/** `.segflow/state/<name>.location.json`: where this working directory last found the pipeline's state. */
export function locationFile(pipeline: string, cwd: string): string {
  return join(dirname(stateFile(pipeline, cwd)), `${pipeline}.location.json`);
}

export async function readLastLocation(pipeline: string, cwd: string): Promise<StateSpec | undefined> {
  try {
    return JSON.parse(await readFile(locationFile(pipeline, cwd), 'utf8')) as StateSpec;
  } catch {
    return undefined;
  }
}

export async function rememberLocation(pipeline: string, cwd: string, state: StateSpec): Promise<void> {
  const last = await readLastLocation(pipeline, cwd);
  // A pipeline that only ever used the local state needs no record: its file is where it is.
  if ((last && sameLocation(last, state)) || (!last && state.backend === 'local')) return;
  await writeJsonAtomic(locationFile(pipeline, cwd), state);
}

export function sameLocation(a: StateSpec, b: StateSpec): boolean {
  return describeLocation(a) === describeLocation(b);
}

export function describeLocation(s: StateSpec): string {
  return s.backend === 'local' ? 'local (.segflow/state/)' : `s3://${s.bucket}/${s.key}`;
}

/**
 * Where the state of this pipeline is, when not where the spec says: the location this working directory last used
 * (if it still holds a state that was not moved), or, for an s3 backend, the local file it would move from.
 */
export async function previousLocation(spec: Spec, cwd: string, deps: EngineDeps): Promise<StateSpec | undefined> {
  const wanted = stateOf(spec);
  const candidates: StateSpec[] = [];
  const last = await readLastLocation(spec.name, cwd);
  if (last && !sameLocation(last, wanted)) candidates.push(last);
  if (wanted.backend === 's3' && !candidates.some((c) => c.backend === 'local')) candidates.push({ backend: 'local' });
  for (const c of candidates) {
    let opened: OpenedBackend | undefined;
    try {
      opened = await openStateBackend(spec, cwd, deps, { state: c });
      const stored = await opened.backend.read();
      if (stored && !stored.state.movedTo && Object.keys(stored.state.steps).length > 0) return c;
    } catch {
      // A location that cannot be read any more (bucket gone, no access) is not where the state is.
    } finally {
      opened?.close();
    }
  }
  return undefined;
}

/** The refusal when the spec's location is empty and the state is elsewhere: plan, apply and destroy say so. */
export function migrationNeeded(spec: Spec, from: StateSpec): Error {
  return refusal(
    'STATE_MIGRATION_NEEDED',
    `the state of ${spec.name} is at ${describeLocation(from)}, but the spec says ${describeLocation(stateOf(spec))}, which is empty`,
    [`move it (with the lock held): segflow state migrate ${spec.file}`, 'or point spec.state back at where the state is'],
  );
}

/** Opening a state that `state migrate` moved elsewhere. */
export function stateMoved(location: string, movedTo: string, movedAt: string | undefined): Error {
  return inputError('STATE_MOVED', `the state at ${location} was moved to ${movedTo}${movedAt ? ` on ${movedAt}` : ''}`, [
    `set spec.state to ${movedTo}, or move it back: segflow state migrate FILE`,
  ]);
}
