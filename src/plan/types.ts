import type { CostEstimate } from '../cost/formulas.js';
import type { StepKind } from '../resources/types.js';

/**
 * create: absent, made; adopt: exists, recorded; update: exists, changed in place (policies, a solution's
 * auto-training switch, tags); replace: deleted and made again; run: a job or local step runs; wait: re-attach to work
 * in flight; noop: up to date.
 */
export type Action = 'create' | 'adopt' | 'update' | 'replace' | 'noop' | 'run' | 'wait';

/** Actions after which what a step produced from this one is obsolete (a new incarnation of it). */
export const RENEWS: ReadonlySet<Action> = new Set<Action>(['create', 'replace', 'run', 'wait']);

/** Actions that start new billed work (waiting for work in flight was paid for when it started). */
export const RENEWS_PAID: ReadonlySet<Action> = new Set<Action>(['create', 'replace', 'run']);

export interface PlannedStep {
  id: string;
  kind: StepKind;
  title: string;
  deps: string[];
  action: Action;
  /** Why: the spec field or input that changed, "absent", "drifted: ...", "in progress". */
  reasons: string[];
  /** The desired value apply works towards: deterministic name, inputs and their hash. */
  name: string;
  inputs: Record<string, unknown>;
  inputsHash: string;
  arn?: string;
  status?: string;
  /** Things to know that do not change the action (printed under the step). */
  notes?: string[];
  costly: boolean;
  local: boolean;
}

export interface Plan {
  version: 1;
  pipeline: string;
  specFile: string;
  specHash: string;
  target: { kind: 'local' | 'aws'; region: string };
  createdAt: string;
  steps: PlannedStep[];
  cost: CostEstimate;
  budgetUsd: number;
  /** Hash of everything the plan was based on (spec, observed world, state): apply PLAN refuses if it moved. */
  basisHash: string;
  /** Where the state was read and its serial (every state write increments it). */
  state?: { backend: 'local' | 's3'; location: string; serial: number };
  /** Steps whose action is not noop. */
  changes: number;
  /** What to know about the prepared data that changes no step (prepare's warnings, unknown chosen items priced). */
  notes?: string[];
}

export function isChange(a: Action): boolean {
  return a !== 'noop';
}
