import { SegflowError } from '../util/errors.js';
import type { PipelineState } from './types.js';

/** The text of a stored state -> PipelineState, or STATE_CORRUPT naming where it was read. */
export function parseState(text: string, where: string): PipelineState {
  try {
    const parsed = JSON.parse(text) as PipelineState;
    if (parsed.version !== 1 || typeof parsed.steps !== 'object') throw new Error('unknown state version');
    return parsed;
  } catch (e) {
    throw new SegflowError('STATE_CORRUPT', `cannot read ${where}: ${(e as Error).message}`, [
      'the file was not written by this version of segflow; move it away to start over (resources are adopted by name)',
    ]);
  }
}
