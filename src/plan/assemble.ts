import { hashJson } from '../util/hash.js';
import { pipelineSteps } from '../resources/index.js';
import { chunkCounts } from '../resources/layout.js';
import type { StepDefinition } from '../resources/types.js';
import type { Spec } from '../spec/types.js';
import type { PipelineState } from '../state/types.js';
import { planCost } from './cost-estimate.js';
import { dataNotes } from './data-notes.js';
import { desireAll } from './desire.js';
import { decide } from './diff.js';
import type { Snapshot } from './observe.js';
import { isChange, RENEWS, type Plan, type PlannedStep } from './types.js';

/** How a step's action is decided: local work and reruns, jobs that cannot be deleted, or resources. */
export function decisionKind(step: StepDefinition): 'local' | 'job' | 'resource' {
  if (step.job) return 'job';
  if (step.local || step.rerunnable) return 'local';
  return 'resource';
}

/**
 * The plan, decided from what was read: synchronous and pure. The same spec, snapshot, state and clock always
 * give the same plan; nothing here reads the world or the clock.
 */
export function assemblePlan(
  spec: Spec,
  snapshot: Snapshot,
  state: PipelineState,
  now: Date,
  steps: StepDefinition[] = pipelineSteps(spec, chunkCounts(spec, snapshot.prepared)),
): Plan {
  const desired = desireAll(spec, snapshot.env, snapshot.prepared, state, steps);
  const planned: PlannedStep[] = [];
  const changing = new Set<string>();
  const renewing = new Set<string>();
  for (const step of steps) {
    const d = desired.get(step.id)!;
    const o = snapshot.observations[step.id] ?? { exists: false };
    const { action, reasons } = decide({
      kind: decisionKind(step),
      desired: d,
      record: state.steps[step.id],
      observation: o,
      changingDeps: step.deps.filter((x) => changing.has(x)),
      renewedDeps: (step.invalidatedBy ?? []).filter((x) => renewing.has(x)),
    });
    if (isChange(action)) changing.add(step.id);
    if (RENEWS.has(action)) renewing.add(step.id);
    planned.push({
      id: step.id,
      kind: step.kind,
      title: step.title,
      deps: step.deps,
      action,
      reasons,
      name: d.name,
      inputs: d.inputs,
      inputsHash: d.inputsHash,
      ...(o.arn ? { arn: o.arn } : {}),
      ...(o.status ? { status: o.status } : {}),
      ...(o.notes?.length ? { notes: o.notes } : {}),
      costly: Boolean(step.costly),
      local: Boolean(step.local),
    });
  }
  const notes = dataNotes(spec, snapshot.prepared);
  return {
    version: 1,
    pipeline: spec.name,
    specFile: spec.file,
    specHash: spec.fileHash,
    target: { kind: spec.target.kind, region: spec.target.region },
    createdAt: now.toISOString(),
    steps: planned,
    cost: planCost(spec, snapshot.prepared, planned, steps, desired),
    budgetUsd: spec.budget.maxUsd,
    basisHash: hashJson({
      specHash: spec.fileHash,
      steps: planned.map((s) => [s.id, s.action, s.name, s.inputsHash, s.arn ?? null, s.status ?? null]),
      // Any write to the state since (another apply, a destroy) makes a saved plan stale, even with the same steps.
      stateSerial: state.serial ?? 0,
    }),
    changes: planned.filter((s) => isChange(s.action)).length,
    ...(notes.length ? { notes } : {}),
  };
}
