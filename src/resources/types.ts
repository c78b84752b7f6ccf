import type { AwsClients } from '../aws/clients.js';
import type { CostEstimate } from '../plan/cost.js';
import type { Spec } from '../spec/types.js';
import type { StateStore } from '../state/store.js';
import type { StepRecord } from '../state/types.js';

/** What a step is, for plans and progress: the DAG is built from these. */
export type StepKind =
  | 'prepare'
  | 'bucket'
  | 'role'
  | 'upload'
  | 'dataset-group'
  | 'schema'
  | 'dataset'
  | 'import'
  | 'solution'
  | 'training'
  | 'metrics'
  | 'segments'
  | 'download'
  | 'evaluate';

/** What the step should look like now: a deterministic name and everything it depends on. */
export interface Desired {
  name: string;
  /** Spec slices and upstream names/hashes; hashed into inputsHash and diffed field by field for reasons. */
  inputs: Record<string, unknown>;
  inputsHash: string;
}

/** One read of the world for one step. Absence is a value: `exists: false`, never an exception. */
export interface Observation {
  exists: boolean;
  arn?: string;
  name?: string;
  /** Raw service status, e.g. "CREATE IN_PROGRESS". */
  status?: string;
  phase?: 'pending' | 'active' | 'failed' | 'deleting';
  failureReason?: string;
  /** Live configuration that differs from the desired one ("solution.recipeArn: x -> y"). */
  drift?: string[];
  /** Extra facts for status output. */
  details?: Record<string, unknown>;
}

export interface Progress {
  message: string;
  fraction?: number;
}

/** Everything a step may use while planning or applying. */
export interface StepContext {
  spec: Spec;
  aws: AwsClients;
  account: string;
  cwd: string;
  workDir: string;
  state: StateStore;
  signal: AbortSignal;
  /** Short poll delays for the local target (the emulator runs in seconds, AWS in minutes). */
  pollInitialMs: number;
  pollMaxMs: number;
  /** Longest wait for one resource before giving up (a stuck job must not hang apply forever). */
  waitTimeoutMs: number;
  progress(stepId: string, p: Progress): void;
  /** Desired values of every step, computed by the planner (upstream names for downstream calls). */
  desired: Map<string, Desired>;
  /** The plan's cost estimate, recorded in run-info.json beside the actual cost of the same steps. */
  estimate?: CostEstimate;
  /**
   * `segflow plan` only: changed data is prepared in a staging directory, so that a plan never replaces the
   * prepared files the last apply's segments and reports belong to.
   */
  planOnly?: boolean;
}

export interface ApplyResult {
  arn?: string;
  outputs?: Record<string, unknown>;
  /** Bytes sent to S3 by this step. */
  bytesUploaded?: number;
  /** True when the step adopted an existing resource instead of creating one. */
  adopted?: boolean;
  note?: string;
}

export interface StepDefinition {
  id: string;
  kind: StepKind;
  title: string;
  deps: string[];
  /** Local steps run on this machine (prepare, download, evaluate); others call AWS. */
  local?: boolean;
  /** Creating this costs money (import, training, segments): never create it twice for the same inputs. */
  costly?: boolean;
  /** Jobs that cannot be deleted: a changed input means a new job, shown as "run". */
  job?: boolean;
  desired(ctx: StepContext): Desired | Promise<Desired>;
  /** At most one read call in the common case. */
  read(ctx: StepContext, desired: Desired, record: StepRecord | undefined): Promise<Observation>;
  /** Makes the world match: create (write-ahead), adopt, or wait for what is in flight. Idempotent. */
  apply(ctx: StepContext, desired: Desired, record: StepRecord | undefined): Promise<ApplyResult>;
  /** Deletes what this step created (and waits for it). Absent is success. */
  destroy?(ctx: StepContext, record: StepRecord): Promise<void>;
}
