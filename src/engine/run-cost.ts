import { actualCost, estimateCost, sumQuantities, type RunCost } from '../cost/formulas.js';
import { resolvePrices } from '../cost/prices.js';
import type { Plan } from '../plan/types.js';
import { RENEWS_PAID } from '../plan/types.js';
import type { StepContext, StepDefinition } from '../resources/types.js';

/**
 * The cost of a run as its report shows it: the steps `stepId` is made from (itself and its dependencies,
 * transitively) that this apply ran, priced with the plan's formulas from what each step declares it is billed
 * (`billable`), and, on AWS, from what each reported after it ran (`billed`: billed training hours, bytes read,
 * users x queries). The local target costs nothing: only the estimate is shown.
 */
export function runCostOf(ctx: StepContext, plan: Plan, steps: StepDefinition[]): (stepId: string) => RunCost {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const ran = new Set(plan.steps.filter((s) => RENEWS_PAID.has(s.action)).map((s) => s.id));
  const upstream = (id: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(id)) return seen;
    seen.add(id);
    for (const d of byId.get(id)?.deps ?? []) upstream(d, seen);
    return seen;
  };
  const prices = resolvePrices(ctx.spec.target.region, ctx.spec.budget.prices);
  return (stepId) => {
    const prepared = ctx.prepared!;
    const billedSteps = [...upstream(stepId)]
      .filter((id) => ran.has(id))
      .map((id) => byId.get(id)!)
      .filter((s) => s.billable !== undefined);
    const input = (s: StepDefinition) => ({ spec: ctx.spec, prepared, desired: ctx.desired(s.id) });
    const estimate = estimateCost(sumQuantities(billedSteps.map((s) => s.billable!(input(s)))), prices);
    const cost: RunCost = { estimate: { lowUsd: estimate.lowUsd, highUsd: estimate.totalUsd, lines: estimate.lines } };
    if (ctx.spec.target.kind !== 'aws') return cost;
    const billed = sumQuantities(
      billedSteps.map((s) => {
        const record = ctx.state.step(s.id);
        return record && s.billed ? s.billed({ ...input(s), record }) : {};
      }),
    );
    const actual = actualCost(
      { ingestBytes: billed.ingestBytes, trainingHours: billed.trainingHours?.high ?? 0, ...(billed.segments ? { segments: billed.segments } : {}) },
      prices.prices,
    );
    return { ...cost, actual };
  };
}
