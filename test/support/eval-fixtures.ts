/**
 * Builds a work dir on disk with the files evaluation reads (prepare's artifacts and the engine's run-info.json),
 * from small hand-made values. Test support (used only by *.test.ts): the tests of src/eval and the report command.
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACT_FILES, SEGMENTS_DIR, type GroundTruthFile, type PrepareStats, type RunInfo } from '../../src/data/artifacts.js';

export interface FixtureQuery {
  itemId?: string;
  itemAttributes?: string;
  truth: string[];
  cold?: boolean;
}

export interface FixtureOptions {
  /** Interactions per train user; written as that many rows of interactions.csv. */
  activity: Record<string, number>;
  queries: FixtureQuery[];
  k: number;
  /** Raw text of each segment output file, by name (written under segments/). */
  segmentFiles: Record<string, string>;
  runInfo?: Partial<RunInfo>;
  stats?: PrepareStats | null;
  /** Overrides ground-truth.json's trainUserCount (default: number of users in activity). */
  trainUserCount?: number;
  /** Other prepared files written as given, by name (users.csv; interactions.csv replacing the generated one). */
  files?: Record<string, string>;
  dir?: string;
}

/** One output line in the shape real jobs wrote (input.itemId / output.usersList). */
export function outputLine(q: { itemId: string } | { itemAttributes: string }, users: string[]): string {
  return JSON.stringify({ input: q, output: { usersList: users }, error: null });
}

export function fixtureStats(partial: Partial<PrepareStats> = {}): PrepareStats {
  return {
    rowsRead: 100,
    badRows: 0,
    dropped: [{ step: 'dedupe', rows: 3, why: 'exact duplicates' }],
    interactions: 97,
    users: 12,
    items: 20,
    trainRows: 80,
    testRows: 17,
    trainUsers: 10,
    trainItems: 18,
    warmTestUsers: 6,
    testItems: 9,
    queries: 4,
    coldQueries: 0,
    k: 3,
    minTimestamp: '2011-01-01T00:00:00Z',
    maxTimestamp: '2011-12-09T12:50:00Z',
    warnings: [],
    ...partial,
  };
}

export async function writeFixtureWorkDir(o: FixtureOptions): Promise<string> {
  const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'segflow-eval-')));
  await mkdir(join(dir, SEGMENTS_DIR), { recursive: true });
  const rows = ['USER_ID,ITEM_ID,TIMESTAMP'];
  let t = 1_300_000_000;
  for (const [user, n] of Object.entries(o.activity)) for (let i = 0; i < n; i++) rows.push(`${user},item-${i},${t++}`);
  await writeFile(join(dir, ARTIFACT_FILES.interactions), rows.join('\n') + '\n');
  for (const [name, text] of Object.entries(o.files ?? {})) await writeFile(join(dir, name), text);
  const truth: GroundTruthFile = {
    version: 1,
    kind: o.queries.some((q) => q.itemAttributes !== undefined) ? 'attributes' : 'items',
    k: o.k,
    trainUserCount: o.trainUserCount ?? Object.keys(o.activity).length,
    queries: o.queries.map((q) => ({
      query: q.itemAttributes !== undefined ? { itemAttributes: q.itemAttributes } : { itemId: q.itemId! },
      users: [...q.truth].sort(),
      ...(q.cold ? { cold: true } : {}),
    })),
  };
  await writeFile(join(dir, ARTIFACT_FILES.groundTruth), JSON.stringify(truth, null, 2));
  if (o.stats !== null) await writeFile(join(dir, ARTIFACT_FILES.stats), JSON.stringify(o.stats ?? fixtureStats()));
  const segmentFiles: string[] = [];
  for (const [name, text] of Object.entries(o.segmentFiles)) {
    const rel = `${SEGMENTS_DIR}/${name}`;
    await writeFile(join(dir, rel), text);
    segmentFiles.push(rel);
  }
  const run: RunInfo = {
    version: 1,
    runId: '2026-11-28T10-00-00Z-abc123',
    finishedAt: '2026-11-28T10:00:00.000Z',
    target: 'local',
    region: 'us-east-1',
    specHash: 'f'.repeat(64),
    prepareFingerprint: 'e'.repeat(64),
    solutionVersionArn: 'arn:aws:personalize:us-east-1:000000000000:solution/fixture/1a2b3c4d',
    trainingHours: 0.25,
    solutionMetrics: { coverage: 0.4, hits_at_1_percent: 1.2, recall_at_1_percent: 0.31 },
    numResults: o.k,
    segmentFiles,
    estimatedCostUsd: 1.5,
    actualCostUsd: 1.25,
    ...o.runInfo,
  };
  await writeFile(join(dir, ARTIFACT_FILES.runInfo), JSON.stringify(run, null, 2));
  return dir;
}
