import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { isNotFound } from '../aws/errors.js';
import { ARTIFACT_FILES } from '../data/artifacts.js';
import { inputsHashOf, prefixOf } from './naming.js';
import { artifactSha, preparedOf } from './prepare.js';
import { awsFailure } from './lifecycle.js';
import type { StepContext, StepDefinition } from './types.js';

/** Object keys under the pipeline's prefix: inputs apart from the output folder the role may write. */
export function objectKeys(ctx: Pick<StepContext, 'spec'>): Record<string, string> {
  const p = prefixOf(ctx.spec);
  const keys: Record<string, string> = {
    [ARTIFACT_FILES.interactions]: `${p}input/${ARTIFACT_FILES.interactions}`,
    [ARTIFACT_FILES.batchInput]: `${p}batch/${ARTIFACT_FILES.batchInput}`,
  };
  if (ctx.spec.data.items) keys[ARTIFACT_FILES.items] = `${p}input/${ARTIFACT_FILES.items}`;
  return keys;
}

const MULTIPART_THRESHOLD = 64 * 1024 * 1024;

/**
 * Uploads the prepared files. An object whose sha256 (kept in the state and as object metadata) matches the
 * local file is skipped, so a second apply sends 0 bytes.
 */
export const uploadStep: StepDefinition = {
  id: 'upload',
  kind: 'upload',
  title: 'upload data',
  deps: ['prepare', 'bucket'],
  desired(ctx) {
    const files: Record<string, string> = {};
    for (const [file, key] of Object.entries(objectKeys(ctx))) files[key] = artifactSha(ctx, file) ?? 'missing';
    const inputs = { bucket: ctx.spec.storage.bucket, files };
    return { name: `s3://${ctx.spec.storage.bucket}/${prefixOf(ctx.spec)}`, inputs, inputsHash: inputsHashOf(inputs) };
  },
  async read(ctx, desired, record) {
    const recorded = (record?.outputs?.['files'] ?? {}) as Record<string, string>;
    const want = desired.inputs['files'] as Record<string, string>;
    const stale = Object.keys(want).filter((k) => recorded[k] !== want[k]);
    if (stale.length > 0) return { exists: false, details: { stale } };
    // Recorded as uploaded: one HEAD per object to notice objects deleted out of band.
    const missing: string[] = [];
    for (const Key of Object.keys(want)) {
      try {
        await ctx.aws.s3.send(new HeadObjectCommand({ Bucket: ctx.spec.storage.bucket, Key }));
      } catch (e) {
        if (isNotFound(e)) missing.push(Key);
        else throw e;
      }
    }
    if (missing.length > 0) return { exists: false, drift: missing.map((k) => `s3://${ctx.spec.storage.bucket}/${k} deleted`) };
    return { exists: true, phase: 'active', status: 'uploaded' };
  },
  async apply(ctx, desired, record) {
    const { aws, spec } = ctx;
    const Bucket = spec.storage.bucket;
    const recorded = { ...((record?.outputs?.['files'] ?? {}) as Record<string, string>) };
    const want = desired.inputs['files'] as Record<string, string>;
    const { workDir } = preparedOf(ctx);
    let bytes = 0;
    for (const [file, Key] of Object.entries(objectKeys(ctx))) {
      const sha256 = want[Key]!;
      if (recorded[Key] === sha256 && (await headSha(ctx, Bucket, Key)) !== 'absent') continue;
      const path = join(workDir, file);
      const size = (await stat(path)).size;
      ctx.progress('upload', { message: `uploading ${file} (${(size / 1e6).toFixed(1)} MB)` });
      try {
        if (size < MULTIPART_THRESHOLD) {
          const { readFile } = await import('node:fs/promises');
          await aws.s3.send(new PutObjectCommand({ Bucket, Key, Body: await readFile(path), Metadata: { sha256 } }));
        } else {
          await new Upload({ client: aws.s3, params: { Bucket, Key, Body: createReadStream(path), Metadata: { sha256 } }, partSize: 16 * 1024 * 1024 }).done();
        }
      } catch (e) {
        throw awsFailure('upload', `uploading ${file} to s3://${Bucket}/${Key}`, e);
      }
      bytes += size;
      aws.calls.bytesUploaded += size;
      recorded[Key] = sha256;
      // Record each object as soon as it is there: a crash mid-way re-sends only what is missing.
      await ctx.state.setStep('upload', { phase: 'created', name: desired.name, inputsHash: desired.inputsHash, inputs: desired.inputs, outputs: { files: recorded } });
    }
    await ctx.state.setStep('upload', { phase: 'done', name: desired.name, inputsHash: desired.inputsHash, inputs: desired.inputs, outputs: { files: recorded } });
    return { bytesUploaded: bytes, note: bytes === 0 ? 'all objects up to date' : `${(bytes / 1e6).toFixed(1)} MB sent` };
  },
  async destroy(ctx, record) {
    for (const Key of Object.keys((record.outputs?.['files'] ?? {}) as Record<string, string>)) {
      try {
        await ctx.aws.s3.send(new DeleteObjectCommand({ Bucket: ctx.spec.storage.bucket, Key }));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  },
};

async function headSha(ctx: StepContext, Bucket: string, Key: string): Promise<string> {
  try {
    const h = await ctx.aws.s3.send(new HeadObjectCommand({ Bucket, Key }));
    return h.Metadata?.['sha256'] ?? 'unknown';
  } catch (e) {
    if (isNotFound(e)) return 'absent';
    throw e;
  }
}
