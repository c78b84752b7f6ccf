import { SegflowError } from '../util/errors.js';
import { isAwsError, isConnectionProblem, isRoleAccessProblem } from '../aws/errors.js';
import { awsFailure } from './failures.js';
import { pollUntil, retrying, WaitTimeoutError } from '../util/backoff.js';
import type { DestroyContext, DestroyReport, Observation, StepContext } from './types.js';

/** Personalize status strings -> the phases segflow reasons about. */
export function phaseOf(status: string | undefined): Observation['phase'] {
  const s = (status ?? '').toUpperCase().replace(/_/g, ' ');
  if (s === 'ACTIVE') return 'active';
  if (s.includes('STOPPING')) return 'stopping';
  if (s.includes('FAILED') || s.includes('STOPPED')) return 'failed';
  if (s.startsWith('DELETE')) return 'deleting';
  return 'pending';
}

/**
 * The one mapping from what a port described to what the plan reasons about: absent stays absent; a resource
 * becomes exists + status + phase (+ failure reason and any details the kind keeps).
 */
export function observed(
  info: { arn: string; name?: string; status?: string; failureReason?: string } | undefined,
  details?: Record<string, unknown>,
): Observation {
  if (!info) return { exists: false };
  return {
    exists: true,
    arn: info.arn,
    ...(info.name !== undefined ? { name: info.name } : {}),
    ...(info.status !== undefined ? { status: info.status, phase: phaseOf(info.status) } : {}),
    ...(info.failureReason ? { failureReason: info.failureReason } : {}),
    ...(details ? { details } : {}),
  };
}

/** How long after segflow changed the role or the bucket policy a refusal may still be IAM propagating. */
export const PROPAGATION_WINDOW_MS = 5 * 60_000;

function changedRecently(ctx: StepContext): boolean {
  const now = Date.now();
  return ['role', 'bucket'].some((id) => {
    const at = Date.parse(ctx.state.step(id)?.updatedAt ?? '');
    return Number.isFinite(at) && now - at < PROPAGATION_WINDOW_MS;
  });
}

/**
 * IAM is eventually consistent: a role (or bucket policy) segflow created or changed moments ago may not be usable
 * by Personalize yet, which refuses with "Insufficient privileges ...". Only then is the call retried, with
 * backoff, for a few minutes; the same refusal for a role that has not changed lately is a missing grant, reported
 * at once. Nothing else (a caller's AccessDenied above all) is retried here.
 */
export function withRolePropagation<T>(ctx: StepContext, stepId: string, fn: () => Promise<T>): Promise<T> {
  return retrying(fn, (e) => isRoleAccessProblem(e) && changedRecently(ctx), {
    initialMs: Math.max(ctx.pollInitialMs, 1000),
    maxMs: 20_000,
    maxAttempts: 12,
    signal: ctx.signal,
    onRetry: () => ctx.progress(stepId, { message: 'waiting for the IAM role and bucket policy to propagate' }),
  });
}

/**
 * How long a wait rides out a service it cannot reach: longer than a restarted endpoint or a dropped Wi-Fi, far
 * shorter than the training it waits for (which keeps running on AWS whatever happens to this connection).
 */
export const OUTAGE_GRACE_MS = 2 * 60_000;

/** Polls until active; a failed resource is a run failure naming it and AWS's reason. */
export async function waitActive(ctx: StepContext, stepId: string, label: string, describe: () => Promise<Observation>): Promise<Observation> {
  const started = Date.now();
  let final: Observation;
  try {
    final = await pollUntil(describe, (o) => !o.exists || o.phase === 'active' || o.phase === 'failed', {
      initialMs: ctx.pollInitialMs,
      maxMs: ctx.pollMaxMs,
      signal: ctx.signal,
      timeoutMs: ctx.waitTimeoutMs,
      outage: {
        is: isConnectionProblem,
        forMs: OUTAGE_GRACE_MS,
        onError: (e, downMs) =>
          ctx.progress(stepId, {
            message: `${label}: cannot reach the service (${(e as { code: string }).code}) for ${Math.round(downMs / 1000)}s, asking again`,
          }),
      },
      onPending: (o) => {
        const secs = Math.round((Date.now() - started) / 1000);
        const pct = typeof o.details?.['progress'] === 'number' ? o.details['progress'] : undefined;
        ctx.progress(stepId, { message: `${label} ${o.status ?? 'pending'} (${secs}s)`, ...(pct !== undefined ? { fraction: pct } : {}) });
      },
    });
  } catch (e) {
    // A failed read while waiting (expired credentials on a long training above all) says so, not "timeout".
    if (isAwsError(e)) throw awsFailure(stepId, `waiting for ${label}`, e);
    if (e instanceof WaitTimeoutError) {
      throw new SegflowError('RUN_WAIT_TIMEOUT', `${stepId}: ${label} ${e.message}`, [
        'it keeps running where it is; apply again re-attaches to it (destroy stops it)',
      ]);
    }
    throw e; // cancelled, or a bug: never disguised as a timeout
  }
  if (!final.exists) throw new SegflowError('RUN_RESOURCE_VANISHED', `${stepId}: ${label} disappeared while waiting for it`);
  if (final.phase === 'failed') {
    const reason = shortReason(final.failureReason);
    await ctx.state.patchStep(stepId, { phase: 'failed', error: reason ?? final.status ?? 'failed' });
    throw new SegflowError('RUN_RESOURCE_FAILED', `${stepId}: ${label} ended ${final.status}${reason ? `: ${reason}` : ''}`, [
      'fix the cause and run apply again: the failed attempt is kept (AWS cannot delete it) and a new one is made',
    ]);
  }
  return final;
}

/** AWS failure reasons can be long; the first line, capped, is what a person needs. */
export function shortReason(reason: string | undefined, max = 300): string | undefined {
  if (!reason) return undefined;
  const first = reason.split('\n')[0]!.trim();
  return first.length > max ? `${first.slice(0, max - 3)}...` : first;
}

/** Polls until the resource is gone (deletes are asynchronous in Personalize). */
export async function waitGone(ctx: StepContext, stepId: string, label: string, describe: () => Promise<Observation>): Promise<void> {
  await pollUntil(describe, (o) => !o.exists, {
    initialMs: ctx.pollInitialMs,
    maxMs: ctx.pollMaxMs,
    signal: ctx.signal,
    onPending: (o) => ctx.progress(stepId, { message: `deleting ${label} (${o.status ?? 'pending'})` }),
  });
}

/**
 * Deletes an asynchronous Personalize resource and waits until it is gone: absent is success, a delete already
 * in progress is waited out, and "in use" (something of ours still being deleted above it) is retried.
 */
export async function deleteAndWait(
  ctx: StepContext,
  stepId: string,
  label: string,
  describe: () => Promise<Observation>,
  del: () => Promise<void>,
): Promise<boolean> {
  const seen = await describe();
  if (!seen.exists) return false;
  if (seen.phase !== 'deleting') {
    await retrying(del, (e) => isAwsError(e, 'in-use'), {
      initialMs: Math.max(ctx.pollInitialMs, 500),
      maxMs: ctx.pollMaxMs * 4,
      maxAttempts: 40,
      signal: ctx.signal,
    });
  }
  await waitGone(ctx, stepId, label, describe);
  return true;
}

/**
 * A destroy several steps share (every model's solution step deletes all of the pipeline's solutions): the first
 * step to ask does it and reports it; the others report nothing.
 */
export async function destroyOnce(ctx: DestroyContext, key: string, run: () => Promise<Partial<DestroyReport>>): Promise<Partial<DestroyReport>> {
  let mine = false;
  const report = await ctx.once(key, () => {
    mine = true;
    return run();
  });
  return mine ? report : {};
}
