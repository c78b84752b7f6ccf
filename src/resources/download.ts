import { mkdir, readdir, rm, rename, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ARTIFACT_FILES, SEGMENTS_DIR, segmentationDir, type RunInfo } from '../data/artifacts.js';
import type { Segmentation } from '../spec/types.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { SegflowError } from '../util/errors.js';
import { inputsHashOf } from './naming.js';
import { awsFailure } from './failures.js';
import { deliver, readPreviousRunId } from './delivery.js';
import { segmentationLayout } from './layout.js';
import { modelSteps, type Model, type SegmentationSteps } from './segmentation-ids.js';
import type { StepContext, StepDefinition } from './types.js';

async function filesPresent(dir: string, files: string[]): Promise<boolean> {
  try {
    for (const f of files) await stat(join(dir, f));
    return files.length > 0;
  } catch {
    return false;
  }
}

/**
 * A segmentation's run: downloads every batch segment job's `*.out` files into <segmentation dir>/segments/, writes
 * run-info.json, and delivers the segments (segments.csv, and changes.csv against the previous run) to
 * s3://<bucket>/<prefix>segments/<segmentation>/runs/<run-id>/ and latest/. A new run is made whenever a job of the
 * segmentation or its model's metrics ran again.
 */
export function downloadStep(seg: Segmentation, model: Model, ids: SegmentationSteps): StepDefinition {
  const id = ids.download;
  const metrics = modelSteps(model).metrics;
  const dir = segmentationDir(seg);
  return {
    id,
    kind: 'download',
    title: `download and deliver segments${seg.primary ? '' : ` (${seg.name})`}`,
    deps: [...ids.segments, metrics],
    invalidatedBy: [...ids.segments, metrics],
    local: true,
    desired({ upstream }) {
      // One chunk: the inputs a pipeline had before job chunks existed.
      const [first, ...more] = ids.segments.map((s) => upstream(s).inputsHash);
      const inputs = { segments: first, ...(more.length ? { chunks: more } : {}), metrics: upstream(metrics).inputsHash };
      return { name: `${dir}${SEGMENTS_DIR}`, inputs, inputsHash: inputsHashOf(inputs) };
    },
    async observe(ctx, desired, record) {
      const files = (record?.outputs?.['segmentFiles'] ?? []) as string[];
      // With a shared state the download is done for the team: another machine's missing local copy is no change
      // (the segments stay in S3, the run's report beside the state).
      const shared = ctx.state.backend.kind !== 'local';
      const ok = record?.phase === 'done' && record.inputsHash === desired.inputsHash && (shared || (await filesPresent(join(ctx.workDir, dir), files)));
      return ok ? { exists: true, phase: 'active', status: 'downloaded' } : { exists: false };
    },
    async apply(ctx, desired, record) {
      const segDir = join(ctx.workDir, dir);
      const previousRunId = await readPreviousRunId(ctx, id, segDir);
      // A run id is kept across a failed delivery (the same inputs resume the same run, never a second folder).
      const resumed = record?.inputsHash === desired.inputsHash && typeof record.outputs?.['runId'] === 'string' ? record.outputs['runId'] : undefined;
      const runId = resumed ?? newRunId();
      const segmentFiles = await downloadOutputs(ctx, id, ids, segDir);
      const jobArns = ids.segments.map((s) => ctx.state.step(s)?.arn).filter((a): a is string => typeof a === 'string');
      const delivered = await deliver(ctx, { stepId: id, seg, segDir, runId, previousRunId, segmentFiles, desired });
      await writeRunInfo(ctx, { seg, model, ids, segDir, runId, segmentFiles, jobArns, delivered });
      await ctx.state.setStep(id, {
        phase: 'done',
        name: desired.name,
        inputsHash: desired.inputsHash,
        inputs: desired.inputs,
        outputs: { segmentFiles, runId, ...delivered.outputs },
      });
      return { note: `${segmentFiles.length} file(s); run ${runId} delivered to ${delivered.runUri}` };
    },
    async destroy(ctx) {
      if (ctx.keepData) return { keepRecord: false };
      const segDir = join(ctx.workDir, dir);
      await rm(join(segDir, SEGMENTS_DIR), { recursive: true, force: true });
      for (const f of [ARTIFACT_FILES.segmentsCsv, ARTIFACT_FILES.changesCsv]) await rm(join(segDir, f), { force: true });
      for (const f of await readdir(segDir).catch(() => [] as string[])) {
        if (f.startsWith(`.${SEGMENTS_DIR}.tmp-`)) await rm(join(segDir, f), { recursive: true, force: true });
      }
      return {};
    },
  };
}

function newRunId(): string {
  return `${new Date()
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/**
 * Downloads every chunk's `*.out` files into a fresh sibling directory and swaps it in, so a crash never leaves a
 * mix of two runs. Returns the files relative to the segmentation's directory.
 */
async function downloadOutputs(ctx: StepContext, id: string, ids: SegmentationSteps, segDir: string): Promise<string[]> {
  const bucket = ctx.spec.storage.bucket;
  const keys: string[] = [];
  for (const chunk of ids.segments) {
    const job = ctx.state.step(chunk);
    const prefix = job?.outputs?.['outputPrefix'] as string | undefined;
    if (!job?.arn || !prefix) throw new Error(`${id}: no finished batch segment job recorded for ${chunk}`);
    let listed;
    try {
      listed = await ctx.aws.s3.listObjects(bucket, prefix);
    } catch (e) {
      throw awsFailure(id, `listing s3://${bucket}/${prefix}`, e);
    }
    // Only `*.out` files are segment output (the service may add others).
    const out = listed.map((o) => o.key).filter((k) => k.endsWith('.out'));
    if (out.length === 0)
      throw new SegflowError('RUN_NO_SEGMENTS', `${id}: the batch segment job ${job.name} wrote no .out file under s3://${bucket}/${prefix}`);
    keys.push(...out);
  }
  const finalDir = join(segDir, SEGMENTS_DIR);
  const tmpDir = join(segDir, `.${SEGMENTS_DIR}.tmp-${randomBytes(4).toString('hex')}`);
  await mkdir(tmpDir, { recursive: true });
  const segmentFiles: string[] = [];
  for (const key of keys) {
    const file = posix.basename(key);
    try {
      await ctx.aws.s3.downloadObject(bucket, key, join(tmpDir, file));
    } catch (e) {
      throw awsFailure(id, `downloading s3://${bucket}/${key}`, e);
    }
    segmentFiles.push(posix.join(SEGMENTS_DIR, file));
  }
  await rm(finalDir, { recursive: true, force: true });
  await rename(tmpDir, finalDir);
  return segmentFiles;
}

interface RunInfoInput {
  seg: Segmentation;
  model: Model;
  ids: SegmentationSteps;
  segDir: string;
  runId: string;
  segmentFiles: string[];
  jobArns: string[];
  delivered: Awaited<ReturnType<typeof deliver>>;
}

async function writeRunInfo(ctx: StepContext, r: RunInfoInput): Promise<void> {
  const st = ctx.state.current.steps;
  const m = modelSteps(r.model);
  const layout = segmentationLayout(ctx.spec, ctx.prepared!, r.seg);
  const first = st[r.ids.segments[0]!];
  const numResults = Number(first?.outputs?.['numResults'] ?? layout.k);
  const trainingHours = st[m.training]?.outputs?.['trainingHours'];
  // The filter the segment jobs were made with (their inputs), which the evaluation must apply to its baselines too.
  const filter = first?.inputs?.['filter'];
  const cost = ctx.runCost?.(r.ids.download);
  const p = ctx.prepared!;
  const info: RunInfo = {
    version: 1,
    runId: r.runId,
    finishedAt: new Date().toISOString(),
    target: ctx.spec.target.kind,
    region: ctx.env.region,
    specHash: ctx.spec.fileHash,
    prepareFingerprint: p.fingerprint,
    segmentation: r.seg.name,
    recipe: r.seg.recipe,
    ...(st[m.solution]?.arn ? { solutionArn: st[m.solution]!.arn! } : {}),
    ...(st[m.training]?.arn ? { solutionVersionArn: st[m.training]!.arn! } : {}),
    ...(typeof trainingHours === 'number' ? { trainingHours } : {}),
    ...(st[m.metrics]?.outputs?.['metrics'] ? { solutionMetrics: st[m.metrics]!.outputs!['metrics'] as Record<string, number> } : {}),
    ...(r.jobArns[0] ? { batchSegmentJobArn: r.jobArns[0] } : {}),
    batchSegmentJobArns: r.jobArns,
    ...(typeof filter === 'string'
      ? { filter: { expression: filter, ...(r.ids.filter && st[r.ids.filter]?.arn ? { arn: st[r.ids.filter]!.arn! } : {}) } }
      : {}),
    numResults,
    segmentFiles: r.segmentFiles,
    delivery: { runUri: r.delivered.runUri, latestUri: r.delivered.latestUri },
    ...(r.delivered.changes ? { changes: r.delivered.changes } : {}),
    estimatedCostUsd: cost?.estimate.highUsd ?? 0,
    actualCostUsd: cost?.actual?.totalUsd ?? 0,
    ...(cost ? { cost } : {}),
  };
  await writeJsonAtomic(join(r.segDir, ARTIFACT_FILES.runInfo), info);
}
