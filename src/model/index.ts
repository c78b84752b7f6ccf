import { rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { inputError, isErrorCode, SegflowError } from '../util/errors.js';
import type { SegmentQuery, SegmentResult, TrainInput, TrainResult } from './api.js';
import { publishModel, tempModelDir } from './model-store.js';
import type { WorkerMessage, WorkerTask } from './worker.js';

export type { ModelChoice, SegmentQuery, SegmentResult, TrainInput, TrainResult } from './api.js';
export { choiceMetrics } from './choice-metrics.js';

/**
 * The local segmentation model (see docs/model.md): trainModel for CreateSolutionVersion, segmentUsers for
 * CreateBatchSegmentJob. Both run in a worker thread so the emulator's HTTP thread stays responsive.
 */
export function trainModel(input: TrainInput): Promise<TrainResult> {
  const tmpDir = tempModelDir(input.modelDir);
  const task: WorkerTask = {
    kind: 'train',
    job: {
      recipe: input.recipe,
      interactionsCsv: input.interactionsCsv,
      ...(input.itemsCsv !== undefined ? { itemsCsv: input.itemsCsv } : {}),
      ...(input.hiddenDimension !== undefined ? { hiddenDimension: input.hiddenDimension } : {}),
      ...(input.selectModel !== undefined ? { selectModel: input.selectModel } : {}),
      modelDir: input.modelDir,
      tmpDir,
    },
  };
  return runWorker<TrainResult>(
    task,
    input.signal,
    input.onProgress,
    () => rmSync(tmpDir, { recursive: true, force: true }),
    () => publishModel(tmpDir, input.modelDir),
  );
}

/** Per query the top numResults users, best first; a bad query gets { error } and the rest are served. */
export function segmentUsers(modelDir: string, queries: SegmentQuery[], numResults: number): Promise<SegmentResult[]> {
  if (!Number.isInteger(numResults) || numResults < 1) {
    return Promise.reject(inputError('DATA_BAD_NUM_RESULTS', `numResults must be a positive integer, got ${numResults}`));
  }
  return runWorker<SegmentResult[]>({ kind: 'segment', modelDir, queries, numResults });
}

function abortReason(signal: AbortSignal): Error {
  // segflow aborts with an Error; AbortController.abort() without a reason gives a DOMException (an Error too).
  return signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}

function runWorker<T>(task: WorkerTask, signal?: AbortSignal, onProgress?: (fraction: number) => void, cleanup?: () => void, publish?: () => void): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: task });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      finish(() => {
        void worker.terminate().finally(() => {
          cleanup?.();
          reject(abortReason(signal!));
        });
      });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') {
        if (!settled) onProgress?.(m.fraction);
      } else if (m.type === 'done') {
        finish(() => {
          try {
            publish?.();
            resolve(m.result as T);
          } catch (e) {
            cleanup?.();
            reject(new SegflowError('RUN_MODEL_FAILED', `cannot publish the model: ${(e as Error).message}`));
          }
        });
      } else {
        const e = m.error;
        finish(() => {
          cleanup?.();
          reject(
            isErrorCode(e.code)
              ? new SegflowError(e.code, e.message, e.details ?? [])
              : new SegflowError('RUN_MODEL_FAILED', `model worker failed: ${e.message}`),
          );
        });
      }
    });
    worker.on('error', (e) =>
      finish(() => {
        cleanup?.();
        reject(new SegflowError('RUN_MODEL_FAILED', `model worker crashed: ${e.message}`));
      }),
    );
    worker.on('exit', (code) =>
      finish(() => {
        cleanup?.();
        reject(new SegflowError('RUN_MODEL_FAILED', `model worker exited with code ${code} before finishing`));
      }),
    );
  });
}
