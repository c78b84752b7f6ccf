import { isAwsError, isRoleAccessProblem } from '../aws/errors.js';
import { awsFailure, roleAccessHints } from './failures.js';
import { deleteAndWait, waitActive, withRolePropagation } from './lifecycle.js';
import { tagsFor } from './naming.js';
import type { Desired, Observation, StepContext } from './types.js';

/**
 * What one resource kind brings to `createOrAdopt`: its own reads, writes and names. The order of the calls, the
 * write-ahead records and the wait are the same for every kind, and live in `createOrAdopt` alone.
 */
export interface ResourceParts {
  /** Its ARN, from its deterministic name; omitted when AWS names it (a solution version): the one found or made. */
  arn?: string | undefined;
  /** A job's attempt, recorded beside its name so that the next apply starts from it. */
  attempt?: number | undefined;
  /** Reads it (absent is a value): the kind's describe function. */
  describe: (ctx: StepContext, arn: string) => Promise<Observation>;
  /**
   * Creates it under `name` with `tags` (what segflow sets on everything it creates: the spec's tags and the
   * ownership tags that let a later run, or destroy, tell it is this pipeline's); resolves to its ARN when AWS
   * answers one.
   */
  create(as: { name: string; tags: Record<string, string> }): Promise<string | undefined>;
  /** Given when the live one cannot become what is wanted (AWS cannot update it): deleted, then created anew. */
  replace?: { remove(): Promise<void>; message?: string } | undefined;
  /**
   * Throws PLAN_FOREIGN_RESOURCE unless the resource holding the name is this pipeline's: for a create that found
   * the name taken after the read (the read's own finding is the kind's to check, before it decides anything).
   */
  whenNameTaken?(): Promise<void>;
  /** Finds what a create made when AWS answered no ARN. */
  locate?(): Promise<string>;
  /** What counts as done: ACTIVE, waited for (the default), or merely existing (a schema has no status). */
  doneWhen?: 'active' | 'exists';
  /** What progress and failures call it while waiting (default: its name). */
  label?: string;
  /** What the step's record keeps once done, from the last read (a job's output, a training's hours). */
  outputs?(final: Observation): Record<string, unknown>;
}

/**
 * The one way a Personalize resource becomes step `stepId`'s: adopt the one its name already holds, or create it
 * (write-ahead: the intent is on disk before the call, the ARN right after), then wait until it is done and mark
 * the record done. `desired` carries the name acted on (a job: its attempt's), `seen` the step's own read right
 * before acting (apply never acts on what the plan read). Returns what the engine reports of the step.
 */
export async function createOrAdopt(
  ctx: StepContext,
  stepId: string,
  desired: Desired,
  seen: Observation,
  parts: ResourceParts,
): Promise<{ arn: string; adopted: boolean }> {
  const { attempt } = parts;
  const current = await withoutReplaced(ctx, stepId, desired, seen, parts);
  let arn = parts.arn ?? current.arn;
  let adopted = current.exists;
  if (!current.exists) {
    const made = await createRecorded(ctx, stepId, desired, () => parts.create({ name: desired.name, tags: tagsFor(ctx.spec, stepId) }), attempt);
    adopted = made.adopted;
    if (adopted) await parts.whenNameTaken?.();
    arn ??= made.arn ?? (await parts.locate?.());
  } else if (parts.doneWhen !== 'exists') {
    // Recorded before the wait: a run killed while waiting re-attaches to it instead of creating another.
    await recordExisting(ctx, stepId, desired, arn, attempt);
  }
  // A bug, not a run failure: every kind either knows its ARN from the name or locates what it made.
  if (!arn) throw new Error(`${stepId}: no ARN for ${desired.name}`);
  if (parts.doneWhen === 'exists') {
    // Nothing to wait for, so nothing to record before: one record, done.
    await ctx.state.setStep(stepId, { phase: 'done', name: desired.name, arn, inputsHash: desired.inputsHash, inputs: desired.inputs });
    return { arn, adopted };
  }
  const live = arn;
  const final = await waitActive(ctx, stepId, parts.label ?? desired.name, () => parts.describe(ctx, live));
  await ctx.state.patchStep(stepId, { phase: 'done', arn, ...(parts.outputs ? { outputs: parts.outputs(final) } : {}) });
  return { arn, adopted };
}

/** Deletes a live resource that must be replaced, waiting until it is gone; what is left to act on is then absence. */
async function withoutReplaced(
  ctx: StepContext,
  stepId: string,
  desired: Desired,
  seen: Observation,
  { arn, describe, replace }: ResourceParts,
): Promise<Observation> {
  if (!seen.exists || !replace) return seen;
  if (replace.message) ctx.progress(stepId, { message: replace.message });
  const live = arn ?? seen.arn!;
  await deleteAndWait(
    ctx,
    stepId,
    desired.name,
    () => describe(ctx, live),
    () => replace.remove(),
  );
  return { exists: false };
}

/**
 * Write-ahead create: the intent (name + inputs hash) is on disk before the call, the ARN right after.
 * A name that already exists (a crash after the call, before the record) is adopted, not an error.
 */
async function createRecorded(
  ctx: StepContext,
  stepId: string,
  desired: Desired,
  create: () => Promise<string | undefined>,
  attempt?: number,
): Promise<{ arn: string | undefined; adopted: boolean }> {
  await ctx.state.setStep(stepId, {
    phase: 'intent',
    name: desired.name,
    inputsHash: desired.inputsHash,
    inputs: desired.inputs,
    ...(attempt ? { attempt } : {}),
  });
  let arn: string | undefined;
  let adopted = false;
  try {
    arn = await withRolePropagation(ctx, stepId, create);
  } catch (e) {
    if (!isAwsError(e, 'already-exists')) throw awsFailure(stepId, `creating ${desired.name}`, e, isRoleAccessProblem(e) ? roleAccessHints(ctx) : []);
    adopted = true;
  }
  await ctx.state.patchStep(stepId, { phase: 'created', ...(arn ? { arn } : {}) });
  return { arn, adopted };
}

/** Records an existing resource as this step's (adopted or re-attached), before waiting for it. */
async function recordExisting(ctx: StepContext, stepId: string, desired: Desired, arn: string | undefined, attempt?: number): Promise<void> {
  await ctx.state.setStep(stepId, {
    phase: 'created',
    name: desired.name,
    ...(arn ? { arn } : {}),
    inputsHash: desired.inputsHash,
    inputs: desired.inputs,
    ...(attempt ? { attempt } : {}),
  });
}
