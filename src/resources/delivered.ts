import { ARTIFACT_FILES, segmentationDir } from '../data/artifacts.js';
import type { Segmentation, Spec } from '../spec/types.js';
import type { StepRecord } from '../state/types.js';
import { deliveryPrefix } from './delivery.js';
import { segmentationSteps } from './segmentation-ids.js';

/**
 * Where a segmentation's delivered files are, for readers of the delivery (`segflow segments`): the local copies
 * the download step leaves in the work dir and the S3 keys it writes (resources/delivery.ts).
 */
export type DeliveredFile = 'segments' | 'changes';

const FILES: Record<DeliveredFile, string> = { segments: ARTIFACT_FILES.segmentsCsv, changes: ARTIFACT_FILES.changesCsv };

export interface DeliveredLayout {
  /** The download step whose record names the runs delivered. */
  stepId: string;
  /** Relative to the work dir: the segmentation's directory, and its run-info.json and file there. */
  localDir: string;
  localRunInfo: string;
  localFile: string;
  /** S3 keys of a run's copy and of the latest copy. */
  runKey(runId: string): string;
  latestKey: string;
}

export function deliveredLayout(spec: Spec, seg: Segmentation, file: DeliveredFile): DeliveredLayout {
  const dir = segmentationDir(seg);
  const base = deliveryPrefix(spec, seg);
  return {
    stepId: segmentationSteps(seg).download,
    localDir: dir,
    localRunInfo: `${dir}${ARTIFACT_FILES.runInfo}`,
    localFile: `${dir}${FILES[file]}`,
    runKey: (runId) => `${base}runs/${runId}/${FILES[file]}`,
    latestKey: `${base}latest/${FILES[file]}`,
  };
}

/**
 * The latest run a download record says was delivered completely, and the run before it (null: it is the first;
 * undefined: not known). A delivery in flight (phase not done) has not replaced the previous run yet: the record's
 * `previousRunId` is then the latest delivered.
 */
export function latestDelivered(record: StepRecord | undefined): { runId: string; previousRunId: string | null | undefined } | undefined {
  const o = record?.outputs ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  if (record?.phase === 'done') {
    const runId = str(o['runId']);
    return runId ? { runId, previousRunId: str(o['previousRunId']) ?? null } : undefined;
  }
  const previous = str(o['previousRunId']);
  return previous ? { runId: previous, previousRunId: undefined } : undefined;
}
