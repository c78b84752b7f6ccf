import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Emu } from '../context.js';
import { choiceMetrics, trainModel } from '../../model/index.js';
import type { PzRecord } from '../store/state.js';
import { modelDirOf } from './data-files.js';
import { parseAvroSchema } from './avro-schema.js';
import { checkImportCsv, checkInteractionMinimums } from './csv-check.js';
import { recipeByArn } from './recipes.js';
import { beginAttempt, find, resources, setStatus } from './resources.js';
import { FORCED_FAILURE } from './transitions.js';

/**
 * CreateSolutionVersion really trains: the dataset group's imported interactions (and items) go to the local model
 * (src/model), which trains in a worker thread and writes the model under <dataDir>/models/. A stop aborts it.
 * A restart re-trains versions that were in flight (training is deterministic; the model directory is rewritten).
 */
const stops = new WeakMap<Emu, Map<string, AbortController>>();

function controllers(emu: Emu): Map<string, AbortController> {
  let m = stops.get(emu);
  if (!m) stops.set(emu, (m = new Map<string, AbortController>()));
  return m;
}

/**
 * Stopping takes a while on AWS too (CREATE IN_PROGRESS > CREATE STOPPING > CREATE STOPPED, the training has to stop
 * first): a stopped version stays CREATE STOPPING for this many lifecycle steps after its training was aborted
 * (fast: 200 ms, realistic: 20 s), so a client polling it sees CREATE STOPPING more than once.
 */
export const STOPPING_STEPS = 10;

function settleStop(emu: Emu, arn: string): void {
  emu.lifecycle.after(STOPPING_STEPS, async () => {
    const v = find(emu, arn, 'solutionVersion');
    if (v?.status === 'CREATE STOPPING' && !controllers(emu).has(arn)) {
      setStatus(v, 'CREATE STOPPED');
      await emu.store.commit();
    }
  });
}

export function stopTraining(emu: Emu, arn: string): void {
  const c = controllers(emu).get(arn);
  // A running training is aborted and settles when it has ended; one not running here settles on its own.
  if (c) c.abort(new Error('stopped'));
  else settleStop(emu, arn);
}

export function runTraining(emu: Emu, arn: string): void {
  emu.lifecycle.after(1, async () => {
    const v = find(emu, arn, 'solutionVersion');
    if (!v || (v.status !== 'CREATE PENDING' && v.status !== 'CREATE IN_PROGRESS')) return;
    if (!beginAttempt(v)) return void (await emu.store.commit());
    setStatus(v, 'CREATE IN_PROGRESS');
    await emu.store.commit();
    // Stopped while the status was being written: the stop settles on its own, nothing to train.
    if (v.status !== 'CREATE IN_PROGRESS') return;
    const controller = new AbortController();
    const onClose = () => controller.abort(new Error('emulator closing'));
    emu.lifecycle.signal.addEventListener('abort', onClose, { once: true });
    controllers(emu).set(arn, controller);
    let outcome: { ok: true; metrics: Record<string, number>; seconds: number } | { ok: false; reason: string };
    try {
      await trainingDelay(emu.faults.current.trainingDelayMs ?? 0, controller.signal);
      outcome = await train(emu, v, arn, controller.signal);
    } catch (e) {
      outcome = { ok: false, reason: `Training failed: ${(e as Error).message}` };
    } finally {
      controllers(emu).delete(arn);
      emu.lifecycle.signal.removeEventListener('abort', onClose);
    }
    if (emu.lifecycle.closed) return; // stays CREATE IN_PROGRESS on disk; the next start trains again
    const current = find(emu, arn, 'solutionVersion');
    if (!current) return;
    if (current.status === 'CREATE STOPPING') return settleStop(emu, arn);
    if (outcome.ok) {
      current._metrics = outcome.metrics;
      current.trainingHours = Math.round((outcome.seconds / 3600) * 1e6) / 1e6;
      current.trainingProgress = 1;
      setStatus(current, 'ACTIVE');
    } else setStatus(current, 'CREATE FAILED', outcome.reason);
    await emu.store.commit();
  });
}

async function train(
  emu: Emu,
  v: PzRecord,
  arn: string,
  signal: AbortSignal,
): Promise<{ ok: true; metrics: Record<string, number>; seconds: number } | { ok: false; reason: string }> {
  if (emu.faults.forcesFailure('CreateSolutionVersion')) return { ok: false, reason: FORCED_FAILURE('CreateSolutionVersion') };
  const recipe = recipeByArn(String(v.recipeArn));
  if (!recipe) return { ok: false, reason: `Unknown recipe ${String(v.recipeArn)}.` };
  const datasets = Object.values(resources(emu)).filter((d) => d._kind === 'dataset' && d.datasetGroupArn === v.datasetGroupArn && d.status === 'ACTIVE');
  const interactions = datasets.find((d) => d.datasetType === 'INTERACTIONS');
  const items = datasets.find((d) => d.datasetType === 'ITEMS');
  const interactionsText = interactions ? await datasetCsv(emu, interactions) : undefined;
  if (!interactionsText)
    return { ok: false, reason: `The dataset group ${String(v.datasetGroupArn)} has no imported interactions data. Import an Interactions dataset first.` };
  const fields = parseSchemaOf(emu, interactions!);
  if (fields) {
    const checked = checkImportCsv('interactions', interactionsText, fields);
    const problem = checked.ok ? checkInteractionMinimums(checked.rows, fields) : checked.reason;
    if (problem) return { ok: false, reason: problem };
  }
  const itemsText = items ? await datasetCsv(emu, items) : undefined;
  if (recipe.name === 'aws-item-attribute-affinity' && !itemsText) {
    return {
      ok: false,
      reason: 'The aws-item-attribute-affinity recipe requires an Items dataset with imported data and at least one categorical metadata column.',
    };
  }
  const hp = (v.solutionConfig as { algorithmHyperParameters?: Record<string, string> } | undefined)?.algorithmHyperParameters;
  const modelDir = modelDirOf(emu, arn);
  await rm(modelDir, { recursive: true, force: true });
  // The model reads its input from files: the imported rows are written to a scratch directory for it.
  const scratch = emu.blobs.tempPath();
  await mkdir(scratch, { recursive: true });
  try {
    const interactionsCsv = join(scratch, 'interactions.csv');
    await writeFile(interactionsCsv, interactionsText);
    let itemsCsv: string | undefined;
    if (itemsText) {
      itemsCsv = join(scratch, 'items.csv');
      await writeFile(itemsCsv, itemsText);
    }
    const started = Date.now();
    const result = await trainModel({
      recipe: recipe.name,
      interactionsCsv,
      itemsCsv,
      hiddenDimension: hp?.hidden_dimension ? Number(hp.hidden_dimension) : undefined,
      modelDir,
      signal,
      onProgress: (fraction) => reportProgress(emu, arn, fraction, started),
    });
    // the Personalize metrics, then the model choice (segflow.* keys, an emulator extension: src/model/choice-metrics.ts)
    return { ok: true, metrics: { ...result.metrics, ...choiceMetrics(result.choice) }, seconds: result.trainingSeconds };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Training progress, visible while the version is CREATE IN_PROGRESS: `trainingHours` so far (a modeled member, so
 * every SDK sees it grow) and `trainingProgress` in [0, 1] (an emulator extension: SDKs drop unmodeled members,
 * raw JSON clients see it). In memory only: a restart trains again from the start anyway.
 */
function reportProgress(emu: Emu, arn: string, fraction: number, started: number): void {
  const v = find(emu, arn, 'solutionVersion');
  if (!v || v.status !== 'CREATE IN_PROGRESS') return;
  v.trainingHours = hoursSince(started);
  v.trainingProgress = Math.round(Math.min(1, Math.max(0, fraction)) * 1000) / 1000;
  v.lastUpdatedDateTime = Date.now();
}

function hoursSince(started: number): number {
  return Math.round(((Date.now() - started) / 3_600_000) * 1e6) / 1e6;
}

function parseSchemaOf(emu: Emu, dataset: PzRecord) {
  const schema = find(emu, String(dataset.schemaArn), 'schema');
  const parsed = schema ? parseAvroSchema(String(schema.schema)) : undefined;
  return parsed?.ok ? parsed.fields : undefined;
}

/** The dataset's imported rows as one CSV (FULL import plus later INCREMENTAL ones, one header). */
export async function datasetCsv(emu: Emu, dataset: PzRecord): Promise<string | undefined> {
  const blobs = (dataset._data as string[] | undefined) ?? [];
  if (blobs.length === 0) return undefined;
  const parts: string[] = [];
  for (const [i, b] of blobs.entries()) {
    const text = (await emu.blobs.read(b)).toString('utf8');
    parts.push(i === 0 ? text : text.slice(text.indexOf('\n') + 1));
  }
  return parts.join('');
}

/** After a restart: versions that were training train again; stops in flight settle. */
export function resumeTraining(emu: Emu): void {
  for (const [arn, v] of Object.entries(resources(emu))) {
    if (v._kind !== 'solutionVersion') continue;
    if (v.status === 'CREATE PENDING' || v.status === 'CREATE IN_PROGRESS') runTraining(emu, arn);
    else if (v.status === 'CREATE STOPPING') stopTraining(emu, arn);
  }
}

/** The fault `trainingDelayMs`: a wait before learning that a stop (or the emulator closing) ends at once. */
function trainingDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
