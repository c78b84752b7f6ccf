import type { AwsPorts } from '../aws/ports.js';
import type { CostEstimate, CostQuantities, RunCost } from '../cost/formulas.js';
import type { ChangeSummary, PrepareManifest, PrepareStats } from '../data/artifacts.js';
import type { ObjectStore } from '../data/object-store.js';
import type { Segmentation, Spec } from '../spec/types.js';
import type { StateStore } from '../state/store.js';
import type { StepRecord } from '../state/types.js';
import type { Tagging } from './tags.js';

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
  | 'filter'
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
  /** stopping: a training being stopped (CREATE STOPPING); it ends stopped, which counts as failed. */
  phase?: 'pending' | 'active' | 'failed' | 'deleting' | 'stopping';
  failureReason?: string;
  /** Live configuration that differs from the desired one ("solution.recipeArn: x -> y"). */
  drift?: string[];
  /** The drift is fixed in place (policies, a solution's auto-training switch): "update", not "replace". */
  updatable?: boolean;
  /** Changes the spec asks for that are made in place on a resource that is otherwise up to date (its tags). */
  updates?: string[];
  /** The resource's live tags, when the read that observed it returned them anyway (IAM's GetRole). */
  tags?: Record<string, string>;
  /** What the plan should tell the user about this resource without refusing (e.g. a policy it could not read). */
  notes?: string[];
  /** Extra facts for status output and later decisions (plain JSON values only: the snapshot is saved). */
  details?: Record<string, unknown>;
}

/** Facts fixed for one command: whose account, where. */
export interface Env {
  account: string;
  region: string;
  /** ARN partition: aws, aws-cn, aws-us-gov. */
  partition: string;
}

/** The prepared data as the plan sees it: its fingerprint, stats and the hashes of every output file. */
export interface PreparedData {
  fingerprint: string;
  stats: PrepareStats;
  manifest: PrepareManifest;
  workDir: string;
  /** Each source file and its version ("etag x" / "sha256 y"): diffed by the plan to name what changed. */
  sources: Record<string, string>;
  /** How long this command's plan took to prepare (or find up to date) the data. */
  durationMs?: number;
  /** The staging directory whose outputs an earlier `segflow plan` prepared and this command moved in. */
  reusedFrom?: string;
}

/** What `desired` may read. All of it is data: desired() is pure. */
export interface DesireInput {
  spec: Spec;
  env: Env;
  prepared: PreparedData;
  /** Desired values of steps earlier in topological order (every dependency is among them). */
  upstream: (id: string) => Desired;
  /** The step's record in the state (attempt numbers of jobs that cannot be renamed). */
  record: StepRecord | undefined;
  /** Whether a step is part of this pipeline (the items steps exist only with data.items). */
  has: (id: string) => boolean;
}

/** The leaves the steps use through interfaces: data preparation and evaluation (src/data, src/eval). */
export interface DataPort {
  /**
   * The fingerprint of prepare's inputs. The engine reads `fingerprint`; the object carries what was read to compute
   * it (src/data's business) and is handed back to prepareData as is, so the sources are listed and hashed once.
   */
  prepareFingerprint(spec: Spec, opts: { cwd: string; objects?: ObjectStore }): Promise<{ fingerprint: string }>;
  prepareData(
    spec: Spec,
    opts: {
      cwd: string;
      onProgress?: (message: string) => void;
      signal?: AbortSignal;
      objects?: ObjectStore;
      cacheDir?: string;
      /** What prepareFingerprint returned for this spec in this command. */
      fingerprint?: { fingerprint: string };
      /** A plan's staging working directory: stale outputs are replaced by its prepare of the same fingerprint, if whole. */
      staged?: string;
    },
  ): Promise<{
    upToDate: boolean;
    fingerprint: string;
    stats: PrepareStats;
    workDir: string;
    /** Every source file's version, for the plan's reasons. */
    sources?: Array<{ name: string; sha256: string } | { name: string; etag: string; size: number }>;
    /** Set when the outputs are the plan's staged ones, moved in rather than prepared again. */
    reusedFrom?: string;
  }>;
}

export interface EvalPort {
  /**
   * Reports on a segmentation's latest run (its files under workDir/segmentationDir): the holdout evaluation of an
   * experiment, or a production run's segment sizes, overlap and changes. Writes the report files; returns the
   * summary lines and where they went.
   */
  evaluate(workDir: string, spec: Spec, segmentation: Segmentation): Promise<{ summary: string[]; dir: string }>;
  /** The segments of a run's output files (paths relative to `dir`) as one CSV `query,rank,user` at `out`. */
  writeSegmentsCsv(dir: string, files: string[], out: string): Promise<{ queries: number; rows: number }>;
  /** Per query, how many users entered, stayed and left from `previous` to `current` (segments.csv files); writes changes.csv at `out`. */
  compareSegments(previous: string, current: string, out: string): Promise<Omit<ChangeSummary, 'previousRunId'>>;
}

export interface Progress {
  message: string;
  fraction?: number;
}

/** Everything a step may use while observing, applying, reporting status or destroying. */
export interface StepContext {
  spec: Spec;
  aws: AwsPorts;
  env: Env;
  cwd: string;
  workDir: string;
  state: StateStore;
  signal: AbortSignal;
  data: DataPort;
  evaluation: EvalPort;
  /** Short poll delays for the local target (the emulator runs in seconds, AWS in minutes). */
  pollInitialMs: number;
  pollMaxMs: number;
  /** Longest wait for one resource before giving up (a stuck job must not hang apply forever). */
  waitTimeoutMs: number;
  progress(stepId: string, p: Progress): void;
  /** Set once the observe phase prepared the data. */
  prepared?: PreparedData;
  /** The desired value of a step, as the plan computed it. */
  desired(id: string): Desired;
  /** The plan's cost estimate, recorded in run-info.json beside the actual cost of the same steps. */
  estimate?: CostEstimate;
  /**
   * apply only: the estimate and, on AWS, the billed cost of the steps `stepId` is made from (itself and its
   * dependencies, transitively) that this apply ran: what a run's report says it cost.
   */
  runCost?(stepId: string): RunCost;
  /**
   * `segflow plan` only: changed data is prepared in a staging directory, so that a plan never replaces the
   * prepared files the last apply's segments and reports belong to.
   */
  planOnly?: boolean;
}

export interface ApplyResult {
  arn?: string;
  /** Bytes sent to S3 by this step. */
  bytesUploaded?: number;
  /** True when the step adopted an existing resource instead of creating one. */
  adopted?: boolean;
  note?: string;
  /** The work happened before apply reached the step (prepare runs while planning): its real duration. */
  durationMs?: number;
}

/** What one step's destroy did, in words for the summary. */
export interface DestroyReport {
  deleted: string[];
  /** Resources AWS offers no delete for (import and batch segment jobs): they stay, and cost nothing. */
  undeletable: string[];
  kept: string[];
  /** Anything that may still cost money (should be empty after a full destroy). */
  stillBilling: string[];
  /** The step's record stays in the state (what --keep-data keeps). */
  keepRecord?: boolean;
}

export interface DestroyContext extends StepContext {
  /** --keep-data: the bucket, its objects and the prepared files stay. */
  keepData: boolean;
  /** Computes a value once per destroy (e.g. the dataset groups found by tag), shared by the steps that need it. */
  once<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

/**
 * One kind of resource or local step, owning its whole lifecycle. plan, apply, status and destroy are generic
 * walks over these; adding a kind means one new file and one line in the step list (src/resources/index.ts).
 */
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
  /**
   * Not a resource to create or replace but work that runs again whenever it is not up to date (uploads, reading
   * metrics): planned like a local step, "run".
   */
  rerunnable?: boolean;
  /**
   * The dependencies whose result this step is made from (a subset of deps): when one of them is made anew
   * (created, replaced, run), what this step made from the old one is obsolete and it runs again, even with the
   * same inputs (a segment job after a new training; an import after its dataset was re-created).
   */
  invalidatedBy?: string[];
  /** Pure: the deterministic name and inputs. */
  desired(input: DesireInput): Desired;
  /**
   * How to read and write the tags of this step's resource, for long-lived resources whose tags follow the spec
   * (src/resources/tags.ts); undefined where segflow must not tag (a bucket it did not create).
   */
  tagging?(ctx: StepContext, desired: Desired, arn: string, record: StepRecord | undefined): Tagging | undefined;
  /** The read the plan makes: at most one call in the common case. */
  observe(ctx: StepContext, desired: Desired, record: StepRecord | undefined): Promise<Observation>;
  /** Makes the world match: create (write-ahead), adopt, update, or wait for what is in flight. Idempotent. */
  apply(ctx: StepContext, desired: Desired, record: StepRecord | undefined): Promise<ApplyResult>;
  /** The live status of what the state records (undefined: nothing to read, e.g. a local step). */
  status?(ctx: StepContext, record: StepRecord): Promise<Observation | undefined>;
  /** Deletes what this step created, including leftovers a crashed run never recorded. Absent is success. */
  destroy?(ctx: DestroyContext): Promise<Partial<DestroyReport>>;
  /** What running this step is billed on AWS (docs/cost.md); the plan prices every step that will run. */
  billable?(input: BillingInput): Billable;
  /** What AWS billed the run of this step, from what its record kept (billed training hours, ...). */
  billed?(input: BillingInput & { record: StepRecord }): Billable;
  /** Lines for the end of apply and for status, from the step's record (an evaluation's figures). */
  summary?(record: StepRecord): string[];
  /** A report directory of this step's run, kept beside a shared state so every machine sees it. */
  reportDir?(record: StepRecord): string | undefined;
  /** Metrics shown by status (Personalize's solution metrics). */
  metrics?(record: StepRecord): Record<string, number> | undefined;
}

export interface BillingInput {
  spec: Spec;
  prepared: PreparedData;
  desired: Desired;
}

/** A step's share of the bill, in the billing formulas' quantities (cost/formulas.ts); summed over steps. */
export type Billable = Partial<CostQuantities>;
