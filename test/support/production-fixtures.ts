/**
 * A production run's work dir on disk (no ground truth), from small hand-made values: what the engine and prepare
 * leave for a segmentation without split. Test support for src/eval and the segments command.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACT_FILES, SEGMENTS_DIR, type BatchQuery, type ChangeSummary, type RunInfo } from '../../src/data/artifacts.js';
import { fixtureStats } from './eval-fixtures.js';

export interface ProductionFixture {
  dir?: string;
  /** Relative to the work dir: '' (primary) or 'segmentations/<name>/'. */
  segmentationDir?: string;
  segmentation?: string;
  /** The batch input's queries, in order. */
  asked: BatchQuery[];
  k: number;
  /** Raw text of each output file, by name (written under <segmentation dir>/segments/). */
  segmentFiles: Record<string, string>;
  /** All users of the prepared interactions (stats.trainUsers). */
  users: number;
  runInfo?: Partial<RunInfo>;
  changes?: ChangeSummary;
  /** changes.csv's text, written beside run-info.json. */
  changesCsv?: string;
  /** segments.csv's text, written beside run-info.json. */
  segmentsCsv?: string;
  fingerprint?: string;
}

export async function writeProductionWorkDir(o: ProductionFixture): Promise<string> {
  const work = o.dir ?? (await mkdtemp(join(tmpdir(), 'segflow-prod-')));
  const rel = o.segmentationDir ?? '';
  const seg = join(work, rel);
  const name = o.segmentation ?? 'demo';
  const fingerprint = o.fingerprint ?? 'e'.repeat(64);
  await mkdir(join(seg, SEGMENTS_DIR), { recursive: true });
  await writeFile(join(seg, ARTIFACT_FILES.batchInput), o.asked.map((q) => JSON.stringify(q)).join('\n') + '\n');
  const stats = fixtureStats({
    mode: 'production',
    trainUsers: o.users,
    users: o.users,
    testRows: 0,
    warmTestUsers: 0,
    queries: o.asked.length,
    k: o.k,
    segmentations: [
      {
        name,
        recipe: 'aws-item-affinity',
        dir: rel,
        k: o.k,
        queries: o.asked.length,
        coldQueries: 0,
        chunks: [{ file: ARTIFACT_FILES.batchInput, queries: o.asked.length }],
        groundTruth: false,
      },
    ],
  });
  await writeFile(join(work, ARTIFACT_FILES.stats), JSON.stringify(stats));
  await writeFile(
    join(work, ARTIFACT_FILES.manifest),
    JSON.stringify({ version: 1, fingerprint, segflowVersion: '0.1.0', createdAt: '2026-11-28T09:00:00.000Z', outputs: {} }),
  );
  const segmentFiles: string[] = [];
  for (const [file, text] of Object.entries(o.segmentFiles)) {
    await writeFile(join(seg, SEGMENTS_DIR, file), text);
    segmentFiles.push(`${SEGMENTS_DIR}/${file}`);
  }
  if (o.changesCsv !== undefined) await writeFile(join(seg, ARTIFACT_FILES.changesCsv), o.changesCsv);
  if (o.segmentsCsv !== undefined) await writeFile(join(seg, ARTIFACT_FILES.segmentsCsv), o.segmentsCsv);
  const run: RunInfo = {
    version: 1,
    runId: '2026-12-01T10-00-00Z-prod01',
    finishedAt: '2026-12-01T10:00:00.000Z',
    target: 'local',
    region: 'us-east-1',
    specHash: 'f'.repeat(64),
    prepareFingerprint: fingerprint,
    segmentation: name,
    recipe: 'aws-item-affinity',
    solutionMetrics: { coverage: 0.4, hits_at_1_percent: 1.2, recall_at_1_percent: 0.31 },
    numResults: o.k,
    segmentFiles,
    delivery: {
      runUri: `s3://demo-bucket/demo/segments/${name}/runs/2026-12-01T10-00-00Z-prod01/segments.csv`,
      latestUri: `s3://demo-bucket/demo/segments/${name}/latest/segments.csv`,
    },
    ...(o.changes ? { changes: o.changes } : {}),
    estimatedCostUsd: 2.5,
    actualCostUsd: 0,
    ...o.runInfo,
  };
  await writeFile(join(seg, ARTIFACT_FILES.runInfo), JSON.stringify(run, null, 2));
  return work;
}

/**
 * A production pipeline file `shop` (no split) with two segmentations, `products` (i1, i2) and `shop` (i1, the
 * one named after the pipeline); with `users`, a data.users of users.csv (CustomerID, Country as COUNTRY).
 */
export function productionPipelineYaml(o: { users?: boolean; endpoint?: string } = {}): string {
  return [
    'version: 1',
    'name: shop',
    o.endpoint ? `target: { kind: local, endpoint: "${o.endpoint}" }` : 'target: { kind: local }',
    'data:',
    '  interactions:',
    '    source: ./data.csv',
    '    columns: { USER_ID: u, ITEM_ID: i, TIMESTAMP: t }',
    ...(o.users ? ['  users:', '    source: ./users.csv', '    columns: { USER_ID: CustomerID }', '    attributes: [{ name: COUNTRY, column: Country }]'] : []),
    'storage: { bucket: segflow-shop-test, prefix: shop/ }',
    'segmentations:',
    '  - name: products',
    '    recipe: aws-item-affinity',
    '    queries: { items: { ids: ["i1", "i2"] } }',
    '    segments: { numResults: { count: 2 } }',
    '  - name: shop',
    '    recipe: aws-item-affinity',
    '    queries: { items: { ids: ["i1"] } }',
    '    segments: { numResults: { count: 2 } }',
    'budget: { maxUsd: 5 }',
    '',
  ].join('\n');
}
