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
  segmentsCsv: 'segments.csv', // query,rank,user: the run's segments as delivered to S3 (written by the engine)
  changesCsv: 'changes.csv', // query,entered,stayed,left: against the previous delivered run (written by the engine)
} as const;

/**
 * Where a segmentation's files live, relative to the work dir: the primary segmentation (named after the pipeline)
 * keeps the root, as before segmentations existed; each other one has `segmentations/<name>/`. Its batch input
 * files, ground-truth.json, segments/, run-info.json, segments.csv and changes.csv are under that directory.
 */
export function segmentationDir(seg: { name: string; primary: boolean }): string {
  return seg.primary ? '' : `segmentations/${seg.name}/`;
}

/**
 * Personalize reads at most 500 item queries, or 10 attribute queries, per batch segment job input file
 * (https://docs.aws.amazon.com/personalize/latest/dg/limits.html): larger query sets are cut into consecutive chunks.
 */
export const MAX_QUERIES_PER_JOB = { items: 500, attributes: 10 } as const;

/** The batch input file of chunk n (1-based): batch-input.jsonl, batch-input-2.jsonl, ... */
export function chunkFile(chunk: number): string {
  return chunk === 1 ? ARTIFACT_FILES.batchInput : ARTIFACT_FILES.batchInput.replace(/\.jsonl$/, `-${chunk}.jsonl`);
}

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
  /**
   * The values segment filters match on, by `<Dataset>.<FIELD>` (Interactions.EVENT_TYPE, Users.<attribute>): plan
   * warns about a filter value that never occurs in them (src/data/field-values.ts).
   */
  fieldValues?: Record<string, { values: string[]; complete: boolean }>;
  /** With EVENT_TYPE mapped: distinct event types in the training interactions (Personalize allows 10). */
  eventTypes?: number;
  /** With queries.attributes: { top, attribute }: the expressions prepare chose. */
  generatedQueries?: string[];
  /** Training users with at least 2 interactions (Personalize needs 25). */
  usersWithTwoInteractions?: number;
  /** What the cost advisor needs to price other choices exactly (docs/cost.md). */
  costBasis?: CostBasis;
  /** experiment: split into train and test (the holdout is scored); production: everything is training data. */
  mode?: 'experiment' | 'production';
  /** Every segmentation's queries, segment size and job chunks (the top-level queries/coldQueries/k are the first's). */
  segmentations?: SegmentationStats[];
  /** data.interactions.lastDays: where the window started (ISO-8601 UTC). */
  windowStart?: string;
}

export interface SegmentationStats {
  name: string;
  recipe: 'aws-item-affinity' | 'aws-item-attribute-affinity';
  /** Relative to the work dir (segmentationDir). */
  dir: string;
  /** numResults resolved against the training users. */
  k: number;
  queries: number;
  /** Queries of items absent from the training interactions (kept: a sample, or keepUnknown). */
  coldQueries: number;
  /** Batch input files in job order, relative to the segmentation's dir, with their query counts. */
  chunks: Array<{ file: string; queries: number }>;
  /** Chosen item ids (ids, source, where) never seen in the training interactions. */
  unknown?: { count: number; kept: boolean; examples: string[] };
  /** Chosen ids listed more than once (queried once). */
  duplicates?: number;
  /** queries.attributes: { top, attribute }: the expressions prepare chose. */
  generatedQueries?: string[];
  /**
   * Item queries with data.items: per categorical item attribute, how many distinct values the queried items have
   * (the advisor prices one attribute query per value instead of one item query per item).
   */
  attributeAlternative?: Array<{ attribute: string; values: number }>;
  /** An experiment's ground-truth.json was written (with split). */
  groundTruth: boolean;
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
  /** Shorter training windows ending at testStart (a production run: at the newest interaction): users and training rows if only the window were kept. */
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
  /** The segmentation this run belongs to (absent in runs made before segmentations existed: the pipeline's). */
  segmentation?: string;
  recipe?: 'aws-item-affinity' | 'aws-item-attribute-affinity';
  /** Every batch segment job of the run, in chunk order (batchSegmentJobArn is the first). */
  batchSegmentJobArns?: string[];
  /** Where the run's segments.csv was delivered, and the stable copy of the latest run. */
  delivery?: { runUri: string; latestUri: string };
  /** Against the previous delivered run of the same segmentation (absent for the first). */
  changes?: ChangeSummary;
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

/** How the segments moved since the previous delivered run: users summed over queries. */
export interface ChangeSummary {
  previousRunId: string;
  entered: number;
  stayed: number;
  left: number;
  /** Queries in this run and not the previous one, and the other way round. */
  queriesAdded: number;
  queriesRemoved: number;
}

export interface RunCostLine {
  item: string;
  quantity: string;
  lowUsd: number;
  usd: number;
}
