/**
 * The files `prepare` writes to .segflow/work/<name>/ and what later steps (upload, evaluation, reports) read.
 * This is the contract between src/data (producer) and src/engine, src/eval (consumers).
 */
export const ARTIFACT_FILES = {
  interactions: 'interactions.csv', // train rows only: USER_ID,ITEM_ID,TIMESTAMP (epoch seconds)[,EVENT_TYPE][,EVENT_VALUE]
  items: 'items.csv', // ITEM_ID,<ATTR>...; categorical values '|' separated (only with data.items)
  users: 'users.csv', // USER_ID,<ATTR>... for the users of interactions.csv (only with data.users)
  batchInput: 'batch-input.jsonl', // {"itemId": "..."} or {"itemAttributes": "..."} per line
  groundTruth: 'ground-truth.json', // GroundTruthFile
  stats: 'stats.json', // PrepareStats
  manifest: 'manifest.json', // PrepareManifest: fingerprints of everything above
  runInfo: 'run-info.json', // RunInfo, written by the engine after a batch segment job's output is downloaded
} as const;

export type BatchQuery = { itemId: string } | { itemAttributes: string };

export interface GroundTruthFile {
  version: 1;
  kind: 'items' | 'attributes';
  /** numResults resolved against the training users (e.g. floor(1% of train users), at least 1). */
  k: number;
  /** Sorted list of train user ids (the population segments are drawn from). */
  trainUserCount: number;
  queries: Array<{
    query: BatchQuery;
    /** Test-period users who interacted with the item (attribute queries: with any matching item), sorted. */
    users: string[];
    /** Item queries only: the item never occurs in train, so no model can rank users for it. */
    cold?: boolean;
  }>;
}

export interface DropCount {
  step: string; // e.g. "where", "bad rows", "dedupe", "minInteractionsPerUser", "cold test users"
  rows: number;
  why: string;
}

export interface PrepareStats {
  rowsRead: number;
  badRows: number;
  dropped: DropCount[];
  interactions: number; // after all filters, before the split
  users: number;
  items: number;
  trainRows: number;
  testRows: number;
  trainUsers: number;
  trainItems: number;
  warmTestUsers: number;
  testItems: number;
  queries: number;
  coldQueries: number;
  k: number;
  minTimestamp: string; // ISO-8601 UTC
  maxTimestamp: string;
  warnings: string[];
  /** The first bad rows (line, why, the values read), when any were skipped. */
  badRowExamples?: Array<{ line: number; reason: string; text: string }>;
  /** With data.items: rows read, bad and kept items. */
  itemsSource?: { rowsRead: number; filtered: number; badRows: number; items: number };
  /** With data.users: rows read, bad, distinct users read, and users written to users.csv (those in train). */
  usersSource?: { rowsRead: number; filtered: number; badRows: number; users: number; written: number };
  /** With EVENT_TYPE mapped: distinct event types in the training interactions (Personalize allows 10). */
  eventTypes?: number;
  /** With queries.attributes: { top, attribute }: the expressions prepare chose. */
  generatedQueries?: string[];
  /** Training users with at least 2 interactions (Personalize needs 25). */
  usersWithTwoInteractions?: number;
  /** What the cost advisor needs to price other choices exactly (docs/cost.md). */
  costBasis?: CostBasis;
}

/**
 * Batch segments are billed per user in the dataset, per query. These counts let `plan` tell exactly how many
 * users a higher minInteractionsPerUser or a shorter training window would leave, without preparing again.
 */
export interface CostBasis {
  /** The minInteractionsPerUser the counts below were taken under (windows apply it). */
  minInteractionsPerUser: number;
  /**
   * Exact when no item minimum is set; with minInteractionsPerItem > 1 the item pass can drop a few more users,
   * so the counts are upper bounds.
   */
  exact: boolean;
  /**
   * Users who would reach training, grouped by their interaction count as minInteractionsPerUser counts it (all
   * periods, after where/dedupe/trainStart): the train users for threshold T are the sum over count >= T.
   */
  usersByInteractionCount: Array<{ count: number; users: number; trainRows: number }>;
  /** Shorter training windows ending at testStart: users and training rows if only [start, testStart) were kept. */
  windows: Array<{ days: number; start: string; trainUsers: number; trainRows: number }>;
}

export interface PrepareManifest {
  version: 1;
  /** One hash over the inputs: source file contents, the spec slice prepare depends on, the segflow version. */
  fingerprint: string;
  segflowVersion: string;
  createdAt: string;
  /** sha256 and size of each output file, keyed by ARTIFACT_FILES value. */
  outputs: Record<string, { sha256: string; bytes: number }>;
  /** The version of every source file this was prepared from (sha256, or an S3 object's ETag and size). */
  sources?: Array<{ name: string; sha256: string } | { name: string; etag: string; size: number }>;
}

/** Where the engine downloads batch segment output, relative to the work dir: one `<input name>.out` per input. */
export const SEGMENTS_DIR = 'segments';

/**
 * Written by the engine (`run-info.json` in the work dir) after the segments are downloaded; read by evaluation and
 * reports so that they never need to call AWS themselves.
 */
export interface RunInfo {
  version: 1;
  /** Unique per apply that produced new segments, e.g. 2026-11-28T10-21-17Z-1a2b3c. */
  runId: string;
  finishedAt: string;
  target: 'local' | 'aws';
  region: string;
  specHash: string;
  prepareFingerprint: string;
  solutionArn?: string;
  solutionVersionArn?: string;
  /** Billed training hours from DescribeSolutionVersion. */
  trainingHours?: number;
  /** GetSolutionMetrics (Personalize's own protocol: each user's latest 20% held out). */
  solutionMetrics?: Record<string, number>;
  batchSegmentJobArn?: string;
  /** The segment filter the batch segment job applied (segments.filter), when it had one. */
  filter?: { expression: string; arn?: string };
  numResults: number;
  /** Downloaded output files, relative to the work dir (under SEGMENTS_DIR). */
  segmentFiles: string[];
  /** High end of the plan's estimate for the steps this apply ran. */
  estimatedCostUsd: number;
  /** The same steps priced with the same formulas on what AWS reported (0 on the local target). */
  actualCostUsd?: number;
  /** Line by line: estimate (low-high) and, on AWS, actual. */
  cost?: {
    estimate: { lowUsd: number; highUsd: number; lines: RunCostLine[] };
    actual?: { totalUsd: number; lines: RunCostLine[] };
  };
}

export interface RunCostLine {
  item: string;
  quantity: string;
  lowUsd: number;
  usd: number;
}
