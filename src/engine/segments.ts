/**
 * `segflow segments`: finds a segmentation's latest delivered segments.csv (or changes.csv). The state's download
 * record names the latest run delivered; the local copy in the work dir is used when it is that run's (its
 * run-info.json says so), else the delivered copy is downloaded from S3 through the target's S3 port. The state is
 * read where it lives (the local file, or the shared S3 object), without the lock: this only reads.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliveredLayout, latestDelivered, type DeliveredFile } from '../resources/delivered.js';
import { s3Uri } from '../resources/naming.js';
import type { Segmentation, Spec } from '../spec/types.js';
import { SegflowError } from '../util/errors.js';
import { workDir } from '../util/paths.js';
import type { EngineDeps } from './deps.js';
import { connectTarget, type TargetConnection } from './session.js';
import { openStateBackend } from './state-backend.js';

export interface DeliveredCopy {
  /** A local file to read: the work dir's copy, or a temporary download (removed by release). */
  path: string;
  runId: string;
  /** Where it came from, for messages: the local path or the s3:// URI. */
  origin: string;
  release(): Promise<void>;
}

export interface FindDeliveredOptions {
  spec: Spec;
  cwd: string;
  deps: EngineDeps;
  segmentation: Segmentation;
  file: DeliveredFile;
  /** Shares one connection to the target between several look-ups (opened on the first S3 read). */
  connection?: () => Promise<TargetConnection>;
}

/** The state's download record of the segmentation. */
async function downloadRecord(spec: Spec, cwd: string, deps: EngineDeps, stepId: string) {
  const opened = await openStateBackend(spec, cwd, deps);
  try {
    return (await opened.backend.read())?.state.steps[stepId];
  } finally {
    opened.close();
  }
}

async function localRunId(path: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(path, 'utf8')) as { runId?: string }).runId;
  } catch {
    return undefined;
  }
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/**
 * The latest delivered copy of `file`; undefined for changes.csv when that run is the segmentation's first (there
 * is nothing to compare it with). RUN_NO_RUN when nothing was delivered yet.
 */
export async function findDelivered(o: FindDeliveredOptions): Promise<DeliveredCopy | undefined> {
  const layout = deliveredLayout(o.spec, o.segmentation, o.file);
  const latest = latestDelivered(await downloadRecord(o.spec, o.cwd, o.deps, layout.stepId));
  if (!latest) {
    throw new SegflowError('RUN_NO_RUN', `no segments of segmentation ${o.segmentation.name} were delivered yet: run 'segflow apply ${o.spec.file}' first`);
  }
  if (o.file === 'changes' && latest.previousRunId === null) return undefined;
  const work = workDir(o.spec.name, o.cwd);
  const local = join(work, layout.localFile);
  if ((await localRunId(join(work, layout.localRunInfo))) === latest.runId && (await exists(local))) {
    return { path: local, runId: latest.runId, origin: local, release: async () => undefined };
  }
  // changes.csv is delivered with every run that has a previous one: it must be there unless that is not known.
  return download(o, layout, latest.runId, o.file !== 'changes' || latest.previousRunId !== undefined);
}

async function download(
  o: FindDeliveredOptions,
  layout: ReturnType<typeof deliveredLayout>,
  runId: string,
  required: boolean,
): Promise<DeliveredCopy | undefined> {
  let own: TargetConnection | undefined;
  const connection = o.connection ? await o.connection() : (own = await connectTarget(o.spec.target, o.cwd, o.deps));
  const dir = await mkdtemp(join(tmpdir(), 'segflow-segments-'));
  const release = () => rm(dir, { recursive: true, force: true });
  try {
    const bucket = o.spec.storage.bucket;
    const path = join(dir, layout.localFile.split('/').pop()!);
    // The run's own copy; the stable latest/ copy when storage.keepRuns pruned it (only segments.csv is kept there).
    const keys = o.file === 'changes' ? [layout.runKey(runId)] : [layout.runKey(runId), layout.latestKey];
    for (const key of keys) {
      if (await connection.aws.s3.downloadObject(bucket, key, path)) return { path, runId, origin: s3Uri(bucket, key), release };
    }
    await release();
    if (!required) return undefined;
    const where = keys.map((key) => s3Uri(bucket, key)).join(' nor ');
    throw new SegflowError(
      'RUN_NO_RUN',
      `the delivered ${o.file} of run ${runId} are not in ${where}: run 'segflow apply ${o.spec.file}' to deliver them again`,
    );
  } catch (e) {
    await release();
    throw e;
  } finally {
    await own?.close();
  }
}
