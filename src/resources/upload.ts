import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { ARTIFACT_FILES } from '../data/artifacts.js';
import type { Spec } from '../spec/types.js';
import { inputsHashOf, prefixOf } from './naming.js';
import { artifactSha, preparedOf } from './prepare.js';
import { awsFailure } from './failures.js';
import { batchFiles, batchObjectKey } from './layout.js';
import type { PreparedData, StepDefinition } from './types.js';

/**
 * Object keys under the pipeline's prefix, by prepared file: the datasets under input/, every segmentation's batch
 * input files under batch/ (known from the prepared data), apart from the output folder the role may write.
 */
export function objectKeys(spec: Spec, prepared?: PreparedData): Record<string, string> {
  const p = prefixOf(spec);
  const keys: Record<string, string> = { [ARTIFACT_FILES.interactions]: `${p}input/${ARTIFACT_FILES.interactions}` };
  const batch = prepared ? batchFiles(spec, prepared) : [ARTIFACT_FILES.batchInput];
  // The primary segmentation's first chunk keeps its key of old (batch/batch-input.jsonl): an upgrade uploads nothing.
  for (const file of batch) keys[file] = batchObjectKey(spec, file);
  if (spec.data.items) keys[ARTIFACT_FILES.items] = `${p}input/${ARTIFACT_FILES.items}`;
  if (spec.data.users) keys[ARTIFACT_FILES.users] = `${p}input/${ARTIFACT_FILES.users}`;
  return keys;
}

/**
 * Uploads the prepared files. An object whose sha256 (kept in the state and as object metadata) matches the
 * local file is skipped, so a second apply sends 0 bytes.
 */
export const uploadStep: StepDefinition = {
  id: 'upload',
  kind: 'upload',
  title: 'upload data',
  deps: ['prepare', 'bucket'],
  invalidatedBy: ['bucket'],
  rerunnable: true,
  desired({ spec, prepared }) {
    const files: Record<string, string> = {};
    for (const [file, key] of Object.entries(objectKeys(spec, prepared))) files[key] = artifactSha(prepared, file);
    const inputs = { bucket: spec.storage.bucket, files };
    return { name: `s3://${spec.storage.bucket}/${prefixOf(spec)}`, inputs, inputsHash: inputsHashOf(inputs) };
  },
  async observe(ctx, desired, record) {
    const recorded = (record?.outputs?.['files'] ?? {}) as Record<string, string>;
    const want = desired.inputs['files'] as Record<string, string>;
    const stale = Object.keys(want).filter((k) => recorded[k] !== want[k]);
    if (stale.length > 0) return { exists: false, details: { stale } };
    // Recorded as uploaded: one HEAD per object to notice objects deleted out of band.
    const missing: string[] = [];
    for (const key of Object.keys(want)) {
      if (!(await ctx.aws.s3.headObject(ctx.spec.storage.bucket, key))) missing.push(key);
    }
    if (missing.length > 0) return { exists: false, drift: missing.map((k) => `s3://${ctx.spec.storage.bucket}/${k} deleted`) };
    return { exists: true, phase: 'active', status: 'uploaded' };
  },
  async apply(ctx, desired, record) {
    const { aws, spec } = ctx;
    const bucket = spec.storage.bucket;
    const recorded = { ...((record?.outputs?.['files'] ?? {}) as Record<string, string>) };
    const want = desired.inputs['files'] as Record<string, string>;
    const { workDir } = preparedOf(ctx);
    let bytes = 0;
    const save = (phase: 'created' | 'done') =>
      ctx.state.setStep('upload', { phase, name: desired.name, inputsHash: desired.inputsHash, inputs: desired.inputs, outputs: { files: recorded } });
    for (const [file, key] of Object.entries(objectKeys(spec, ctx.prepared))) {
      const sha256 = want[key]!;
      if (recorded[key] === sha256 && (await aws.s3.headObject(bucket, key))) continue;
      const path = join(workDir, file);
      ctx.progress('upload', { message: `uploading ${file} (${((await stat(path)).size / 1e6).toFixed(1)} MB)` });
      try {
        bytes += (await aws.s3.putObject(bucket, key, { file: path }, { metadata: { sha256 } })).bytes;
      } catch (e) {
        throw awsFailure('upload', `uploading ${file} to s3://${bucket}/${key}`, e);
      }
      recorded[key] = sha256;
      // Record each object as soon as it is there: a crash mid-way re-sends only what is missing.
      await save('created');
    }
    await save('done');
    return { bytesUploaded: bytes, note: bytes === 0 ? 'all objects up to date' : `${(bytes / 1e6).toFixed(1)} MB sent` };
  },
  /** The uploaded objects go with the bucket step's clean-up (every version, segflow's keys only). */
  async destroy(ctx) {
    return ctx.keepData ? { keepRecord: true } : {};
  },
};
