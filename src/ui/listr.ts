import type { Writable } from 'node:stream';
import { Listr, ListrLogger, ProcessOutput, type ListrTaskWrapper } from 'listr2';
import type { EngineEvent } from '../engine/events.js';
import type { Plan } from '../plan/types.js';
import { planLines } from './plan-text.js';

interface Deferred {
  resolve(): void;
  reject(e: Error): void;
  promise: Promise<void>;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { resolve, reject, promise };
}

type Task = ListrTaskWrapper<unknown, never, never>;
interface Entry {
  done: Deferred;
  task?: Task;
  skipWhy?: string;
  pending: string[];
}

/**
 * The terminal view: the plan is printed, then (with the first step event, i.e. after the confirmation prompt)
 * one listr2 task per step, running concurrently like the engine, each settled by the engine's events.
 * `finish()` waits for listr2 to draw its last frame.
 */
export function listrRenderer(out: Writable) {
  const steps = new Map<string, Entry>();
  let running: Promise<unknown> | undefined;
  let plan: Plan | undefined;
  const write = (s: string) => out.write(s + '\n');
  const stream = out as unknown as NodeJS.WriteStream;
  const logger = new ListrLogger({ processOutput: new ProcessOutput(stream, stream) });

  const start = (p: Plan) => {
    const list = new Listr(
      p.steps.map((s) => ({
        title: `${s.id}${s.action === 'noop' ? '' : ` (${s.action})`}`,
        task: async (_ctx: unknown, task: Task) => {
          const entry = steps.get(s.id)!;
          entry.task = task;
          for (const m of entry.pending) task.output = m;
          await entry.done.promise;
          if (entry.skipWhy) task.skip(`${s.id}: ${entry.skipWhy}`);
        },
      })),
      {
        concurrent: true,
        exitOnError: false,
        // The tasks go where the plan went (the command's stdout), not to whatever process.stdout is.
        rendererOptions: { collapseSubtasks: false, showErrorMessage: true, logger } as never,
        fallbackRendererOptions: { logger } as never,
      },
    );
    running = list.run().catch(() => undefined);
  };

  const emit = (e: EngineEvent) => {
    if (e.type === 'info') {
      if (!running) write(e.message);
      return;
    }
    if (e.type === 'plan') {
      for (const l of planLines(e.plan)) write(l);
      write('');
      plan = e.plan;
      for (const s of e.plan.steps) steps.set(s.id, { done: deferred(), pending: [] });
      return;
    }
    if (!running && plan) start(plan);
    const id = e.type === 'step-start' ? e.step.id : e.id;
    const entry = steps.get(id);
    if (!entry) return;
    switch (e.type) {
      case 'step-progress': {
        const msg = `${e.message}${e.fraction !== undefined ? ` ${Math.round(e.fraction * 100)}%` : ''}`;
        if (entry.task) entry.task.output = msg;
        else entry.pending.push(msg);
        break;
      }
      case 'step-done':
        if (entry.task && e.note) entry.task.title = `${entry.task.title}: ${e.note}`;
        entry.done.resolve();
        break;
      case 'step-failed':
        entry.done.reject(new Error(e.error));
        break;
      case 'step-skipped':
        entry.skipWhy = e.why;
        entry.done.resolve();
        break;
      case 'step-start':
        break;
    }
  };
  return {
    emit,
    async finish() {
      // Anything still open (a cancelled run) is closed so that listr2 stops drawing.
      for (const entry of steps.values()) entry.done.reject(new Error('interrupted'));
      await running;
    },
  };
}
