import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SegflowError } from '../util/errors.js';
import type { SegmentationRecipe, SolutionMetrics } from './api.js';
import type { ItemAttributes } from './dataset.js';
import { transpose, type Matrix } from './matrix.js';
import type { ScorerParams } from './scorer.js';

/**
 * A trained model on disk: a directory with model.json (metadata), users.json / items.json (ids in index
 * order), attributes.json (item attributes, attribute recipe) and the user x item matrix as two Int32 files.
 * The item-oriented half is rebuilt on load (cheaper than storing it twice).
 */
export const MODEL_FORMAT = 'segflow-item-knn';
export const MODEL_VERSION = 1;

export interface ModelMeta {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  recipe: SegmentationRecipe;
  hiddenDimension: number;
  params: ScorerParams;
  users: number;
  items: number;
  interactions: number;
  metrics: SolutionMetrics;
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

function writeInt32(path: string, a: Int32Array) {
  writeFileSync(path, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

function readInt32(path: string): Int32Array {
  const b = readFileSync(path);
  // copy into an aligned buffer of its own
  const out = new Int32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** Writes the model into tmpDir (which must not exist), then renames it to modelDir, replacing an old one. */
export function saveModel(model: StoredModel, tmpDir: string, modelDir: string): void {
  mkdirSync(tmpDir, { recursive: true });
  writeFileSync(join(tmpDir, 'users.json'), JSON.stringify(model.userIds));
  writeFileSync(join(tmpDir, 'items.json'), JSON.stringify(model.itemIds));
  if (model.attributes) writeFileSync(join(tmpDir, 'attributes.json'), JSON.stringify(model.attributes));
  writeInt32(join(tmpDir, 'user-ptr.bin'), model.matrix.userPtr);
  writeInt32(join(tmpDir, 'user-items.bin'), model.matrix.userItems);
  // model.json last: its presence marks a complete model
  writeFileSync(join(tmpDir, 'model.json'), JSON.stringify(model.meta, null, 2) + '\n');
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
  if (meta.format !== MODEL_FORMAT || meta.version !== MODEL_VERSION) {
    throw new SegflowError('EMU_MODEL_FORMAT', `${modelDir}: unsupported model format ${meta.format} v${meta.version}`);
  }
  const userIds = JSON.parse(readFileSync(join(modelDir, 'users.json'), 'utf8')) as string[];
  const itemIds = JSON.parse(readFileSync(join(modelDir, 'items.json'), 'utf8')) as string[];
  const userPtr = readInt32(join(modelDir, 'user-ptr.bin'));
  const userItems = readInt32(join(modelDir, 'user-items.bin'));
  const numUsers = userIds.length;
  const numItems = itemIds.length;
  const matrix: Matrix = { numUsers, numItems, userPtr, userItems, ...transpose(numUsers, numItems, userPtr, userItems) };
  const attrPath = join(modelDir, 'attributes.json');
  const attributes = existsSync(attrPath) ? (JSON.parse(readFileSync(attrPath, 'utf8')) as ItemAttributes) : undefined;
  return { meta, userIds, itemIds, matrix, ...(attributes ? { attributes } : {}) };
}

/** Identifies one saved model version (a retrain replaces the directory, changing the inode and mtime). */
export function modelStamp(modelDir: string): string {
  const s = statSync(join(modelDir, 'model.json'));
  return `${s.ino}:${s.mtimeMs}:${s.size}`;
}
