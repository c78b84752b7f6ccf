/**
 * The state file `.segflow/state/<name>.json`: what segflow created and why. Write-ahead: a step's intent (its
 * deterministic name and input hash) is recorded before the create call, its ARN right after, so a crash at any
 * moment is repaired by reading the name (or, for solution versions, the tags) back.
 */
export type StepPhase =
  /** Create is about to be (or was maybe) sent; the ARN is not known yet. */
  | 'intent'
  /** Create returned; the resource may still be in progress. */
  | 'created'
  /** The resource is ACTIVE / the local step finished. */
  | 'done'
  | 'failed';

export interface StepRecord {
  phase: StepPhase;
  /** Deterministic resource name (jobs and training: with a short content hash of their inputs). */
  name?: string;
  arn?: string;
  /** Hash of everything the step depends on; a different hash means the step must run again. */
  inputsHash?: string;
  /** The inputs themselves (spec slices, upstream names), to explain a change field by field. */
  inputs?: Record<string, unknown>;
  /** Small outputs later steps or reports need (e.g. uploaded object sha256, solution metrics, k). */
  outputs?: Record<string, unknown>;
  /** Jobs cannot be deleted or renamed: a failed attempt is retried under `<name>-<attempt>`. */
  attempt?: number;
  /** The user tags (spec.tags) segflow last set on the resource: only these may it remove when the spec drops them. */
  tags?: Record<string, string>;
  updatedAt: string;
  error?: string;
}

export interface PipelineState {
  version: 1;
  pipeline: string;
  /** Incremented by every write (like Terraform's serial): history lists versions by it, a saved plan records it. */
  serial?: number;
  /** Set by `segflow state migrate` on the state it copied elsewhere: this copy is no longer used. */
  movedTo?: string;
  movedAt?: string;
  target: { kind: 'local' | 'aws'; region: string; account?: string };
  /** sha256 of the spec file that the last apply used. */
  specHash?: string;
  steps: Record<string, StepRecord>;
  /** Resources that were replaced or left behind and that destroy must still sweep (name -> arn). */
  orphans?: Array<{
    kind: string;
    arn: string;
    name?: string;
    /** Buckets: whether segflow created it (only then may destroy delete it). */ created?: boolean;
  }>;
  updatedAt: string;
}

export function emptyState(pipeline: string, target: PipelineState['target']): PipelineState {
  return { version: 1, pipeline, target, steps: {}, updatedAt: new Date().toISOString() };
}
