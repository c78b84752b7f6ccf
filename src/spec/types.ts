import type { FilterClause } from './filter-expression.js';

/**
 * The normalized pipeline spec: what every other module consumes. Produced by `loadSpec` from a YAML file that
 * passed schemas/pipeline.schema.json and the semantic rules; defaults are filled in and paths are absolute.
 * The YAML contract is docs/spec.md; keep both in step.
 */
export type Recipe = 'aws-item-affinity' | 'aws-item-attribute-affinity';
export type TargetKind = 'local' | 'aws';
export type DataFormat = 'csv' | 'jsonl' | 'parquet';

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

/** What every dataset's source shares: where the files are, how to read them, and what to do with bad rows. */
export interface DataSource extends BadRowPolicy {
  /**
   * One or more locations, read as one relation: absolute local paths or globs (the YAML value is relative to the
   * spec file), or s3://bucket/key and s3://bucket/prefix/*.parquet globs. Never empty.
   */
  source: string[];
  format: DataFormat;
  /** SQL boolean expression over source columns. */
  where?: string;
  /** s3:// entries are in a Requester Pays bucket: every read says the requester pays. */
  requesterPays?: boolean;
  /** CSV without a header row: columns are 1-based positions, named '1', '2', ... Absent: the file has one. */
  header?: false;
  /** CSV field delimiter; absent: detected from the first line (, ; tab |). */
  delimiter?: string;
}

export interface InteractionsSource extends DataSource {
  /** Source column names for each Personalize field; EVENT_TYPE and EVENT_VALUE only when mapped. */
  columns: { USER_ID: string; ITEM_ID: string; TIMESTAMP: string; EVENT_TYPE?: string; EVENT_VALUE?: string };
  /** strptime-style format for TIMESTAMP; absent: epoch seconds, epoch milliseconds or ISO-8601, always UTC. */
  timestampFormat?: string;
  dedupe: boolean;
  minInteractionsPerUser: number;
  minInteractionsPerItem: number;
  /**
   * Keep only the latest `lastDays` days: before split.testStart in an experiment, before the newest interaction in
   * a production run (so a weekly refresh keeps a moving window).
   */
  lastDays?: number;
}

export type AttributeType = 'categorical' | 'numeric';

export interface DataAttribute {
  /** Name in users.csv/items.csv, the Personalize schema, queries (ITEMS.<name>) and filters (Users.<name>). */
  name: string;
  /** Source column it is read from. */
  column: string;
  /** categorical: a string, several values '|' separated; numeric: a float. */
  type: AttributeType;
}
/** @deprecated the old name; item and user attributes share one shape. */
export type ItemAttribute = DataAttribute;

export interface ItemsSource extends DataSource {
  columns: { ITEM_ID: string };
  attributes: DataAttribute[];
}

export interface UsersSource extends DataSource {
  columns: { USER_ID: string };
  attributes: DataAttribute[];
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

/** segments.filter: a Personalize filter expression over user segments, as written and as parsed. */
export interface SegmentFilter {
  expression: string;
  clauses: FilterClause[];
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

/**
 * Where the state and its lock live (docs/team.md): this machine's .segflow/ or one S3 object a team shares.
 * region defaults to the target's.
 */
export type StateSpec = { backend: 'local' } | { backend: 's3'; bucket: string; key: string; region: string; kmsKeyArn?: string };

/**
 * Personalize's role: absent, segflow creates and owns `<name>-personalize-<region>`; `permissionsBoundary`, the role
 * it creates carries that boundary; `roleArn`, an existing role segflow only uses (never creates, changes or deletes).
 */
export type IamSpec = { roleArn: string; permissionsBoundary?: never } | { permissionsBoundary: string; roleArn?: never };

/**
 * The time holdout of an experiment (the seed notebook's protocol): train before testStart, score the segments on
 * what happened from it on. Absent in a production run, which trains on every prepared interaction.
 */
export interface Split {
  testStart: string;
  testStartEpoch: number;
  warmUsersOnly: boolean;
  /** Optional start of the training window: interactions before it are dropped first. */
  trainStart?: string;
  trainStartEpoch?: number;
}

/**
 * queries.items, one of four kinds. sample: the experiment's deterministic sample of test-period items (with
 * excludeCold, only items that also occur in train: a cold item is billed and the model cannot rank users for it). ids, source
 * and where: the items a marketer chooses; items that never occur in the training interactions are left out
 * (and reported) unless keepUnknown is set.
 */
export type ItemQueries =
  | { kind: 'sample'; sample: number; seed: number; excludeCold?: true }
  | { kind: 'ids'; ids: string[]; keepUnknown: boolean }
  | { kind: 'source'; source: QuerySource; keepUnknown: boolean }
  | { kind: 'where'; where: string; keepUnknown: boolean };

/** A file (or glob, or s3:// objects) listing item ids: an ITEM_ID column, the named column, or the only one. */
export interface QuerySource extends DataSource {
  column?: string;
}

export interface Queries {
  items?: ItemQueries;
  /** Hand-written attribute expressions (any number: jobs of at most 10 each). */
  attributes?: AttributeQuery[];
  /** `attributes: { top, attribute }`: the `top` most-interacted values of an item attribute in train, found by prepare. */
  topAttributeValues?: { top: number; attribute: string };
}

export interface Training {
  hiddenDimension?: number;
}

/**
 * One kind of segment the pipeline delivers: a recipe, its queries, the segment size and filter, and how the
 * model is trained. Segmentations share the dataset group and its imports; each distinct (recipe, training) is one
 * solution.
 */
export interface Segmentation {
  /** ^[a-z][a-z0-9-]{0,39}$; the pipeline's name for the segmentation written with top-level keys. */
  name: string;
  /**
   * The segmentation named after the pipeline (always the case for top-level recipe/queries/segments): its steps,
   * resources and files keep the names they had before segflow knew several segmentations, so an existing pipeline
   * plans unchanged.
   */
  primary: boolean;
  recipe: Recipe;
  queries: Queries;
  segments: { numResults: NumResults; filter?: SegmentFilter };
  training: Training;
}

export interface Spec {
  version: 1;
  name: string;
  /** Absolute path of the YAML file this came from. */
  file: string;
  /** sha256 of the file's bytes. */
  fileHash: string;
  target: Target;
  data: { interactions: InteractionsSource; items?: ItemsSource; users?: UsersSource };
  /** The experiment's holdout; absent: a production run on all the data. */
  split?: Split;
  /** Never empty: the `segmentations` list, or the one segmentation the top-level keys describe. */
  segmentations: Segmentation[];
  storage: {
    bucket: string;
    prefix: string;
    kmsKeyArn?: string;
    /** Delivered runs kept under <prefix>segments/<segmentation>/runs/ (older ones are deleted); absent: all. */
    keepRuns?: number;
  };
  budget: { maxUsd: number; prices?: Partial<Prices> };
  tags: Record<string, string>;
  /** Filled in by normalizeSpec; absent (in hand-built specs) means { backend: 'local' }. */
  state?: StateSpec;
  iam?: IamSpec;
}

/** The spec's state backend, with the default. */
export function stateOf(spec: Pick<Spec, 'state'>): StateSpec {
  return spec.state ?? { backend: 'local' };
}
