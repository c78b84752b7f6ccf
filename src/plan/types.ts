import type { CostEstimate } from '../cost/formulas.js';
import type { StepKind } from '../resources/types.js';

export type Action = 'create' | 'adopt' | 'replace' | 'noop' | 'run' | 'wait';

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
}

export function isChange(a: Action): boolean {
  return a !== 'noop';
}
