import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACT_FILES, type PrepareManifest } from '../data/artifacts.js';
import type { Segmentation, Spec } from '../spec/types.js';
import { segflowDir } from '../util/paths.js';
import { objectStoreOf } from './object-store.js';
import type { PreparedData, StepContext, StepDefinition } from './types.js';

/** The spec slices prepare depends on: a change in any of them is named as the reason prepare re-runs. */
export function prepareInputs(spec: Spec): Record<string, unknown> {
  const only = spec.segmentations.length === 1 ? spec.segmentations[0]! : undefined;
  // A file with top-level keys is described with those keys, as before segmentations existed.
  const segmentations = only?.primary
    ? { queries: segmentationQueries(only), segments: only.segments, recipe: only.recipe }
    : {
        segmentations: Object.fromEntries(spec.segmentations.map((s) => [s.name, { recipe: s.recipe, queries: segmentationQueries(s), segments: s.segments }])),
      };
  return { data: spec.data, split: spec.split, ...segmentations };
}

function segmentationQueries(seg: Segmentation): unknown {
  const items = seg.queries.items;
  if (items?.kind !== 'sample') return seg.queries;
  return { ...seg.queries, items: { sample: items.sample, seed: items.seed } };
}

/**
 * Prepares the data (a local cache keyed by its fingerprint, so unchanged inputs cost one hash) and returns what
 * later steps hash into their names. The observe phase calls this: it changes nothing in the cloud, and knowing
 * the prepared files' hashes is what lets the plan say exactly which uploads, imports and jobs will run.
 */
export async function ensurePrepared(ctx: StepContext): Promise<PreparedData> {
  // s3:// sources are read with the command's own S3 port (for the local target: the emulator's S3).
  const objects = objectStoreOf(ctx.aws.s3, ctx.aws.label);
  let cwd = ctx.cwd;
  let fingerprint: { fingerprint: string } | undefined;
  const staging = join(segflowDir(ctx.cwd), 'plan-staging');
  const t0 = Date.now();
  if (ctx.planOnly) {
    // Computed once: prepareData takes it back rather than listing and hashing the sources again.
    fingerprint = await ctx.data.prepareFingerprint(ctx.spec, { cwd: ctx.cwd, objects });
    const current = await readFile(join(ctx.workDir, ARTIFACT_FILES.manifest), 'utf8')
      .then((t) => (JSON.parse(t) as PrepareManifest).fingerprint)
      .catch(() => undefined);
    if (current !== fingerprint.fingerprint) cwd = staging;
  }
  const result = await ctx.data.prepareData(ctx.spec, {
    cwd,
    signal: ctx.signal,
    onProgress: (message) => ctx.progress('prepare', { message }),
    objects,
    // One object cache per working directory: a plan's staging run and the apply after it share downloads.
    cacheDir: join(segflowDir(ctx.cwd), 'cache'),
    ...(fingerprint && { fingerprint }),
    // apply after a plan of changed data: what the plan prepared is moved in rather than prepared a second time.
    ...(!ctx.planOnly && { staged: staging }),
  });
  const manifest = JSON.parse(await readFile(join(result.workDir, ARTIFACT_FILES.manifest), 'utf8')) as PrepareManifest;
  const sources = Object.fromEntries((result.sources ?? []).map((v) => [v.name, 'etag' in v ? `etag ${v.etag}` : `sha256 ${v.sha256.slice(0, 12)}`]));
  return {
    fingerprint: result.fingerprint,
    stats: result.stats,
    manifest,
    workDir: result.workDir,
    sources,
    durationMs: Date.now() - t0,
    ...(result.reusedFrom !== undefined && { reusedFrom: result.reusedFrom }),
  };
}

export function artifactSha(prepared: PreparedData, file: string): string {
  return prepared.manifest.outputs[file]?.sha256 ?? 'missing';
}

/** The prepared data of this command (the observe phase sets it before any step applies). */
export function preparedOf(ctx: StepContext): PreparedData {
  if (!ctx.prepared) throw new Error('the data has not been prepared in this command');
  return ctx.prepared;
}

export const prepareStep: StepDefinition = {
  id: 'prepare',
  kind: 'prepare',
  title: 'prepare data',
  deps: [],
  local: true,
  desired({ spec, prepared }) {
    // Whether prepare re-runs is the data module's fingerprint; the spec slices only explain why.
    return { name: 'prepare', inputs: { ...prepareInputs(spec), sources: prepared.sources }, inputsHash: prepared.fingerprint };
  },
  async observe(_ctx, desired, record) {
    const done = record?.phase === 'done' && record.inputsHash === desired.inputsHash;
    return done ? { exists: true, phase: 'active', status: 'prepared' } : { exists: false };
  },
  async apply(ctx, desired) {
    // The observe phase already prepared the files (see ensurePrepared); recording it is all that is left.
    const p = preparedOf(ctx);
    await ctx.state.setStep('prepare', {
      phase: 'done',
      name: 'prepare',
      inputsHash: desired.inputsHash,
      inputs: desired.inputs,
      outputs: { fingerprint: p.fingerprint, k: p.stats.k, interactions: p.stats.interactions, trainUsers: p.stats.trainUsers, queries: p.stats.queries },
    });
    // The reading happened while planning (or in the `segflow plan` before, whose files were moved in); say so, with
    // that time, rather than "done in 0.0s".
    const how = p.reusedFrom !== undefined ? 'prepared by `segflow plan` and reused' : 'prepared while planning';
    return { note: `${p.stats.trainRows} training rows, ${how}`, ...(p.durationMs !== undefined && { durationMs: p.durationMs }) };
  },
  /** The prepared files are local and cost nothing; --keep-data keeps them and their record. */
  async destroy(ctx) {
    return ctx.keepData ? { keepRecord: true } : {};
  },
};
