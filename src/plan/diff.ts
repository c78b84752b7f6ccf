import type { Desired, Observation } from '../resources/types.js';
import type { StepRecord } from '../state/types.js';
import type { Action } from './types.js';
import { shortReason } from '../resources/lifecycle.js';

const HASHY = /^[0-9a-f]{16,64}$/;

function show(v: unknown): string {
  if (typeof v === 'string') return HASHY.test(v) ? v.slice(0, 8) : v;
  if (v === undefined) return '(none)';
  const s = JSON.stringify(v) ?? typeof v; // JSON.stringify gives undefined only for a function or a symbol
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Field-by-field differences between two input objects, as "path: old -> new" (nested objects are walked, so a
 * changed minInteractionsPerUser reads `data.interactions.minInteractionsPerUser: 4 -> 5`).
 */
export function diffInputs(before: unknown, after: unknown, path = ''): string[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    const own = (o: Record<string, unknown>, k: string) => (Object.hasOwn(o, k) ? o[k] : undefined);
    return keys.flatMap((k) => diffInputs(own(before, k), own(after, k), path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [`${path || '(inputs)'}: ${show(before)} -> ${show(after)}`];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface DecideInput {
  kind: 'local' | 'job' | 'resource';
  desired: Desired;
  record: StepRecord | undefined;
  observation: Observation;
  /** Dependencies whose own action is a change. */
  changingDeps: string[];
  /** Dependencies the step is made from that are being made anew (see StepDefinition.invalidatedBy). */
  renewedDeps?: string[];
}

/** The pure heart of plan: what to do with one step and why. */
export function decide(input: DecideInput): { action: Action; reasons: string[] } {
  const decision = decideAlone(input);
  const renewed = input.renewedDeps ?? [];
  // A job or local result made from something that is being made anew is obsolete, whatever its inputs say.
  if (input.kind !== 'resource' && renewed.length > 0 && (decision.action === 'noop' || decision.action === 'adopt')) {
    return { action: 'run', reasons: renewed.map((d) => `after ${d} (made anew: what was made from the old one is obsolete)`) };
  }
  return decision;
}

function decideAlone({ kind, desired, record, observation: o, changingDeps }: DecideInput): { action: Action; reasons: string[] } {
  const upstream = changingDeps.map((d) => `after ${d}`);
  const changed = (): string[] => {
    if (!record || !record.inputs) return [];
    return diffInputs(record.inputs, desired.inputs);
  };

  if (kind === 'local') {
    if (o.exists) return { action: 'noop', reasons: [] };
    if (o.drift?.length) return { action: 'run', reasons: o.drift.map((d) => `drifted: ${d}`) };
    if (!record) return { action: 'run', reasons: ['never run'] };
    if (record.inputsHash === desired.inputsHash)
      return { action: 'run', reasons: [record.phase === 'done' ? 'output missing' : 'did not finish', ...upstream] };
    const fields = changed();
    return { action: 'run', reasons: fields.length ? [...fields, ...upstream] : upstream.length ? upstream : ['inputs changed'] };
  }

  if (o.exists) {
    if (o.phase === 'pending') return { action: 'wait', reasons: [`in progress (${o.status ?? 'pending'})`] };
    if (o.phase === 'stopping')
      return { action: 'run', reasons: [`the previous attempt is being stopped (${o.status}): a new one starts once it has stopped`] };
    if (o.phase === 'deleting') return { action: kind === 'job' ? 'run' : 'create', reasons: [`being deleted (${o.status})`] };
    if (o.phase === 'failed') {
      const why = shortReason(o.failureReason);
      return { action: kind === 'job' ? 'run' : 'replace', reasons: [`previous attempt ${o.status}${why ? `: ${why}` : ''}`] };
    }
    if (o.drift?.length) return { action: kind === 'job' ? 'run' : o.updatable ? 'update' : 'replace', reasons: o.drift.map((d) => `drifted: ${d}`) };
    const known = record && record.phase === 'done' && record.inputsHash === desired.inputsHash && (!record.arn || !o.arn || record.arn === o.arn);
    const interrupted = record?.phase === 'intent' || record?.phase === 'created';
    if (!known) return { action: 'adopt', reasons: [interrupted ? 'created by an interrupted run' : 'exists but is not in the state'] };
    if (kind === 'resource' && o.updates?.length) return { action: 'update', reasons: o.updates };
    return { action: 'noop', reasons: [] };
  }

  // Absent.
  if (record && record.phase === 'done' && record.inputsHash === desired.inputsHash) {
    return { action: kind === 'job' ? 'run' : 'create', reasons: [`drifted: ${record.name ?? desired.name} was deleted out of band`] };
  }
  const fields = record && record.inputsHash !== desired.inputsHash ? changed() : [];
  const reasons = [...fields, ...upstream];
  return { action: kind === 'job' ? 'run' : 'create', reasons: reasons.length ? reasons : ['absent'] };
}
