import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SegflowError } from '../util/errors.js';
import type { ModelChoice, SegmentationRecipe, SolutionMetrics } from './api.js';
import type { ModelConfig } from './candidates.js';
import type { ItemAttributes } from './dataset.js';
import { completeMatrix, type Matrix } from './matrix.js';
import type { ScorerParams } from './scorer.js';

/**
 * A trained model on disk: a directory with model.json (metadata), users.json / items.json (ids in index
 * order), attributes.json (item attributes, attribute recipe) and the user x item matrix as typed-array files.
 * The item-oriented half is rebuilt on load (cheaper than storing it twice).
 */
export const MODEL_FORMAT = 'segflow-item-knn';
export const MODEL_VERSION = 2;

export interface ModelMeta {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  recipe: SegmentationRecipe;
  hiddenDimension: number;
  /** The served model (chosen on validation). */
  model: ModelConfig;
  /** The validation contest that chose it. */
  choice: ModelChoice;
  users: number;
  items: number;
  interactions: number;
  metrics: SolutionMetrics;
  /** The latest interaction timestamp (recency is measured from it). */
  maxTime: number;
}

export interface StoredModel {
  meta: ModelMeta;
  userIds: string[];
  itemIds: string[];
  matrix: Matrix;
  attributes?: ItemAttributes;
}

/** A fresh temporary sibling of a model directory. */
export function tempModelDir(modelDir: string): string {
  return join(dirname(modelDir), `.${basename(modelDir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

function writeArray(path: string, a: Int32Array | Float32Array | Float64Array) {
  writeFileSync(path, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/** Reads a little-endian typed array file (copied into an aligned buffer of its own). */
function readArray<T>(path: string, make: new (length: number) => T & { buffer: ArrayBufferLike }, bytes: number): T {
  const b = readFileSync(path);
  const out = new make(b.byteLength / bytes);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** Writes the model into tmpDir (which must not exist yet); publishModel makes it visible. */
export function writeModel(model: StoredModel, tmpDir: string): void {
  mkdirSync(tmpDir, { recursive: true });
  writeFileSync(join(tmpDir, 'users.json'), JSON.stringify(model.userIds));
  writeFileSync(join(tmpDir, 'items.json'), JSON.stringify(model.itemIds));
  if (model.attributes) writeFileSync(join(tmpDir, 'attributes.json'), JSON.stringify(model.attributes));
  writeArray(join(tmpDir, 'user-ptr.bin'), model.matrix.userPtr);
  writeArray(join(tmpDir, 'user-items.bin'), model.matrix.userItems);
  writeArray(join(tmpDir, 'user-count.bin'), model.matrix.userCount);
  writeArray(join(tmpDir, 'user-last.bin'), model.matrix.userLast);
  // model.json last: its presence marks a complete model
  writeFileSync(join(tmpDir, 'model.json'), JSON.stringify(model.meta, null, 2) + '\n');
}

/** Renames a written model directory to modelDir, replacing an old model (the caller's thread decides when). */
export function publishModel(tmpDir: string, modelDir: string): void {
  mkdirSync(dirname(modelDir), { recursive: true });
  if (existsSync(modelDir)) {
    const old = `${tmpDir}.old`;
    renameSync(modelDir, old);
    renameSync(tmpDir, modelDir);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(tmpDir, modelDir);
  }
}

export function loadModel(modelDir: string): StoredModel {
  let meta: ModelMeta;
  try {
    meta = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as ModelMeta;
  } catch (e) {
    throw new SegflowError('EMU_MODEL_MISSING', `no trained model in ${modelDir}: ${(e as Error).message}`);
  }
  const version: number = meta.version;
  if (meta.format !== MODEL_FORMAT || (version !== MODEL_VERSION && version !== 1)) {
    throw new SegflowError('EMU_MODEL_FORMAT', `${modelDir}: unsupported model format ${meta.format} v${version}`);
  }
  if (version === 1) meta = upgradeV1(meta as unknown as ModelMeta & { params: ScorerParams });
  const userIds = JSON.parse(readFileSync(join(modelDir, 'users.json'), 'utf8')) as string[];
  const itemIds = JSON.parse(readFileSync(join(modelDir, 'items.json'), 'utf8')) as string[];
  const matrix: Matrix = completeMatrix({
    numUsers: userIds.length,
    numItems: itemIds.length,
    userPtr: readArray(join(modelDir, 'user-ptr.bin'), Int32Array, 4),
    userItems: readArray(join(modelDir, 'user-items.bin'), Int32Array, 4),
    userCount: readArray(join(modelDir, 'user-count.bin'), Float32Array, 4),
    userLast: readArray(join(modelDir, 'user-last.bin'), Float64Array, 8),
    maxTime: meta.maxTime,
  });
  const attrPath = join(modelDir, 'attributes.json');
  const attributes = existsSync(attrPath) ? (JSON.parse(readFileSync(attrPath, 'utf8')) as ItemAttributes) : undefined;
  return { meta, userIds, itemIds, matrix, ...(attributes ? { attributes } : {}) };
}

/** Identifies one saved model version (a retrain replaces the directory, changing the inode and mtime). */
export function modelStamp(modelDir: string): string {
  const s = statSync(join(modelDir, 'model.json'));
  return `${s.ino}:${s.mtimeMs}:${s.size}`;
}

/** A version 1 model (before the validation contest) served its item-kNN parameters: the same model now. */
function upgradeV1(meta: ModelMeta & { params: ScorerParams }): ModelMeta {
  const model: ModelConfig = { base: { kind: 'item-knn', params: meta.params }, priorWeight: 0, priorHalfLifeDays: 0 };
  const choice: ModelChoice = {
    chosen: 'item-knn',
    description: 'item-kNN (a model trained before the validation contest)',
    validation: { start: 0, trainRows: 0, validationRows: 0, warmUsers: 0, queries: 0, k: 0 },
    candidates: [],
    skipped: [],
  };
  return { ...meta, version: MODEL_VERSION, model, choice };
}
