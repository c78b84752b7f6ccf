import { join } from 'node:path';
import { ARTIFACT_FILES, type PrepareStats } from '../../src/data/artifacts.js';
import type { EngineDeps } from '../../src/engine/deps.js';
import type { FakeAws } from './fake-aws.js';
import type { DataPort, EvalPort } from '../../src/resources/types.js';
import type { Spec } from '../../src/spec/types.js';
import { writeFileAtomic, writeJsonAtomic } from '../../src/util/atomic-write.js';
import { hashJson, sha256 } from '../../src/util/hash.js';
import { workDir } from '../../src/util/paths.js';

/**
 * A deterministic stand-in for src/data: interactions depend on the data slice only, numResults only changes k
 * (stats.json, ground truth), so engine tests can check exactly which steps re-run. As the real fingerprint, it
 * ignores segments.filter (prepare's outputs do not depend on it). With data.users it writes users.csv for u1 and u2,
 * the fake's segment users.
 */
export function fakeData(): DataPort & { runs: number } {
  const fingerprint = (spec: Spec) => hashJson({ data: spec.data, split: spec.split, queries: spec.queries, numResults: spec.segments.numResults });
  return {
    runs: 0,
    async prepareFingerprint(spec) {
      return fingerprint(spec);
    },
    async prepareData(spec, { cwd }) {
      this.runs++;
      const dir = workDir(spec.name, cwd);
      const k = 'count' in spec.segments.numResults ? spec.segments.numResults.count : 3;
      const files: Record<string, string> = {
        [ARTIFACT_FILES.interactions]: `USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,${spec.data.interactions.minInteractionsPerUser}\n`,
        [ARTIFACT_FILES.batchInput]: '{"itemId":"i1"}\n',
        [ARTIFACT_FILES.groundTruth]: JSON.stringify({ version: 1, kind: 'items', k, trainUserCount: 2, queries: [] }),
        [ARTIFACT_FILES.stats]: JSON.stringify({ trainRows: 1000, interactions: 1200, k, queries: 1, trainUsers: 100, trainItems: 10 }),
        ...(spec.data.users ? { [ARTIFACT_FILES.users]: usersCsv(spec.data.users.attributes.map((a) => a.name)) } : {}),
      };
      const outputs: Record<string, { sha256: string; bytes: number }> = {};
      for (const [f, body] of Object.entries(files)) {
        await writeFileAtomic(join(dir, f), body);
        outputs[f] = { sha256: sha256(body), bytes: Buffer.byteLength(body) };
      }
      await writeJsonAtomic(join(dir, ARTIFACT_FILES.manifest), { version: 1, fingerprint: fingerprint(spec), segflowVersion: 'test', createdAt: '', outputs });
      const stats = JSON.parse(files[ARTIFACT_FILES.stats]!) as PrepareStats;
      return { upToDate: false, fingerprint: fingerprint(spec), stats, workDir: dir };
    },
  };
}

/** users.csv for the fake's segment users: u1 has the value "a" of every attribute, u2 "b". */
function usersCsv(attributes: string[]): string {
  const rows = [['USER_ID', ...attributes], ['u1', ...attributes.map(() => 'a')], ['u2', ...attributes.map(() => 'b')]];
  return rows.map((r) => r.join(',')).join('\n') + '\n';
}

export function fakeEvaluation(): EvalPort & { runs: number } {
  return {
    runs: 0,
    async evaluate(workDir) {
      this.runs++;
      return { summary: ['holdout recall@K: 0.5 (popularity 0.2)'], dir: join(workDir, 'report') };
    },
  };
}

/** The engine's dependencies for unit tests: fake data and evaluation, no emulator, the fake AWS world. */
export function fakeDeps(world: FakeAws): EngineDeps & { data: ReturnType<typeof fakeData>; evaluation: ReturnType<typeof fakeEvaluation> } {
  return {
    data: fakeData(),
    evaluation: fakeEvaluation(),
    startEmulator: async () => ({ endpoint: 'http://fake', close: async () => undefined }),
    // Each command gets its own call count, as with real clients.
    ports: () => world.newSession(),
  };
}
