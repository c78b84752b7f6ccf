import { join } from 'node:path';
import { ARTIFACT_FILES, type PrepareStats } from '../../data/artifacts.js';
import type { Spec } from '../../spec/types.js';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic-write.js';
import { hashJson, sha256 } from '../../util/hash.js';
import { workDir } from '../../util/paths.js';
import type { DataModule, EvalModule } from '../modules.js';

/** A spec as loadSpec would produce it, for engine unit tests. */
export function testSpec(overrides: Partial<Spec> = {}): Spec {
  return {
    version: 1,
    name: 'demo',
    file: '/nowhere/demo.yaml',
    fileHash: 'f'.repeat(64),
    target: { kind: 'local', region: 'us-east-1' },
    data: {
      interactions: {
        source: ['/nowhere/data.csv'],
        format: 'csv',
        columns: { USER_ID: 'u', ITEM_ID: 'i', TIMESTAMP: 't' },
        dedupe: true,
        minInteractionsPerUser: 2,
        minInteractionsPerItem: 1,
        onBadRows: 'fail',
        maxBadRows: 0,
      },
    },
    split: { testStart: '2020-01-01T00:00:00Z', testStartEpoch: 1577836800, warmUsersOnly: true },
    queries: { items: { sample: 10, seed: 1 } },
    storage: { bucket: 'demo-bucket', prefix: 'demo/' },
    recipe: 'aws-item-affinity',
    training: {},
    segments: { numResults: { count: 5 } },
    budget: { maxUsd: 100 },
    tags: {},
    ...overrides,
  };
}

/**
 * Prepares deterministic fake artifacts: interactions depend on the data slice only, numResults only changes k
 * (stats.json, ground truth), so tests can check exactly which steps re-run.
 */
export const fakeData: DataModule & { runs: number } = {
  runs: 0,
  async prepareFingerprint(spec) {
    return hashJson({ data: spec.data, split: spec.split, queries: spec.queries, segments: spec.segments });
  },
  async prepareData(spec, { cwd }) {
    this.runs++;
    const dir = workDir(spec.name, cwd);
    const fingerprint = await this.prepareFingerprint(spec);
    const k = 'count' in spec.segments.numResults ? spec.segments.numResults.count : 3;
    const interactions = `USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,${spec.data.interactions.minInteractionsPerUser}\n`;
    const batch = '{"itemId":"i1"}\n';
    const truth = JSON.stringify({ version: 1, kind: 'items', k, trainUserCount: 2, queries: [] });
    const stats = { trainRows: 1000, interactions: 1200, k, queries: 1, trainUsers: 100 } as unknown as PrepareStats;
    const files: Record<string, string> = {
      [ARTIFACT_FILES.interactions]: interactions,
      [ARTIFACT_FILES.batchInput]: batch,
      [ARTIFACT_FILES.groundTruth]: truth,
      [ARTIFACT_FILES.stats]: JSON.stringify(stats),
    };
    const outputs: Record<string, { sha256: string; bytes: number }> = {};
    for (const [f, body] of Object.entries(files)) {
      await writeFileAtomic(join(dir, f), body);
      outputs[f] = { sha256: sha256(body), bytes: Buffer.byteLength(body) };
    }
    await writeJsonAtomic(join(dir, ARTIFACT_FILES.manifest), { version: 1, fingerprint, segflowVersion: 'test', createdAt: '', outputs });
    return { upToDate: false, fingerprint, stats, workDir: dir };
  },
};

export const fakeEval: EvalModule & { runs: number } = {
  runs: 0,
  async reportRun(workDir: string) {
    this.runs++;
    return { report: { hits: 1 }, dir: join(workDir, 'report'), files: [] };
  },
  summarizeReport() {
    return ['holdout recall@K: 0.5 (popularity 0.2)'];
  },
};
