import { mkdir, readdir, rm, stat, rename } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ARTIFACT_FILES, SEGMENTS_DIR, type RunInfo } from '../data/artifacts.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { SegflowError } from '../util/errors.js';
import { actualCost, type CostEstimate } from '../cost/formulas.js';
import { inputsHashOf } from './naming.js';
import { awsFailure } from './failures.js';
import { preparedOf } from './prepare.js';
import type { StepContext, StepDefinition } from './types.js';

async function filesPresent(dir: string, files: string[]): Promise<boolean> {
  try {
    for (const f of files) await stat(join(dir, f));
    return files.length > 0;
  } catch {
    return false;
  }
}

/** Downloads the batch segment job's `*.out` files into <work>/segments/ and writes run-info.json. */
export const downloadStep: StepDefinition = {
  id: 'download',
  kind: 'download',
  title: 'download segments',
  deps: ['segments', 'metrics'],
  invalidatedBy: ['segments', 'metrics'],
  local: true,
  desired({ upstream }) {
    const inputs = { segments: upstream('segments').inputsHash, metrics: upstream('metrics').inputsHash };
    return { name: SEGMENTS_DIR, inputs, inputsHash: inputsHashOf(inputs) };
  },
  async observe(ctx, desired, record) {
    const files = (record?.outputs?.['segmentFiles'] ?? []) as string[];
    // With a shared state the download is done for the team: another machine's missing local copy is no change
    // (the segments stay in S3, the run's report beside the state).
    const shared = ctx.state.backend.kind !== 'local';
    const ok = record?.phase === 'done' && record.inputsHash === desired.inputsHash && (shared || (await filesPresent(ctx.workDir, files)));
    return ok ? { exists: true, phase: 'active', status: 'downloaded' } : { exists: false };
  },
  async apply(ctx, desired) {
    const segments = ctx.state.step('segments');
    const prefix = segments?.outputs?.['outputPrefix'] as string | undefined;
    if (!segments?.arn || !prefix) throw new Error('download: no finished batch segment job recorded');
    const bucket = ctx.spec.storage.bucket;
    let listed;
    try {
      listed = await ctx.aws.s3.listObjects(bucket, prefix);
    } catch (e) {
      throw awsFailure('download', `listing s3://${bucket}/${prefix}`, e);
    }
    // Only `*.out` files are segment output (the service may add others).
    const keys = listed.map((o) => o.key).filter((k) => k.endsWith('.out'));
    if (keys.length === 0) {
      throw new SegflowError('RUN_NO_SEGMENTS', `download: the batch segment job ${segments.name} wrote no .out file under s3://${bucket}/${prefix}`);
    }
    // Download into a fresh sibling directory and swap it in, so a crash never leaves a mix of two runs.
    const finalDir = join(ctx.workDir, SEGMENTS_DIR);
    const tmpDir = join(ctx.workDir, `.${SEGMENTS_DIR}.tmp-${randomBytes(4).toString('hex')}`);
    await mkdir(tmpDir, { recursive: true });
    const segmentFiles: string[] = [];
    for (const key of keys) {
      const file = posix.basename(key);
      try {
        await ctx.aws.s3.downloadObject(bucket, key, join(tmpDir, file));
      } catch (e) {
        throw awsFailure('download', `downloading s3://${bucket}/${key}`, e);
      }
      segmentFiles.push(posix.join(SEGMENTS_DIR, file));
    }
    await rm(finalDir, { recursive: true, force: true });
    await rename(tmpDir, finalDir);
    await writeRunInfo(ctx, segmentFiles);
    await ctx.state.setStep('download', { phase: 'done', name: SEGMENTS_DIR, inputsHash: desired.inputsHash, inputs: desired.inputs, outputs: { segmentFiles } });
    return { note: `${segmentFiles.length} file(s)` };
  },
  async destroy(ctx) {
    if (ctx.keepData) return { keepRecord: false };
    await rm(join(ctx.workDir, SEGMENTS_DIR), { recursive: true, force: true });
    for (const f of await readdir(ctx.workDir).catch(() => [] as string[])) {
      if (f.startsWith(`.${SEGMENTS_DIR}.tmp-`)) await rm(join(ctx.workDir, f), { recursive: true, force: true });
    }
    return {};
  },
};

async function writeRunInfo(ctx: StepContext, segmentFiles: string[]): Promise<void> {
  const st = ctx.state.current.steps;
  const p = preparedOf(ctx);
  const numResults = Number(st['segments']?.outputs?.['numResults'] ?? p.stats.k);
  const trainingHours = st['training']?.outputs?.['trainingHours'];
  const estimate = ctx.estimate;
  // The filter the segment job was made with (its inputs), which the evaluation must apply to its baselines too.
  const filter = st['segments']?.inputs?.['filter'];
  const actual = ctx.spec.target.kind === 'aws' && estimate ? actualOf(ctx, estimate, typeof trainingHours === 'number' ? trainingHours : 0) : undefined;
  const info: RunInfo = {
    version: 1,
    runId: `${new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}-${randomBytes(3).toString('hex')}`,
    finishedAt: new Date().toISOString(),
    target: ctx.spec.target.kind,
    region: ctx.env.region,
    specHash: ctx.spec.fileHash,
    prepareFingerprint: p.fingerprint,
    ...(st['solution']?.arn ? { solutionArn: st['solution'].arn } : {}),
    ...(st['training']?.arn ? { solutionVersionArn: st['training'].arn } : {}),
    ...(typeof trainingHours === 'number' ? { trainingHours } : {}),
    ...(st['metrics']?.outputs?.['metrics'] ? { solutionMetrics: st['metrics'].outputs['metrics'] as Record<string, number> } : {}),
    ...(st['segments']?.arn ? { batchSegmentJobArn: st['segments'].arn } : {}),
    ...(typeof filter === 'string' ? { filter: { expression: filter, ...(st['filter']?.arn ? { arn: st['filter'].arn } : {}) } } : {}),
    numResults,
    segmentFiles,
    estimatedCostUsd: estimate?.totalUsd ?? 0,
    actualCostUsd: actual?.totalUsd ?? 0,
    ...(estimate
      ? { cost: { estimate: { lowUsd: estimate.lowUsd, highUsd: estimate.totalUsd, lines: estimate.lines }, ...(actual ? { actual } : {}) } }
      : {}),
  };
  await writeJsonAtomic(join(ctx.workDir, ARTIFACT_FILES.runInfo), info);
}

/**
 * The steps this apply ran (the ones its estimate priced), billed by the same formulas on what AWS reported:
 * the bytes the imports read, the solution version's billed trainingHours, and the users in the dataset times
 * the rows of the batch input the segment job read.
 */
function actualOf(ctx: StepContext, estimate: CostEstimate, trainingHours: number) {
  const p = preparedOf(ctx);
  return actualCost(
    {
      ingestBytes: estimate.ingestGb > 0 ? [ARTIFACT_FILES.interactions, ARTIFACT_FILES.items, ARTIFACT_FILES.users].reduce((s, f) => s + (p.manifest.outputs[f]?.bytes ?? 0), 0) : 0,
      trainingHours: estimate.trainingHours ? trainingHours : 0,
      ...(estimate.segments ? { segments: { users: p.stats.trainUsers, queries: p.stats.queries } } : {}),
    },
    estimate.prices,
  );
}
