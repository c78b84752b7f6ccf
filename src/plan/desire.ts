import type { Spec } from '../spec/types.js';
import type { PipelineState } from '../state/types.js';
import type { Desired, Env, PreparedData, StepDefinition } from '../resources/types.js';

/**
 * Every step's desired value, in topological order (each step sees its dependencies'). Pure: the same spec,
 * environment, prepared data and state always give the same names and inputs.
 */
export function desireAll(spec: Spec, env: Env, prepared: PreparedData, state: PipelineState, steps: StepDefinition[]): Map<string, Desired> {
  const out = new Map<string, Desired>();
  const ids = new Set(steps.map((s) => s.id));
  for (const step of steps) {
    out.set(
      step.id,
      step.desired({
        spec,
        env,
        prepared,
        record: state.steps[step.id],
        has: (id) => ids.has(id),
        upstream: (id) => {
          const d = out.get(id);
          if (!d) throw new Error(`step ${step.id} reads ${id}, which is not computed before it`);
          return d;
        },
      }),
    );
  }
  return out;
}
