import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { ARTIFACT_FILES, chunkFile, segmentationDir, type PrepareStats, type SegmentationStats } from '../../src/data/artifacts.js';
import type { EngineDeps } from '../../src/engine/deps.js';
import type { FakeAws } from './fake-aws.js';
import type { DataPort, EvalPort } from '../../src/resources/types.js';
import type { Segmentation, Spec } from '../../src/spec/types.js';
import { writeFileAtomic, writeJsonAtomic } from '../../src/util/atomic-write.js';
import { hashJson, sha256 } from '../../src/util/hash.js';
import { workDir } from '../../src/util/paths.js';

/**
 * A deterministic stand-in for src/data: interactions depend on the data slice only, numResults only changes k
 * (stats.json, ground truth), so engine tests can check exactly which steps re-run. As the real fingerprint, it
 * ignores segments.filter (prepare's outputs do not depend on it). With data.users it writes users.csv for u1 and u2,
 * the fake's segment users. Each segmentation gets its batch input chunks (a sample is the one item i1; ids and
 * attribute expressions are queried as listed, 500 items or 10 expressions per chunk) and, with a split, its ground
 * truth.
 */
export function fakeData(): DataPort & { runs: number } {
  const fingerprint = (spec: Spec) =>
    hashJson({
      data: spec.data,
      split: spec.split ?? null,
      segmentations: spec.segmentations.map((s) => ({ name: s.name, queries: s.queries, numResults: s.segments.numResults })),
    });
  return {
    runs: 0,
    async prepareFingerprint(spec) {
      return { fingerprint: fingerprint(spec) };
    },
    async prepareData(spec, { cwd }) {
      this.runs++;
      const dir = workDir(spec.name, cwd);
      const files: Record<string, string> = {
        [ARTIFACT_FILES.interactions]: `USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,${spec.data.interactions.minInteractionsPerUser}\n`,
        ...(spec.data.users ? { [ARTIFACT_FILES.users]: usersCsv(spec.data.users.attributes.map((a) => a.name)) } : {}),
        ...(spec.data.items
          ? {
              [ARTIFACT_FILES.items]: `ITEM_ID,${spec.data.items.attributes.map((a) => a.name).join(',')}\ni1,${spec.data.items.attributes.map(() => 'a').join(',')}\n`,
            }
          : {}),
      };
      const segmentations: SegmentationStats[] = spec.segmentations.map((seg) => {
        const k = 'count' in seg.segments.numResults ? seg.segments.numResults.count : 3;
        const queries = fakeQueries(seg);
        const perJob = seg.recipe === 'aws-item-attribute-affinity' ? 10 : 500;
        const segDir = segmentationDir(seg);
        const chunks: SegmentationStats['chunks'] = [];
        for (let i = 0, n = 1; i < queries.length; i += perJob, n++) {
          const slice = queries.slice(i, i + perJob);
          files[`${segDir}${chunkFile(n)}`] = slice.map((q) => JSON.stringify(q)).join('\n') + '\n';
          chunks.push({ file: chunkFile(n), queries: slice.length });
        }
        if (spec.split) files[`${segDir}${ARTIFACT_FILES.groundTruth}`] = JSON.stringify({ version: 1, kind: 'items', k, trainUserCount: 2, queries: [] });
        return { name: seg.name, recipe: seg.recipe, dir: segDir, k, queries: queries.length, coldQueries: 0, chunks, groundTruth: spec.split !== undefined };
      });
      const first = segmentations[0]!;
      files[ARTIFACT_FILES.stats] = JSON.stringify({
        trainRows: 1000,
        interactions: 1200,
        k: first.k,
        queries: first.queries,
        trainUsers: 100,
        trainItems: 10,
        segmentations,
      });
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

function fakeQueries(seg: Segmentation): Array<{ itemId: string } | { itemAttributes: string }> {
  const items = seg.queries.items;
  if (items?.kind === 'ids') return items.ids.map((itemId) => ({ itemId }));
  if (seg.queries.attributes) return seg.queries.attributes.map((a) => ({ itemAttributes: a.expression }));
  return [{ itemId: 'i1' }];
}

/** users.csv for the fake's segment users: u1 has the value "a" of every attribute, u2 "b". */
function usersCsv(attributes: string[]): string {
  const rows = [
    ['USER_ID', ...attributes],
    ['u1', ...attributes.map(() => 'a')],
    ['u2', ...attributes.map(() => 'b')],
  ];
  return rows.map((r) => r.join(',')).join('\n') + '\n';
}

/**
 * Evaluation stand-in: a fixed summary; segments.csv and changes.csv written for real from the `.out` files (one row
 * per query and user), so delivery and its changes can be checked.
 */
export function fakeEvaluation(): EvalPort & { runs: number } {
  return {
    runs: 0,
    async evaluate(workDir) {
      this.runs++;
      return { summary: ['holdout recall@K: 0.5 (popularity 0.2)'], dir: join(workDir, 'report') };
    },
    async writeSegmentsCsv(dir, files, out) {
      const rows: string[] = [];
      const queries = new Set<string>();
      for (const f of files) {
        for (const line of (await readFile(join(dir, f), 'utf8')).split('\n').filter(Boolean)) {
          const r = JSON.parse(line) as { input: { itemId?: string; itemAttributes?: string }; output?: { usersList?: string[] } };
          const q = r.input.itemId ?? r.input.itemAttributes ?? '';
          queries.add(q);
          (r.output?.usersList ?? []).forEach((u, i) => rows.push(`${q},${i + 1},${u}`));
        }
      }
      await writeFileAtomic(out, ['query,rank,user', ...rows].join('\n') + '\n');
      return { queries: queries.size, rows: rows.length };
    },
    async compareSegments(previous, current, out) {
      const read = async (p: string) =>
        new Set(
          (await readFile(p, 'utf8'))
            .split('\n')
            .slice(1)
            .filter(Boolean)
            .map((l) => {
              const [q, , u] = l.split(',');
              return `${q},${u}`;
            }),
        );
      const [a, b] = [await read(previous), await read(current)];
      const stayed = [...b].filter((x) => a.has(x)).length;
      const qs = (s: Set<string>) => new Set([...s].map((x) => x.split(',')[0]!));
      const [qa, qb] = [qs(a), qs(b)];
      await writeFileAtomic(out, 'query,entered,stayed,left\n');
      return {
        entered: b.size - stayed,
        stayed,
        left: a.size - stayed,
        queriesAdded: [...qb].filter((q) => !qa.has(q)).length,
        queriesRemoved: [...qa].filter((q) => !qb.has(q)).length,
      };
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
