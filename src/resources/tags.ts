import type { Tags } from '../aws/ports.js';
import type { Spec } from '../spec/types.js';
import type { StepRecord } from '../state/types.js';
import { awsFailure } from './failures.js';
import type { Desired, Observation, StepContext, StepDefinition } from './types.js';

/**
 * The user's tags (`spec.tags`) follow the spec on the long-lived resources (bucket, role, dataset group, datasets,
 * solution, filter): a changed or added tag is set, and a tag the spec no longer has is removed, but only if
 * segflow set it (the keys it set are recorded in the step's state). Tags anyone else put on a resource are
 * never touched. Jobs and trainings keep the tags they were created with: what they cost is already billed.
 */

/** How a step reads and writes the tags of its resource. */
export interface Tagging {
  read(): Promise<Tags>;
  /** Sets these tags and removes those keys; every other tag stays as it is. `live`: what read() just returned. */
  write(set: Tags, remove: string[], live: Tags): Promise<void>;
}

/** The user's own tags from the spec (segflow's `segflow:*` tags are set at creation and never change). */
export function userTags(spec: Spec): Tags {
  return { ...(spec.tags ?? {}) };
}

export interface TagChanges {
  set: Tags;
  remove: string[];
  /** For the plan: "tags.team: growth -> ads", one per key. */
  reasons: string[];
}

/**
 * What makes the live tags match the spec. `managed` is what segflow set last time (undefined for a record from
 * before segflow kept it: then nothing can be known to be segflow's, and nothing is removed).
 */
export function tagChanges(wanted: Tags, managed: Tags | undefined, live: Tags): TagChanges {
  const set: Tags = {};
  const remove: string[] = [];
  const reasons: string[] = [];
  for (const [k, v] of Object.entries(wanted).sort(([a], [b]) => a.localeCompare(b))) {
    if (Object.hasOwn(live, k) && live[k] === v) continue;
    set[k] = v;
    const was = Object.hasOwn(live, k) ? live[k] : undefined;
    const byHand = managed && Object.hasOwn(managed, k) && managed[k] !== was ? ' (changed out of band)' : '';
    reasons.push(`tags.${k}: ${was === undefined ? '(none)' : was}${byHand} -> ${v}`);
  }
  for (const k of Object.keys(managed ?? {}).sort()) {
    if (Object.hasOwn(wanted, k) || !Object.hasOwn(live, k)) continue;
    remove.push(k);
    reasons.push(`tags.${k}: ${live[k]} -> (removed)`);
  }
  return { set, remove, reasons };
}

function isEmpty(tags: Tags | undefined): boolean {
  return !tags || Object.keys(tags).length === 0;
}

/** Whether there is anything to compare: with no user tags now or before, no read is spent on tags. */
function tagsInPlay(spec: Spec, record: StepRecord | undefined): boolean {
  return !isEmpty(userTags(spec)) || !isEmpty(record?.tags);
}

/**
 * The plan's part: for a resource the state knows and that is otherwise up to date, the tag changes to make in
 * place, as the observation's `updates`. One read of the tags, only when the spec or the record has user tags.
 */
export async function observeTags(
  ctx: StepContext,
  step: StepDefinition,
  desired: Desired,
  record: StepRecord | undefined,
  observation: Observation,
): Promise<Observation> {
  if (!step.tagging || !observation.exists || !observation.arn || observation.phase !== 'active') return observation;
  if (record?.phase !== 'done' || !tagsInPlay(ctx.spec, record)) return observation;
  const tagging = step.tagging(ctx, desired, observation.arn, record);
  if (!tagging) return observation;
  const { reasons } = tagChanges(userTags(ctx.spec), record.tags, observation.tags ?? (await tagging.read()));
  return reasons.length ? { ...observation, updates: [...(observation.updates ?? []), ...reasons] } : observation;
}

/**
 * Apply's part, after the step made its resource exist: set and remove what the spec asks, then record the keys
 * segflow now manages (a new record of the step keeps the ones it had: StateStore.setStep). `created`: the step has
 * just created the resource, with the spec's tags, so there is nothing to read or change.
 */
export async function syncTags(ctx: StepContext, step: StepDefinition, created: boolean): Promise<void> {
  if (!step.tagging) return;
  const record = ctx.state.step(step.id);
  // With no user tags now or before there is nothing to read, write or record.
  if (!record?.arn || !tagsInPlay(ctx.spec, record)) return;
  const wanted = userTags(ctx.spec);
  if (created) {
    await ctx.state.patchStep(step.id, { tags: wanted });
    return;
  }
  const tagging = step.tagging(ctx, ctx.desired(step.id), record.arn, record);
  if (!tagging) return;
  try {
    const live = await tagging.read();
    const { set, remove } = tagChanges(wanted, record.tags, live);
    if (Object.keys(set).length > 0 || remove.length > 0) await tagging.write(set, remove, live);
  } catch (e) {
    throw awsFailure(step.id, `tagging ${record.name ?? record.arn}`, e);
  }
  await ctx.state.patchStep(step.id, { tags: wanted });
}

/** Tagging for a Personalize resource by its ARN. */
export function personalizeTagging(ctx: StepContext, arn: string): Tagging {
  const p = ctx.aws.personalize;
  return {
    read: () => p.listTagsForResource(arn),
    async write(set, remove) {
      if (Object.keys(set).length > 0) await p.tagResource(arn, set);
      if (remove.length > 0) await p.untagResource(arn, remove);
    },
  };
}
