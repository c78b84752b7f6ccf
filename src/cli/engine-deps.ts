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
      async evaluate(workDir, spec, segmentation) {
        const evaluation = await import('../eval/index.js');
        const { report, dir } = await evaluation.reportRun(workDir, spec, undefined, { segmentation });
        return { summary: evaluation.applySummary(report), dir };
      },
      writeSegmentsCsv: async (dir, files, out) => (await import('../eval/index.js')).writeSegmentsCsv(dir, files, out),
      compareSegments: async (previous, current, out) => (await import('../eval/index.js')).compareSegments(previous, current, out),
    },
    async startEmulator({ dataDir, options }) {
      const { startEmulator } = await import('../emulator/index.js');
      return startEmulator({ dataDir, port: 0, ...(options ?? {}) });
    },
    ports: (target, endpoint) => createPorts({ target, ...(endpoint ? { endpoint } : {}) }),
  };
}
