/**
 * report.json: the report of one run of one segmentation, a documented contract (docs/report.md). Bump
 * REPORT_VERSION on any change that renames or removes a field, or changes its type; adding optional fields keeps
 * the version. Version 2: `mode`, `segmentation`, `segments`, `changes`; `holdout` is null in a production run;
 * inputs.groundTruthSha256 and inputs.interactionsSha256 may be null. Version 1 reports still load in history.
 */
import type { BatchQuery, ChangeSummary, PrepareStats } from '../data/artifacts.js';

export const REPORT_VERSION = 2;

/** experiment: trained before split.testStart, the holdout scored; production: trained on all data, no holdout. */
export type ReportMode = 'experiment' | 'production';

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
  /** Segment file, relative to the segmentation's directory. */
  file: string;
  /** 1-based line number in that file. */
  line: number;
  kind: 'invalid' | 'job-error' | 'unknown-query' | 'duplicate-query' | 'duplicate-users';
  message: string;
}

export interface SegmentFileInfo {
  /** Relative to the segmentation's directory. */
  file: string;
  sha256: string;
  lines: number;
}

export interface Report {
  version: typeof REPORT_VERSION;
  mode: ReportMode;
  pipeline: string;
  /** The segmentation the run belongs to (the pipeline's name for the one written with top-level keys). */
  segmentation: string;
  runId: string;
  generatedAt: string;
  run: {
    finishedAt: string;
    target: 'local' | 'aws';
    region: string;
    recipe: string;
    solutionVersionArn?: string;
    batchSegmentJobArn?: string;
    /** Every batch segment job of the run, in chunk order. */
    batchSegmentJobArns?: string[];
    /** Where the run's segments.csv was delivered, and the stable copy of the latest run. */
    delivery?: { runUri: string; latestUri: string };
    /** The segment filter the jobs applied. */
    filter?: { expression: string; arn?: string };
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
  /** The holdout evaluation of an experiment; null in a production run (nothing is held out). */
  holdout: Holdout | null;
  /** The delivered segments themselves: sizes, reach, overlap (both modes). */
  segments: SegmentsSummary;
  /** Against the previous delivered run of the segmentation; null for its first run. */
  changes: ChangesSection | null;
  /** Personalize's own metrics (GetSolutionMetrics): a different protocol, not comparable with `holdout`. */
  solutionMetrics: { protocol: string; values: Record<string, number> } | null;
  /** The local model's choice on its validation split (local target only; absent on AWS). */
  modelChoice?: ModelChoiceReport | null;
  /** The holdout's per-query results, in ground-truth order (empty in a production run). */
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
    /** The segmentation's files, relative to workDir ('' for the primary segmentation). */
    segmentationDir: string;
    /** Relative to workDir/segmentationDir. */
    segmentFiles: SegmentFileInfo[];
    /** null in a production run (no ground truth). */
    groundTruthSha256: string | null;
    /** null in a production run (the evaluation does not read interactions.csv). */
    interactionsSha256: string | null;
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

export interface Holdout {
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
  /**
   * Why these figures cannot be judged (fewer warm test users than K, too few queries, an interval spanning most of
   * [0, 1]); absent when they can. Summaries and reports mark the figures (src/eval/judgeable.ts).
   */
  notJudgeable?: string[];
}

export interface HoldoutFilter {
  expression: string;
  arn?: string;
  /** All train users, before the filter. */
  trainUsers: number;
  /** Train users that pass the filter: the population segments and baselines are drawn from. */
  eligibleUsers: number;
  /** Distinct test users of all queries before the filter, and how many of them it excludes (left out of the truth). */
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

/** What a production run can show about its segments (and an experiment's too): docs/report.md. */
export interface SegmentsSummary {
  /** numResults of the batch segment jobs. */
  k: number;
  /** Queries the run's batch input asked; null when the batch input is not the run's any more (prepared again). */
  queriesAsked: number | null;
  /** Queries with a segment in segments.csv (an answer without the job's error). */
  answered: number;
  /** Queries the job answered with its own per-line error. */
  jobErrors: number;
  /** Asked queries without a usable answer: no output line, or an invalid one. */
  withoutOutput: number;
  /** Answered queries with fewer than k users. */
  short: number;
  /** Users per answered segment; null when no query was answered. */
  size: { min: number; median: number; max: number; mean: number } | null;
  /** Rows of segments.csv: users summed over segments. */
  memberships: number;
  distinctUsers: number;
  /** The users the model could segment (train users; all prepared users in a production run); null if unknown. */
  population: number | null;
  /** distinctUsers / population. */
  reach: number | null;
  /** How many users are in how many segments, ascending by segments. */
  membershipHistogram: Array<{ segments: number; users: number }>;
  overlap: SegmentOverlap;
  /** One per query: asked ones in batch input order, then answers to queries not asked. */
  perQuery: SegmentSize[];
}

export interface SegmentOverlap {
  /** Pairs of answered segments: n(n-1)/2. */
  pairs: number;
  /**
   * Mean over pairs of segments of |A ∩ B| / k, from per-user membership counts (sum over users of c(c-1)/2, over
   * pairs and k); null with fewer than two segments.
   */
  meanPairwise: number | null;
  /** The most overlapping pairs (shared users, then Jaccard); null when more than maxQueriesForPairs were answered. */
  topPairs: OverlapPair[] | null;
  maxQueriesForPairs: number;
}

export interface OverlapPair {
  a: BatchQuery;
  b: BatchQuery;
  shared: number;
  jaccard: number;
}

export interface SegmentSize {
  query: BatchQuery;
  /** Users in the segment as delivered (0 without a usable answer). */
  returned: number;
  /** Why there is no segment: no usable output line, or the job's own error. */
  problem?: string;
  /** A segment for a query the batch input did not ask (delivered all the same). */
  notAsked?: true;
}

export type ChangeTotals = Omit<ChangeSummary, 'previousRunId'>;

/** The change since the previous delivered run (run-info.json's totals, changes.csv's queries). */
export interface ChangesSection extends ChangeSummary {
  /** Queries whose segment changed (entered + left > 0); null when changes.csv is not available. */
  queriesChanged: number | null;
  /** The queries that changed most (entered + left), at most 20. */
  mostChanged: Array<{ query: string; entered: number; stayed: number; left: number }>;
}

/** report.json of version 1 (before segmentations and production runs), as report --history still reads it. */
export type ReportV1 = Omit<Report, 'version' | 'mode' | 'segmentation' | 'segments' | 'changes' | 'holdout'> & {
  version: 1;
  holdout: Holdout;
};
