import { shortHash } from '../util/hash.js';
import type { Spec } from '../spec/types.js';
import type { Env } from './types.js';

/**
 * Deterministic names: long-lived resources are `<spec name>-<role>`; jobs and training add a short content hash
 * of everything they depend on, so the same inputs always map to the same name (and a crash between "create"
 * and "record" is repaired by reading the name back). Personalize names allow 1-63 chars of [a-zA-Z0-9-_].
 */
export const TAG_PIPELINE = 'segflow:pipeline';
export const TAG_STEP = 'segflow:step';
export const TAG_INPUTS = 'segflow:inputs';

export function longLivedName(spec: Spec, role: string): string {
  return clamp(`${spec.name}-${role}`);
}

export function jobName(spec: Spec, role: string, inputsHash: string, attempt = 1): string {
  const suffix = attempt > 1 ? `-${attempt}` : '';
  return clamp(`${spec.name}-${role}-${inputsHash.slice(0, 8)}${suffix}`);
}

/** Attempt numbers a job name pattern covers (`-2` .. `-99`): a job failing a hundredth time needs a person anyway. */
const ATTEMPT_PATTERNS = ['', '-?', '-??'];

/**
 * IAM resource patterns for every name jobName gives a role of this pipeline: the hash and the attempt matched one
 * character per `?`, so the patterns cover no name of another pipeline (see ci-policy.ts).
 */
export function jobNamePatterns(spec: Spec, role: string): string[] {
  return ATTEMPT_PATTERNS.map((attempt) => `${spec.name}-${role}-${'?'.repeat(8)}${attempt}`);
}

export function inputsHashOf(inputs: Record<string, unknown>): string {
  return shortHash(inputs, 16);
}

function clamp(name: string): string {
  if (name.length > 63) throw new Error(`resource name too long: ${name}`);
  return name;
}

/** Tags on everything taggable: the user's tags from the spec, then the pipeline and the step. */
export function tagsFor(spec: Spec, step: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...spec.tags, [TAG_PIPELINE]: spec.name, [TAG_STEP]: step, ...extra };
}

export function personalizeArn(env: Env, type: string, id: string): string {
  return `arn:${env.partition}:personalize:${env.region}:${env.account}:${type}/${id}`;
}

export function bucketArn(env: Env, bucket: string): string {
  return `arn:${env.partition}:s3:::${bucket}`;
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** The storage prefix, normalised to '' or 'something/'. */
export function prefixOf(spec: Spec): string {
  const p = spec.storage.prefix.replace(/^\/+/, '');
  return p === '' || p.endsWith('/') ? p : `${p}/`;
}
