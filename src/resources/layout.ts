import { ARTIFACT_FILES, segmentationDir, type SegmentationStats } from '../data/artifacts.js';
import type { Segmentation, Spec } from '../spec/types.js';
import type { PipelineState } from '../state/types.js';
import { prefixOf } from './naming.js';
import { segmentationSteps } from './segmentation-ids.js';
import type { PreparedData } from './types.js';

/**
 * What prepare made for each segmentation, as the steps read it: its segment size and its job chunks (the batch
 * input files, relative to the work dir). Prepared data from before segmentations existed has no per-segmentation
 * figures: it is the one segmentation with one chunk, batch-input.jsonl, and the top-level k.
 */
export interface SegmentationLayout {
  stats: SegmentationStats;
  k: number;
  /** Relative to the work dir, in job order. */
  files: Array<{ path: string; queries: number }>;
}

export function segmentationLayout(spec: Spec, prepared: PreparedData, seg: Segmentation): SegmentationLayout {
  const stats = segmentationStats(prepared, seg);
  return { stats, k: stats.k, files: stats.chunks.map((c) => ({ path: `${stats.dir}${c.file}`, queries: c.queries })) };
}

export function segmentationStats(prepared: PreparedData, seg: Segmentation): SegmentationStats {
  const found = prepared.stats.segmentations?.find((s) => s.name === seg.name);
  if (found) return found;
  if (prepared.stats.segmentations || !seg.primary) throw new Error(`the prepared data has no segmentation ${seg.name}: prepare again`);
  const s = prepared.stats;
  return {
    name: seg.name,
    recipe: seg.recipe,
    dir: segmentationDir(seg),
    k: s.k,
    queries: s.queries,
    coldQueries: s.coldQueries,
    chunks: [{ file: ARTIFACT_FILES.batchInput, queries: s.queries }],
    ...(s.generatedQueries ? { generatedQueries: s.generatedQueries } : {}),
    groundTruth: prepared.manifest.outputs[ARTIFACT_FILES.groundTruth] !== undefined,
  };
}

/** How many batch segment jobs each segmentation needs, by name (what the step list is built from). */
export function chunkCounts(spec: Spec, prepared: PreparedData): Record<string, number> {
  return Object.fromEntries(spec.segmentations.map((seg) => [seg.name, segmentationStats(prepared, seg).chunks.length]));
}

/**
 * The chunk counts the state knows (the steps status and destroy walk, without preparing the data): chunk n of a
 * segmentation is recorded as 'segments[:name]/n'.
 */
export function chunkCountsFromState(spec: Spec, state: Pick<PipelineState, 'steps'>): Record<string, number> {
  const ids = Object.keys(state.steps);
  return Object.fromEntries(
    spec.segmentations.map((seg) => {
      const first = segmentationSteps(seg).segments[0]!;
      const chunks = ids.map((id) => (id.startsWith(`${first}/`) ? Number(id.slice(first.length + 1)) : 1)).filter((n) => Number.isInteger(n));
      return [seg.name, Math.max(1, ...chunks)];
    }),
  );
}

/** Where a prepared batch input file is uploaded: <prefix>batch/<its path in the work dir>. */
export function batchObjectKey(spec: Spec, path: string): string {
  return `${prefixOf(spec)}batch/${path}`;
}

/** Every batch input file of every segmentation, relative to the work dir. */
export function batchFiles(spec: Spec, prepared: PreparedData): string[] {
  return spec.segmentations.flatMap((seg) => segmentationLayout(spec, prepared, seg).files.map((f) => f.path));
}
