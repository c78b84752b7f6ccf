import { createPorts } from '../aws/create-ports.js';
import type { EngineDeps } from '../engine/deps.js';

/**
 * The real leaves behind the engine's interfaces, loaded on first use: `plan` of an unchanged pipeline never
 * loads DuckDB, `status` never loads the evaluation, the aws target never loads the emulator.
 */
export function engineDeps(): EngineDeps {
  return {
    data: {
      prepareFingerprint: async (spec, opts) => (await import('../data/index.js')).prepareFingerprint(spec, opts),
      prepareData: async (spec, opts) => (await import('../data/index.js')).prepareData(spec, opts),
    },
    evaluation: {
      async evaluate(workDir, spec, seg) {
        // TEMPORARY until issue-19-eval lands the production report.
        if (!spec.split) return { summary: [`production run of ${seg.name}`], dir: workDir };
        const evaluation = await import('../eval/index.js');
        const { report, dir } = await evaluation.reportRun(workDir, spec);
        return { summary: evaluation.summarizeReport(report), dir };
      },
      // TEMPORARY (issue-19-eval replaces these with src/eval's streaming implementations).
      async writeSegmentsCsv(dir, files, out) {
        const { readFile, writeFile } = await import('node:fs/promises');
        const { join } = await import('node:path');
        const evaluation = await import('../eval/index.js');
        const rows = ['query,rank,user'];
        const queries = new Set<string>();
        for (const f of files) {
          for (const l of evaluation.parseSegmentFile(await readFile(join(dir, f), 'utf8'), f).lines) {
            if (l.error !== undefined) continue;
            const q = 'itemId' in l.query ? l.query.itemId : l.query.itemAttributes;
            queries.add(q);
            l.users.forEach((u, i) => rows.push(`${q},${i + 1},${u}`));
          }
        }
        await writeFile(out, rows.join('\n') + '\n');
        return { queries: queries.size, rows: rows.length - 1 };
      },
      async compareSegments(previous, current, out) {
        const { readFile, writeFile } = await import('node:fs/promises');
        const read = async (p: string) => new Set((await readFile(p, 'utf8')).split('\n').slice(1).filter(Boolean).map((l) => { const a = l.split(','); return `${a[0]},${a[2]}`; }));
        const [a, b] = [await read(previous), await read(current)];
        const stayed = [...b].filter((x) => a.has(x)).length;
        const qs = (s: Set<string>) => new Set([...s].map((x) => x.split(',')[0]!));
        const [qa, qb] = [qs(a), qs(b)];
        await writeFile(out, 'query,entered,stayed,left\n');
        return { entered: b.size - stayed, stayed, left: a.size - stayed, queriesAdded: [...qb].filter((q) => !qa.has(q)).length, queriesRemoved: [...qa].filter((q) => !qb.has(q)).length };
      },
    },
    async startEmulator({ dataDir, options }) {
      const { startEmulator } = await import('../emulator/index.js');
      return startEmulator({ dataDir, port: 0, ...(options ?? {}) });
    },
    ports: (target, endpoint) => createPorts({ target, ...(endpoint ? { endpoint } : {}) }),
  };
}
