/**
 * The files `prepare` writes to .segflow/work/<name>/ and what later steps (upload, evaluation, reports) read.
 * This is the contract between src/data (producer) and src/engine, src/eval (consumers).
 */
export const ARTIFACT_FILES = {
  interactions: 'interactions.csv', // train rows only: USER_ID,ITEM_ID,TIMESTAMP (epoch seconds)
  items: 'items.csv', // ITEM_ID,<ATTR>...; categorical values '|' separated (only with data.items)
  batchInput: 'batch-input.jsonl', // {"itemId": "..."} or {"itemAttributes": "..."} per line
  groundTruth: 'ground-truth.json', // GroundTruthFile
  stats: 'stats.json', // PrepareStats
  manifest: 'manifest.json', // PrepareManifest: fingerprints of everything above
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
}

export interface PrepareManifest {
  version: 1;
  /** One hash over the inputs: source file contents, the spec slice prepare depends on, the segflow version. */
  fingerprint: string;
  segflowVersion: string;
  createdAt: string;
  /** sha256 and size of each output file, keyed by ARTIFACT_FILES value. */
  outputs: Record<string, { sha256: string; bytes: number }>;
}
