/**
 * The normalized pipeline spec: what every other module consumes. Produced by `loadSpec` from a YAML file that
 * passed schemas/pipeline.schema.json and the semantic rules; defaults are filled in and paths are absolute.
 * The YAML contract is docs/spec.md; keep both in step.
 */
export type Recipe = 'aws-item-affinity' | 'aws-item-attribute-affinity';
export type TargetKind = 'local' | 'aws';
export type DataFormat = 'csv' | 'jsonl';

export interface Target {
  kind: TargetKind;
  /** Required for aws; for local defaults to us-east-1 (only used in ARNs and signatures). */
  region: string;
  profile?: string;
  /** local only: use an already running emulator instead of starting one in process. */
  endpoint?: string;
}

export interface BadRowPolicy {
  /** fail (default): exit 2 naming the first bad lines; skip: drop them, up to maxBadRows. */
  onBadRows: 'fail' | 'skip';
  maxBadRows: number;
}

export interface InteractionsSource extends BadRowPolicy {
  /** Absolute path (the YAML value is relative to the spec file). */
  source: string;
  format: DataFormat;
  /** Source column names for each Personalize field. */
  columns: { USER_ID: string; ITEM_ID: string; TIMESTAMP: string };
  /** strptime-style format for TIMESTAMP; absent: epoch seconds, epoch milliseconds or ISO-8601, always UTC. */
  timestampFormat?: string;
  /** SQL boolean expression over source columns. */
  where?: string;
  dedupe: boolean;
  minInteractionsPerUser: number;
  minInteractionsPerItem: number;
}

export interface ItemAttribute {
  /** Name in items.csv, the Personalize schema and attribute queries (ITEMS.<name>). */
  name: string;
  /** Source column it is read from. */
  column: string;
}

export interface ItemsSource extends BadRowPolicy {
  source: string;
  format: DataFormat;
  columns: { ITEM_ID: string };
  /** Categorical attributes; multiple values are '|' separated. */
  attributes: ItemAttribute[];
  where?: string;
}

export interface AttributeCondition {
  attribute: string;
  value: string;
}

export interface AttributeQuery {
  /** The expression exactly as Personalize receives it: ITEMS.<col> = "<value>" [AND ...]. */
  expression: string;
  conditions: AttributeCondition[];
}

export type NumResults = { fractionOfUsers: number } | { count: number };

export interface Prices {
  /** USD per GB of data ingested. */
  dataIngestionPerGb: number;
  /** USD per training hour. */
  trainingPerHour: number;
  /** USD per 1,000 users in batch segment output. */
  batchSegmentsPer1000Users: number;
}

export interface Spec {
  version: 1;
  name: string;
  /** Absolute path of the YAML file this came from. */
  file: string;
  /** sha256 of the file's bytes. */
  fileHash: string;
  target: Target;
  data: { interactions: InteractionsSource; items?: ItemsSource };
  split: {
    testStart: string;
    testStartEpoch: number;
    warmUsersOnly: boolean;
    /** Optional start of the training window: interactions before it are dropped first. */
    trainStart?: string;
    trainStartEpoch?: number;
  };
  queries: { items?: { sample: number; seed: number }; attributes?: AttributeQuery[] };
  storage: { bucket: string; prefix: string; kmsKeyArn?: string };
  recipe: Recipe;
  training: { hiddenDimension?: number };
  segments: { numResults: NumResults };
  budget: { maxUsd: number; prices?: Partial<Prices> };
  tags: Record<string, string>;
}
