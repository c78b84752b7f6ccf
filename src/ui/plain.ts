import type { Writable } from 'node:stream';
import type { EngineEvent } from '../engine/events.js';
import { planLines } from './plan-text.js';

/**
 * Plain lines for CI and pipes: one line per step start/end, progress throttled to one line per step every
 * few seconds so logs stay readable.
 */
export function plainRenderer(out: Writable, opts: { progressEveryMs?: number; now?: () => number } = {}) {
  const every = opts.progressEveryMs ?? 5000;
  const now = opts.now ?? Date.now;
  const lastProgress = new Map<string, number>();
  const write = (s: string) => out.write(s + '\n');
  return (e: EngineEvent) => {
    switch (e.type) {
      case 'info':
        write(e.message);
        break;
      case 'plan':
        for (const l of planLines(e.plan)) write(l);
        write('');
        break;
      case 'step-start':
        write(`[${e.step.id}] ${e.step.action}${e.step.reasons.length ? ` (${e.step.reasons.join('; ')})` : ''}`);
        break;
      case 'step-progress': {
        const t = now();
        if (t - (lastProgress.get(e.id) ?? -Infinity) < every) break;
        lastProgress.set(e.id, t);
        write(`[${e.id}] ${e.message}${e.fraction !== undefined ? ` ${Math.round(e.fraction * 100)}%` : ''}`);
        break;
      }
      case 'step-done':
        write(`[${e.id}] done in ${(e.durationMs / 1000).toFixed(1)}s${e.adopted ? ' (adopted)' : ''}${e.note ? `: ${e.note}` : ''}`);
        break;
      case 'step-failed':
        write(`[${e.id}] FAILED: ${e.error}`);
        break;
      case 'step-skipped':
        if (e.why !== 'up to date') write(`[${e.id}] skipped: ${e.why}`);
        break;
    }
  };
}
