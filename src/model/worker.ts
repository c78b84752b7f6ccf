import { parentPort, workerData } from 'node:worker_threads';
import { isSegflowError } from '../util/errors.js';
import type { SegmentQuery } from './api.js';
import { loadModel } from './model-store.js';
import { Segmenter } from './segment.js';
import { trainSync, type TrainJob } from './train.js';

/** Worker-thread entry: trains or segments off the caller's thread and posts the outcome back. */
export type WorkerTask = { kind: 'train'; job: TrainJob } | { kind: 'segment'; modelDir: string; queries: SegmentQuery[]; numResults: number };

export type WorkerMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'done'; result: unknown }
  | { type: 'error'; error: { code?: string; message: string; exitCode?: number; details?: readonly string[] } };

const post = (m: WorkerMessage) => parentPort!.postMessage(m);

try {
  const task = workerData as WorkerTask;
  if (task.kind === 'train') {
    let last = -1;
    const result = trainSync(task.job, (fraction) => {
      // throttle: at most one message per percent
      const pct = Math.floor(fraction * 100);
      if (pct > last) {
        last = pct;
        post({ type: 'progress', fraction });
      }
    });
    post({ type: 'done', result });
  } else {
    const segmenter = new Segmenter(loadModel(task.modelDir));
    const result = task.queries.map((q) => segmenter.segment(q, task.numResults));
    post({ type: 'done', result });
  }
} catch (e) {
  const err = e as Error;
  post({
    type: 'error',
    error: isSegflowError(e) ? { code: e.code, message: e.message, exitCode: e.exitCode, details: e.details } : { message: err.stack ?? String(e) },
  });
}
