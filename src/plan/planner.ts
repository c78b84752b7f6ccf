import { hashJson } from '../util/hash.js';
import { ARTIFACT_FILES } from '../data/artifacts.js';
import { preparedOf } from '../resources/prepare.js';
import type { Desired, Observation, StepContext, StepDefinition } from '../resources/types.js';
import { estimateCost, type CostEstimate, type CostQuantities } from './cost.js';
import { adviseCost } from './cost-advisor.js';
import { resolvePrices } from './prices.js';
import { estimateTrainingHours } from './training-hours.js';
import { decide } from './diff.js';
import { isChange, type Plan, type PlannedStep } from './types.js';

export function decisionKind(step: StepDefinition): 'local' | 'job' | 'resource' {
  if (step.job) return 'job';
  if (step.local || step.kind === 'upload' || step.kind === 'metrics') return 'local';
  return 'resource';
}

/**
 * Builds the plan: computes every step's desired name and inputs (preparing the data locally if needed), reads
 * the world once (reads run in parallel, at most one call per resource in the common case), then decides each
 * step's action from (desired, state, observation) with the pure `decide`.
 */
export async function buildPlan(ctx: StepContext, steps: StepDefinition[]): Promise<Plan> {
  const desired = new Map<string, Desired>();
  for (const step of steps) {
    const d = await step.desired(ctx);
    ctx.desired.set(step.id, d);
    desired.set(step.id, d);
  }
  const observations = new Map<string, Observation>();
  await Promise.all(
    steps.map(async (step) => {
      observations.set(step.id, await step.read(ctx, desired.get(step.id)!, ctx.state.step(step.id)));
    }),
  );
  const planned: PlannedStep[] = [];
  const changing = new Set<string>();
  for (const step of steps) {
    const d = desired.get(step.id)!;
    const o = observations.get(step.id)!;
    const { action, reasons } = decide({
      kind: decisionKind(step),
      desired: d,
      record: ctx.state.step(step.id),
      observation: o,
      changingDeps: step.deps.filter((x) => changing.has(x)),
    });
    if (isChange(action)) changing.add(step.id);
    planned.push({
      id: step.id,
      kind: step.kind,
      title: step.title,
      deps: step.deps,
      action,
      reasons,
      name: d.name,
      inputsHash: d.inputsHash,
      ...(o.arn ? { arn: o.arn } : {}),
      ...(o.status ? { status: o.status } : {}),
      costly: Boolean(step.costly),
      local: Boolean(step.local),
    });
  }
  const cost = planCost(ctx, planned);
  const spec = ctx.spec;
  const basisHash = hashJson({
    specHash: spec.fileHash,
    steps: planned.map((s) => [s.id, s.action, s.name, s.inputsHash, s.arn ?? null, s.status ?? null]),
  });
  return {
    version: 1,
    pipeline: spec.name,
    specFile: spec.file,
    specHash: spec.fileHash,
    target: { kind: spec.target.kind, region: spec.target.region },
    createdAt: new Date().toISOString(),
    steps: planned,
    cost,
    budgetUsd: spec.budget.maxUsd,
    basisHash,
    changes: planned.filter((s) => isChange(s.action)).length,
  };
}

function planCost(ctx: StepContext, steps: PlannedStep[]): CostEstimate {
  const p = preparedOf(ctx);
  const { spec } = ctx;
  const runs = (id: string) => {
    const s = steps.find((x) => x.id === id);
    return Boolean(s && (s.action === 'run' || s.action === 'create' || s.action === 'replace'));
  };
  const bytes = (file: string) => p.manifest.outputs[file]?.bytes ?? 0;
  const quantities: CostQuantities = {
    ingestBytes: (runs('import-interactions') ? bytes(ARTIFACT_FILES.interactions) : 0) + (runs('import-items') ? bytes(ARTIFACT_FILES.items) : 0),
    ...(runs('training')
      ? { trainingHours: estimateTrainingHours({ interactions: p.stats.trainRows, users: p.stats.trainUsers, items: p.stats.trainItems }, spec.recipe) }
      : {}),
    // Billed per user in the interactions dataset the version was trained on, per input row.
    ...(runs('segments') ? { segments: { users: p.stats.trainUsers, queries: p.stats.queries } } : {}),
  };
  const prices = resolvePrices(spec.target.region, spec.budget.prices);
  const estimate = estimateCost(quantities, prices);
  const advice = adviseCost({
    estimate,
    quantities,
    budgetUsd: spec.budget.maxUsd,
    prices,
    recipe: spec.recipe,
    data: {
      trainUsers: p.stats.trainUsers,
      trainRows: p.stats.trainRows,
      trainItems: p.stats.trainItems,
      interactionsBytes: bytes(ARTIFACT_FILES.interactions),
      itemsBytes: bytes(ARTIFACT_FILES.items),
      ...(spec.split.trainStart ? { trainStart: spec.split.trainStart } : {}),
    },
    queries:
      spec.recipe === 'aws-item-attribute-affinity'
        ? { key: 'queries.attributes', value: spec.queries.attributes?.length ?? p.stats.queries }
        : { key: 'queries.items.sample', value: spec.queries.items?.sample ?? p.stats.queries },
    ...(p.stats.costBasis ? { basis: p.stats.costBasis } : {}),
  });
  return advice ? { ...estimate, advice } : estimate;
}
