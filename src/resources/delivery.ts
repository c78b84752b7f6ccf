import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACT_FILES, type ChangeSummary, type RunInfo } from '../data/artifacts.js';
import type { Segmentation, Spec } from '../spec/types.js';
import { tempPathFor } from '../util/atomic-write.js';
import { SegflowError } from '../util/errors.js';
import { awsFailure } from './failures.js';
import { prefixOf, s3Uri } from './naming.js';
import type { Desired, StepContext } from './types.js';

/**
 * Delivery: where marketing tools and Glue crawlers find a segmentation's segments.
 *   s3://<bucket>/<prefix>segments/<segmentation>/runs/<run-id>/segments.csv   every run, kept (storage.keepRuns)
 *   s3://<bucket>/<prefix>segments/<segmentation>/latest/segments.csv           the latest run, a stable key
 * changes.csv (query,entered,stayed,left) sits beside each segments.csv once there is a previous run. Every key
 * written is recorded in the state before it is written (outputs.objects), so destroy removes exactly these.
 */
export function deliveryPrefix(spec: Spec, seg: Pick<Segmentation, 'name'>): string {
  return `${prefixOf(spec)}segments/${seg.name}/`;
}

export interface Delivered {
  runUri: string;
  latestUri: string;
  changes?: ChangeSummary;
  /** What the download step's record keeps: the runs delivered and every object key written for them. */
  outputs: { previousRunId?: string; runs: string[]; objects: string[] };
}

interface DeliverInput {
  stepId: string;
  seg: Segmentation;
  /** The segmentation's local directory (segments/, run-info.json, segments.csv). */
  segDir: string;
  runId: string;
  previousRunId: string | undefined;
  segmentFiles: string[];
  desired: Desired;
}

/** The run the last delivery of this step made (or, resuming a failed one, the run before it). */
export async function readPreviousRunId(ctx: StepContext, stepId: string, segDir: string): Promise<string | undefined> {
  const record = ctx.state.step(stepId);
  const o = record?.outputs ?? {};
  if (record?.phase !== 'done') return typeof o['previousRunId'] === 'string' ? o['previousRunId'] : undefined;
  if (typeof o['runId'] === 'string') return o['runId'];
  // A run made before delivery existed: its id is in run-info.json.
  return readLocalRunId(segDir);
}

async function readLocalRunId(segDir: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(segDir, ARTIFACT_FILES.runInfo), 'utf8')) as RunInfo).runId;
  } catch {
    return undefined;
  }
}

export async function deliver(ctx: StepContext, d: DeliverInput): Promise<Delivered> {
  const bucket = ctx.spec.storage.bucket;
  const base = deliveryPrefix(ctx.spec, d.seg);
  const record = ctx.state.step(d.stepId)?.outputs ?? {};
  const runs = ((record['runs'] as string[] | undefined) ?? []).filter((r) => r !== d.runId);
  const objects = new Set((record['objects'] as string[] | undefined) ?? []);
  const segmentsCsv = join(d.segDir, ARTIFACT_FILES.segmentsCsv);
  const changesCsv = join(d.segDir, ARTIFACT_FILES.changesCsv);

  // The previous run's segments: the local copy when it is that run's, else its delivered copy in S3.
  const previous = d.previousRunId ? await previousSegments(ctx, d, base, segmentsCsv) : undefined;
  const fresh = tempPathFor(segmentsCsv);
  try {
    await ctx.evaluation.writeSegmentsCsv(d.segDir, d.segmentFiles, fresh);
    let changes: ChangeSummary | undefined;
    if (previous && d.previousRunId) {
      changes = { previousRunId: d.previousRunId, ...(await ctx.evaluation.compareSegments(previous.path, fresh, changesCsv)) };
    } else {
      await rm(changesCsv, { force: true });
    }
    await rename(fresh, segmentsCsv);
    const files = [ARTIFACT_FILES.segmentsCsv, ...(changes ? [ARTIFACT_FILES.changesCsv] : [])];
    const keys = files.flatMap((f) => [`${base}runs/${d.runId}/${f}`, `${base}latest/${f}`]);
    // Write-ahead: the keys are the pipeline's before they exist, so a crash mid-upload leaves nothing destroy misses.
    for (const k of keys) objects.add(k);
    const outputs = { ...(d.previousRunId ? { previousRunId: d.previousRunId } : {}), runs: [...runs, d.runId], objects: [...objects] };
    await ctx.state.setStep(d.stepId, {
      phase: 'created',
      name: d.desired.name,
      inputsHash: d.desired.inputsHash,
      inputs: d.desired.inputs,
      outputs: { runId: d.runId, ...outputs },
    });
    for (const f of files) {
      ctx.progress(d.stepId, { message: `delivering ${f} (${((await stat(join(d.segDir, f))).size / 1e6).toFixed(1)} MB) to s3://${bucket}/${base}` });
      await put(ctx, d.stepId, bucket, `${base}runs/${d.runId}/${f}`, join(d.segDir, f), d.runId);
      // latest/ is a server-side copy of the run's object: the same bytes, never uploaded twice.
      await copy(ctx, d.stepId, bucket, `${base}runs/${d.runId}/${f}`, `${base}latest/${f}`);
    }
    if (!changes) await removeObject(ctx, d.stepId, bucket, `${base}latest/${ARTIFACT_FILES.changesCsv}`, objects);
    const kept = await pruneRuns(ctx, d.stepId, bucket, base, outputs.runs, objects);
    return {
      runUri: s3Uri(bucket, `${base}runs/${d.runId}/${ARTIFACT_FILES.segmentsCsv}`),
      latestUri: s3Uri(bucket, `${base}latest/${ARTIFACT_FILES.segmentsCsv}`),
      ...(changes ? { changes } : {}),
      outputs: { ...outputs, runs: kept, objects: [...objects] },
    };
  } finally {
    await rm(fresh, { force: true });
    if (previous?.temporary) await rm(previous.path, { force: true });
  }
}

async function previousSegments(ctx: StepContext, d: DeliverInput, base: string, local: string): Promise<{ path: string; temporary: boolean } | undefined> {
  const localRun = await readLocalRunId(d.segDir);
  if (localRun === d.previousRunId && (await stat(local).catch(() => undefined))) return { path: local, temporary: false };
  const key = `${base}runs/${d.previousRunId}/${ARTIFACT_FILES.segmentsCsv}`;
  const path = tempPathFor(local);
  try {
    const found = await ctx.aws.s3.downloadObject(ctx.spec.storage.bucket, key, path);
    return found ? { path, temporary: true } : undefined;
  } catch (e) {
    throw awsFailure(d.stepId, `downloading the previous run's segments s3://${ctx.spec.storage.bucket}/${key}`, e);
  }
}

async function put(ctx: StepContext, stepId: string, bucket: string, key: string, file: string, runId: string): Promise<void> {
  try {
    await ctx.aws.s3.putObject(bucket, key, { file }, { contentType: 'text/csv', metadata: { 'segflow-run': runId } });
  } catch (e) {
    throw awsFailure(stepId, `delivering s3://${bucket}/${key}`, e);
  }
}

async function copy(ctx: StepContext, stepId: string, bucket: string, from: string, to: string): Promise<void> {
  try {
    await ctx.aws.s3.copyObject(bucket, to, { bucket, key: from });
  } catch (e) {
    throw awsFailure(stepId, `copying s3://${bucket}/${from} to ${to}`, e);
  }
}

/** Deletes every version of one of the pipeline's keys (a versioned bucket would otherwise keep paying for them). */
async function removeObject(ctx: StepContext, stepId: string, bucket: string, key: string, objects: Set<string>): Promise<void> {
  if (!objects.has(key)) return;
  try {
    const versions = (await ctx.aws.s3.listObjectVersions(bucket, key)).filter((v) => v.key === key);
    if (versions.length > 0) {
      const { errors } = await ctx.aws.s3.deleteObjects(bucket, versions);
      if (errors.length > 0)
        throw new SegflowError('AWS_CALL_FAILED', `${stepId}: S3 refused to delete s3://${bucket}/${key}: ${errors[0]!.code}: ${errors[0]!.message}`);
    }
  } catch (e) {
    throw awsFailure(stepId, `deleting s3://${bucket}/${key}`, e);
  }
  objects.delete(key);
}

/** storage.keepRuns: the oldest delivered runs beyond it are deleted (only the keys this pipeline recorded). */
async function pruneRuns(ctx: StepContext, stepId: string, bucket: string, base: string, runs: string[], objects: Set<string>): Promise<string[]> {
  const keep = ctx.spec.storage.keepRuns;
  if (keep === undefined || runs.length <= keep) return runs;
  const old = runs.slice(0, runs.length - keep);
  for (const run of old) {
    for (const key of [...objects].filter((k) => k.startsWith(`${base}runs/${run}/`))) await removeObject(ctx, stepId, bucket, key, objects);
  }
  return runs.slice(runs.length - keep);
}
