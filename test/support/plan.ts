import { estimateCost } from '../../src/cost/formulas.js';
import { resolvePrices } from '../../src/cost/prices.js';
import type { Plan } from '../../src/plan/types.js';

/**
 * A plan of `demo` for the renderers' tests: these steps (id, action, reasons), each a bucket step titled by its id
 * and named demo-<id>, a small cost estimate against a budget of `maxUsd`.
 */
export function testPlan(actions: Array<[string, Plan['steps'][number]['action'], string[]]>, maxUsd = 25): Plan {
  return {
    version: 1,
    pipeline: 'demo',
    specFile: '/x.yaml',
    specHash: 'h',
    target: { kind: 'local', region: 'us-east-1' },
    createdAt: '',
    steps: actions.map(([id, action, reasons]) => ({
      id,
      kind: 'bucket',
      title: id,
      deps: [],
      action,
      reasons,
      name: `demo-${id}`,
      inputs: {},
      inputsHash: '',
      costly: false,
      local: false,
    })),
    cost: estimateCost({ ingestBytes: 1e9, trainingHours: { low: 1, high: 2 }, segments: { users: 1000, queries: 10 } }, resolvePrices('us-east-1', undefined)),
    budgetUsd: maxUsd,
    basisHash: '',
    changes: actions.filter(([, a]) => a !== 'noop').length,
  };
}
