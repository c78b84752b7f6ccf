import { applyPipeline, type ApplyOptions } from '../../src/engine/apply.js';
import { destroyPipeline } from '../../src/engine/destroy.js';
import type { EngineDeps } from '../../src/engine/deps.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { Plan } from '../../src/plan/types.js';
import type { Spec } from '../../src/spec/types.js';

/**
 * apply and destroy as the engine's unit tests run them: fast polls, auto-approved, events collected. `where`
 * is read at each call, so a test file can swap its fake world and working directory in beforeEach.
 */
export function engineRunner(where: () => { deps: EngineDeps; cwd: string }) {
  /** Applies; a run that did not all work rejects with its error (its summary attached for inspection). */
  async function apply(spec: Spec, extra: Partial<ApplyOptions> = {}) {
    const events: EngineEvent[] = [];
    const outcome = await applyPipeline({
      spec,
      ...where(),
      signal: new AbortController().signal,
      emit: (e) => events.push(e),
      autoApprove: true,
      approveCost: false,
      pollInitialMs: 1,
      pollMaxMs: 2,
      ...extra,
    });
    if (!outcome.ok) throw outcome.error;
    const plan = (events.find((e) => e.type === 'plan') as { plan: Plan }).plan;
    return { summary: outcome.summary, plan, events };
  }

  function destroy(spec: Spec, keepData = false) {
    return destroyPipeline({ spec, ...where(), signal: new AbortController().signal, emit: () => undefined, keepData, pollInitialMs: 1, pollMaxMs: 2 });
  }

  /** Each step's planned action by id. */
  function actions(plan: Plan): Record<string, string> {
    return Object.fromEntries(plan.steps.map((s) => [s.id, s.action]));
  }

  return { apply, destroy, actions };
}
