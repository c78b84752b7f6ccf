/**
 * report.json: the evaluation of one run, a documented contract (docs/report.md). Bump REPORT_VERSION on any
 * change that renames or removes a field; adding optional fields keeps the version.
 */
import type { BatchQuery, PrepareStats } from '../data/artifacts.js';

export const REPORT_VERSION = 1;

/** A 95% bootstrap confidence interval: [low, high]; null when it cannot be computed (no queries). */
export type Interval = [number, number] | null;

export interface MetricsAtK {
  k: number;
  /** '0.5%', '1%', '2%', '5%' of train users, or 'K' for numResults itself. */
  label: string;
  hits: number;
  recall: number;
  ci: { hits: Interval; recall: Interval };
}

export interface Lift {
  /** model / baseline; null when the baseline is 0. */
  hits: number | null;
  recall: number | null;
  /** Paired bootstrap (same resampled queries for both); null bounds mean "unbounded" (baseline 0 in a resample). */
  ci: { hits: [number | null, number | null] | null; recall: [number | null, number | null] | null };
}

export interface ScorerMetrics {
  /** Mean over queries of |top-K ∩ truth|. */
  hitsAtK: number;
  /** Mean over queries of hits / min(|truth|, K). */
  recallAtK: number;
  /** Distinct users in all top-K lists / train users (random: its expected value). */
  coverage: number;
  ci: { hitsAtK: Interval; recallAtK: Interval; coverage: Interval };
  /** The same metrics at 0.5%, 1%, 2%, 5% of train users and K, for every cutoff <= K, ascending. */
  atCutoffs: MetricsAtK[];
}

export interface BaselineMetrics extends ScorerMetrics {
  description: string;
  /** Lift of the model over this baseline at K. */
  lift: Lift;
}

export interface CurvePoint {
  k: number;
  model: number;
  popularity: number;
  random: number;
}

export interface QueryResult {
  /** The query as in ground-truth.json ({itemId} or {itemAttributes}). */
  query: BatchQuery;
  /** Size of the ground truth (test users). */
  truth: number;
  /** The item never occurs in train (ground truth says so): baselines rank nobody, as in the reference protocol. */
  cold: boolean;
  /** Users in the model's segment (before the top-K cut). */
  returned: number;
  hits: number;
  recall: number;
  popularityHits: number;
  /** Expected hits of a uniformly random segment of K train users. */
  randomHits: number;
  /** Why this query has no usable model output (missing line, invalid line, the job's own error). */
  problem?: string;
}

export interface BadOutputLine {
  /** Segment file, relative to the work dir. */
  file: string;
  /** 1-based line number in that file. */
  line: number;
  kind: 'invalid' | 'job-error' | 'unknown-query' | 'duplicate-query' | 'duplicate-users';
  message: string;
}

export interface SegmentFileInfo {
  /** Relative to the work dir. */
  file: string;
  sha256: string;
  lines: number;
}

export interface Report {
  version: typeof REPORT_VERSION;
  pipeline: string;
  runId: string;
  generatedAt: string;
  run: {
    finishedAt: string;
    target: 'local' | 'aws';
    region: string;
    recipe: string;
    solutionVersionArn?: string;
    batchSegmentJobArn?: string;
  };
  spec: {
    file: string;
    /** The spec hash the run was applied with (run-info.json). */
    hash: string;
    /** The spec file's hash now; differs from `hash` when the file changed after the run. */
    currentHash: string;
    /** `git rev-parse HEAD` in the spec file's directory; absent outside a git repository. */
    gitCommit?: string;
    /** True when the spec file has uncommitted changes; absent outside git. */
    gitDirty?: boolean;
  };
  holdout: {
    protocol: string;
    /** numResults of the batch segment job: the segment size every metric is cut at. */
    k: number;
    trainUsers: number;
    /** Queries scored (ground-truth queries with a non-empty truth). */
    queryCount: number;
    coldQueries: number;
    /** Queries whose model output was missing or unusable (scored as an empty segment). */
    queriesWithoutOutput: number;
    /** Ground-truth queries left out of the means (empty truth: recall is undefined). */
    excludedQueries: number;
    /** coverageResamples: coverage intervals use fewer resamples on large runs (see COVERAGE_BOOTSTRAP_WORK). */
    bootstrap: { resamples: number; coverageResamples: number; seed: number; level: 0.95 };
    model: ScorerMetrics;
    baselines: { popularity: BaselineMetrics; random: BaselineMetrics };
    /** Recall at increasing cutoffs up to K (the chart in report.html). */
    curve: CurvePoint[];
    /** hitsHistogram[h] = number of queries with h hits at K. */
    hitsHistogram: { model: number[]; popularity: number[] };
    /**
     * The segment filter the run applied, when it had one. Then `trainUsers`, coverage, the cutoffs and both
     * baselines are over the train users that pass it, and truth users it excludes are left out (docs/report.md).
     */
    filter?: HoldoutFilter;
  };
  /** Personalize's own metrics (GetSolutionMetrics): a different protocol, not comparable with `holdout`. */
  solutionMetrics: { protocol: string; values: Record<string, number> } | null;
  /** The local model's choice on its validation split (local target only; absent on AWS). */
  modelChoice?: ModelChoiceReport | null;
  queries: QueryResult[];
  badOutputLines: { count: number; byKind: Partial<Record<BadOutputLine['kind'], number>>; lines: BadOutputLine[] };
  data: PrepareStats | null;
  cost: {
    estimatedUsd: number;
    estimatedLowUsd?: number;
    actualUsd?: number;
    trainingHours?: number;
    /** Line by line, the plan's estimate beside what the same steps were billed (AWS only). */
    lines?: CostComparison[];
  };
  inputs: {
    workDir: string;
    segmentFiles: SegmentFileInfo[];
    groundTruthSha256: string;
    interactionsSha256: string;
    prepareFingerprint: string;
  };
  warnings: string[];
}

export interface ModelChoiceReport {
  /** The served model's name (docs/model.md explains the names). */
  chosen: string;
  protocol: string;
  /** Every candidate's validation figures, best recall first. */
  candidates: Array<{ name: string; recall: number; hits: number; chosen: boolean }>;
}

export interface HoldoutFilter {
  expression: string;
  arn?: string;
  /** All train users, before the filter. */
  trainUsers: number;
  /** Train users that pass the filter: the population segments and baselines are drawn from. */
  eligibleUsers: number;
  /** Test users of all queries before the filter, and how many of them it excludes (left out of the truth). */
  truthUsers: number;
  truthUsersRemoved: number;
  /** Users in the model's top-K segments that do not pass the filter (0 when the job applied it as evaluated here). */
  segmentUsersOutside: number;
}

export interface CostComparison {
  item: string;
  estimateQuantity: string;
  estimateLowUsd: number;
  estimateUsd: number;
  actualQuantity?: string;
  actualUsd?: number;
}
