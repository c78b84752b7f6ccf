import { inputError } from '../util/errors.js';
import type { ModelChoice, SegmentationRecipe, TrainResult } from './api.js';
import { describeModel, modelName, type ModelConfig } from './candidates.js';
import { parseInteractionsFile, parseItemsFile, type ItemAttributes } from './dataset.js';
import { buildMatrix } from './matrix.js';
import { solutionMetrics } from './metrics.js';
import { MODEL_FORMAT, MODEL_VERSION, writeModel } from './model-store.js';
import { DEFAULT_PARAMS, type ScorerParams } from './scorer.js';
import { selectModel, type Selection } from './selection.js';

export const DEFAULT_HIDDEN_DIMENSION = 149;

/** What the worker receives: TrainInput without the callbacks, plus the temporary directory to write into. */
export interface TrainJob {
  recipe: SegmentationRecipe;
  interactionsCsv: string;
  itemsCsv?: string;
  hiddenDimension?: number;
  selectModel?: boolean;
  modelDir: string;
  tmpDir: string;
}

/** hidden_dimension is the neighbourhood size: how many most-similar items vote for a query item. */
export function scorerParams(hiddenDimension: number): ScorerParams {
  return { ...DEFAULT_PARAMS, neighbours: hiddenDimension };
}

function readFile<T>(path: string, what: string, read: (path: string) => T): T {
  try {
    return read(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      throw inputError('DATA_UNREADABLE', `cannot read the ${what} file ${path}: ${(e as Error).message}`);
    }
    throw e;
  }
}

/**
 * Trains synchronously (inside the worker): parse, metrics on the holdout, full model written to job.tmpDir.
 * The caller publishes it (publishModel) unless it was aborted meanwhile, so an abort never leaves a model.
 */
export function trainSync(job: TrainJob, onProgress: (fraction: number) => void = () => {}): TrainResult {
  const started = performance.now();
  const hiddenDimension = job.hiddenDimension ?? DEFAULT_HIDDEN_DIMENSION;
  if (!Number.isInteger(hiddenDimension) || hiddenDimension < 32 || hiddenDimension > 256) {
    throw inputError('DATA_BAD_HYPERPARAMETER', `hidden_dimension must be an integer in 32..256, got ${hiddenDimension}`);
  }
  if (job.recipe === 'aws-item-attribute-affinity' && !job.itemsCsv) {
    throw inputError('DATA_ITEMS_REQUIRED', 'aws-item-attribute-affinity needs an items dataset');
  }
  const data = readFile(job.interactionsCsv, 'interactions', parseInteractionsFile);
  onProgress(0.1);
  let attributes: ItemAttributes | undefined;
  if (job.itemsCsv) {
    attributes = readFile(job.itemsCsv, 'items', (p) => parseItemsFile(p, data.itemIds));
    if (job.recipe === 'aws-item-attribute-affinity' && attributes.columns.length === 0) {
      throw inputError('DATA_ITEMS_REQUIRED', `${job.itemsCsv}: aws-item-attribute-affinity needs at least one attribute column`);
    }
  }
  onProgress(0.15);
  const params = scorerParams(hiddenDimension);
  const evalAttrs = job.recipe === 'aws-item-attribute-affinity' ? attributes : undefined;
  const kind = evalAttrs ? 'attribute' : 'item';
  const choice =
    job.selectModel === false
      ? withoutContest({ base: { kind: 'item-knn', params }, priorWeight: 0, priorHalfLifeDays: 0 })
      : toChoice(selectModel(data, kind, params, evalAttrs, (f) => onProgress(0.15 + 0.45 * f)));
  const metrics = solutionMetrics(data, choice.config, evalAttrs, (f) => onProgress(0.6 + 0.3 * f));
  const numUsers = data.userIds.length;
  const numItems = data.itemIds.length;
  const matrix = buildMatrix(numUsers, numItems, data.user, data.item, data.time);
  onProgress(0.95);
  writeModel(
    {
      meta: {
        format: MODEL_FORMAT,
        version: MODEL_VERSION,
        recipe: job.recipe,
        hiddenDimension,
        model: choice.config,
        choice: choice.report,
        users: numUsers,
        items: numItems,
        interactions: data.user.length,
        metrics,
        maxTime: matrix.maxTime,
      },
      userIds: data.userIds,
      itemIds: data.itemIds,
      matrix,
      ...(attributes ? { attributes } : {}),
    },
    job.tmpDir,
  );
  onProgress(1);
  return {
    metrics,
    choice: choice.report,
    users: numUsers,
    items: numItems,
    interactions: data.user.length,
    trainingSeconds: Math.round((performance.now() - started) / 10) / 100,
  };
}

function toChoice(s: Selection): { config: ModelConfig; report: ModelChoice } {
  return {
    config: s.config,
    report: {
      chosen: s.chosen,
      description: describeModel(s.config),
      ...(s.note ? { note: s.note } : {}),
      validation: s.validation,
      candidates: s.candidates.map((c) => ({ name: c.name, hits: c.hits, recall: c.recall })),
      skipped: s.skipped,
    },
  };
}

function withoutContest(config: ModelConfig): { config: ModelConfig; report: ModelChoice } {
  return {
    config,
    report: {
      chosen: modelName(config),
      description: describeModel(config),
      note: 'no validation contest (selectModel false)',
      validation: { start: 0, trainRows: 0, validationRows: 0, warmUsers: 0, queries: 0, k: 0 },
      candidates: [],
      skipped: [],
    },
  };
}
