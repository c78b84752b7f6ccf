import { mkdir, readFile, writeFile, access } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import type { StepDefinition } from '../resources/types.js';
import type { Spec } from '../spec/types.js';
import type { StepRecord } from '../state/types.js';
import { stateOf } from '../spec/types.js';
import { reportsDir } from '../util/paths.js';
import type { EngineDeps } from './deps.js';
import type { Emit } from './events.js';
import type { Session } from './session.js';
import { openStateBackend } from './state-backend.js';

/** The report file of a run (src/eval's REPORT_FILES.json; a test keeps the two equal). */
export const REPORT_JSON = 'report.json';

/** The lines the steps' records give for the end of apply and for status (each report's figures), in step order. */
export function summaryLines(steps: StepDefinition[], records: Record<string, StepRecord>): string[] {
  return steps.flatMap((s) => {
    const r = records[s.id];
    return r && s.summary ? s.summary(r) : [];
  });
}

/**
 * With a shared state, the report of a run apply just made is stored beside the state, so that `report --history`
 * shows the same runs on every machine. It is stored under its path below .segflow/reports/<name>/ (`<runId>` for
 * the primary segmentation, `segmentations/<segmentation>/<runId>` for the others), so syncReports puts it back in
 * the same place. A failure to store it is a warning: the run itself succeeded and its report is on this machine.
 */
export async function keepReport(session: Session, dir: string, emit: Emit): Promise<void> {
  const store = session.backend.reports;
  if (!store) return;
  const below = relative(reportsDir(session.ctx.spec.name, session.ctx.cwd), dir);
  const runId = below && !below.startsWith('..') && !isAbsolute(below) ? below.split(sep).join('/') : basename(dir);
  try {
    await store.put(runId, await readFile(join(dir, REPORT_JSON), 'utf8'));
    emit({ type: 'info', message: `report of run ${runId} stored in ${store.location}` });
  } catch (e) {
    emit({ type: 'info', message: `warning: the report of run ${runId} could not be stored in ${store.location}: ${(e as Error).message}` });
  }
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/**
 * Brings the reports stored beside a shared state into this machine's .segflow/reports/<name>/ (those it does not
 * have yet), each segmentation's into its own directory. Nothing to do for the local backend. Returns how many were
 * fetched.
 */
export async function syncReports(opts: { spec: Spec; cwd: string; deps: EngineDeps }): Promise<number> {
  const { spec, cwd, deps } = opts;
  if (stateOf(spec).backend === 'local') return 0;
  const opened = await openStateBackend(spec, cwd, deps);
  try {
    const store = opened.backend.reports;
    if (!store) return 0;
    const root = reportsDir(spec.name, cwd);
    let fetched = 0;
    for (const runId of await store.list()) {
      const file = join(root, runId, REPORT_JSON);
      if (await exists(file)) continue;
      const text = await store.get(runId);
      if (text === undefined) continue;
      await mkdir(join(root, runId), { recursive: true });
      await writeFile(file, text);
      fetched++;
    }
    return fetched;
  } finally {
    opened.close();
  }
}
