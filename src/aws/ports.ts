/**
 * The ports: what segflow asks of AWS, in its own terms. src/aws implements them with the AWS SDK (the only code
 * that imports @aws-sdk/*); unit tests implement them with plain in-memory objects (test/support/fake-aws.ts).
 *
 * Conventions every implementation keeps:
 * - Absence is a value: describe/get/head return `undefined` for a resource that is not there; they never throw
 *   for it. Deletes of something already gone resolve too.
 * - Lists page to the end (nextToken, ContinuationToken, Marker are the port's business). A list under a parent
 *   that is not there (the versions of a deleted solution, the objects of a deleted bucket, the policies of a
 *   deleted role) is empty, not an error.
 * - Any other failure is an `AwsError` (src/aws/errors.ts) naming the service, the operation, AWS's error code
 *   and message, and its kind (not-found, already-exists, in-use, limit-exceeded, access-denied, ...).
 * - Throttling and transient failures are retried inside; quota errors (LimitExceededException) are not.
 * - Every call is counted once per logical call (retries excluded) in `calls`.
 */
import type { CallCounter } from './call-counter.js';

export type Tags = Record<string, string>;

// ---------------------------------------------------------------- Personalize

export interface DatasetGroupInfo {
  arn: string;
  name: string;
  status: string;
  failureReason?: string;
  createdAt?: Date;
}

export interface SchemaInfo {
  arn: string;
  name: string;
  /** The Avro schema as JSON text (absent in list summaries). */
  schema?: string;
  createdAt?: Date;
}

export type DatasetType = 'Interactions' | 'Items' | 'Users';

export interface DatasetInfo {
  arn: string;
  name: string;
  status: string;
  datasetType?: string;
  schemaArn?: string;
  datasetGroupArn?: string;
  createdAt?: Date;
}

export interface ImportJobInfo {
  arn: string;
  name: string;
  status: string;
  failureReason?: string;
  datasetArn?: string;
  dataLocation?: string;
  roleArn?: string;
  createdAt?: Date;
}

export interface SolutionInfo {
  arn: string;
  name: string;
  status: string;
  recipeArn?: string;
  datasetGroupArn?: string;
  performAutoTraining?: boolean;
  /** solutionConfig.algorithmHyperParameters.hidden_dimension as AWS returns it (a string), if set. */
  hiddenDimension?: string;
  latestVersion?: { arn: string; status: string; failureReason?: string };
  createdAt?: Date;
}

export interface SolutionVersionInfo {
  arn: string;
  status: string;
  failureReason?: string;
  solutionArn?: string;
  /** Billed training hours (DescribeSolutionVersion only). */
  trainingHours?: number;
  trainingMode?: string;
  createdAt?: Date;
}

export interface SegmentJobInfo {
  arn: string;
  name: string;
  status: string;
  failureReason?: string;
  solutionVersionArn?: string;
  numResults?: number;
  inputPath?: string;
  outputPath?: string;
  filterArn?: string;
  roleArn?: string;
  createdAt?: Date;
}

export interface FilterInfo {
  arn: string;
  name: string;
  status: string;
  failureReason?: string;
  datasetGroupArn?: string;
  filterExpression?: string;
  createdAt?: Date;
}

export interface PersonalizePort {
  describeDatasetGroup(arn: string): Promise<DatasetGroupInfo | undefined>;
  createDatasetGroup(input: { name: string; tags: Tags }): Promise<string>;
  deleteDatasetGroup(arn: string): Promise<void>;
  listDatasetGroups(): Promise<DatasetGroupInfo[]>;

  describeSchema(arn: string): Promise<SchemaInfo | undefined>;
  createSchema(input: { name: string; schema: string }): Promise<string>;
  deleteSchema(arn: string): Promise<void>;
  listSchemas(): Promise<SchemaInfo[]>;

  describeDataset(arn: string): Promise<DatasetInfo | undefined>;
  createDataset(input: { name: string; schemaArn: string; datasetGroupArn: string; datasetType: DatasetType; tags: Tags }): Promise<string>;
  deleteDataset(arn: string): Promise<void>;
  listDatasets(datasetGroupArn: string): Promise<DatasetInfo[]>;

  describeDatasetImportJob(arn: string): Promise<ImportJobInfo | undefined>;
  createDatasetImportJob(input: {
    name: string;
    datasetArn: string;
    dataLocation: string;
    roleArn: string;
    importMode: 'FULL' | 'INCREMENTAL';
    tags: Tags;
  }): Promise<string>;
  listDatasetImportJobs(datasetArn: string): Promise<ImportJobInfo[]>;

  describeSolution(arn: string): Promise<SolutionInfo | undefined>;
  createSolution(input: {
    name: string;
    datasetGroupArn: string;
    recipeArn: string;
    performAutoTraining: boolean;
    hiddenDimension?: number;
    tags: Tags;
  }): Promise<string>;
  /** UpdateSolution: only performAutoTraining is changed by segflow. */
  updateSolution(input: { arn: string; performAutoTraining: boolean }): Promise<void>;
  deleteSolution(arn: string): Promise<void>;
  listSolutions(datasetGroupArn: string): Promise<SolutionInfo[]>;

  describeSolutionVersion(arn: string): Promise<SolutionVersionInfo | undefined>;
  createSolutionVersion(input: { solutionArn: string; trainingMode: 'FULL' | 'UPDATE'; tags: Tags }): Promise<string>;
  stopSolutionVersionCreation(arn: string): Promise<void>;
  listSolutionVersions(solutionArn: string): Promise<SolutionVersionInfo[]>;
  getSolutionMetrics(solutionVersionArn: string): Promise<Record<string, number>>;

  describeBatchSegmentJob(arn: string): Promise<SegmentJobInfo | undefined>;
  createBatchSegmentJob(input: {
    name: string;
    solutionVersionArn: string;
    numResults: number;
    inputPath: string;
    outputPath: string;
    roleArn: string;
    filterArn?: string;
    tags: Tags;
  }): Promise<string>;
  /** All jobs, or only those of one solution version (the API's own filter). */
  listBatchSegmentJobs(filter?: { solutionVersionArn?: string }): Promise<SegmentJobInfo[]>;

  describeFilter(arn: string): Promise<FilterInfo | undefined>;
  createFilter(input: { name: string; datasetGroupArn: string; filterExpression: string; tags: Tags }): Promise<string>;
  deleteFilter(arn: string): Promise<void>;
  listFilters(datasetGroupArn: string): Promise<FilterInfo[]>;

  listTagsForResource(arn: string): Promise<Tags>;
  /** Adds or overwrites these tags; every other tag stays. */
  tagResource(arn: string, tags: Tags): Promise<void>;
  untagResource(arn: string, keys: string[]): Promise<void>;
}

// ---------------------------------------------------------------- S3

export interface ObjectInfo {
  key: string;
  etag: string;
  size: number;
  /** User metadata (x-amz-meta-*), from HEAD only. */
  metadata?: Record<string, string>;
  versionId?: string;
  /** When S3 stored this version (S3's clock, whole seconds); from HEAD and lists. */
  lastModified?: Date;
}

export interface ObjectVersionInfo {
  key: string;
  versionId: string;
  isDeleteMarker: boolean;
  isLatest: boolean;
  size?: number;
  lastModified?: Date;
}

/** An object's text as GetObject returned it; lastModified is S3's clock (whole seconds). */
export interface ObjectText {
  text: string;
  etag: string;
  lastModified?: Date;
  versionId?: string;
}

export type BucketAccess = 'owned' | 'absent' | 'forbidden';

export interface BucketEncryption {
  algorithm: 'AES256' | 'aws:kms';
  kmsKeyArn?: string;
  bucketKeyEnabled?: boolean;
}

/** A lifecycle rule on a key prefix: expire objects, or abort multipart uploads left incomplete, after N days. */
export interface LifecycleRule {
  id: string;
  prefix: string;
  abortIncompleteUploadsAfterDays?: number;
  expireAfterDays?: number;
}

export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

export interface ObjectBody {
  /** Small content in memory, or a file the port streams (multipart above its own threshold). */
  data?: Buffer | string;
  file?: string;
}

/** Reads of someone else's Requester Pays bucket must say the requester pays (x-amz-request-payer: requester). */
export interface ReadOptions {
  requesterPays?: boolean;
}

export interface PutOptions {
  metadata?: Record<string, string>;
  contentType?: string;
  /** Conditional write: '*' creates only when the key is absent (412 otherwise). */
  ifNoneMatch?: '*';
  /** Conditional write: replace only this ETag (412 otherwise). */
  ifMatch?: string;
  /** Aborts the request (a lock renewal that must not outlive its lease). */
  signal?: AbortSignal;
}

/** An object to copy from: its bucket, key and, to copy another than the current one, version. */
export interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

export interface CopyOptions {
  /** Copy only while the source still has this ETag (x-amz-copy-source-if-match; 412 precondition-failed otherwise). */
  ifMatch?: string;
  /**
   * The copy's user metadata instead of the source's (x-amz-metadata-directive REPLACE). As on S3, a REPLACE also
   * drops the source's Content-Type. Without it the copy keeps the source's metadata and Content-Type.
   */
  metadata?: Record<string, string>;
}

export interface S3Port {
  /** 'forbidden': the name exists and belongs to someone else (or this caller may not see it). */
  headBucket(bucket: string): Promise<BucketAccess>;
  /** 'created', or 'owned' when this account already had it (BucketAlreadyOwnedByYou). */
  createBucket(bucket: string): Promise<'created' | 'owned'>;
  deleteBucket(bucket: string): Promise<void>;
  getBucketPolicy(bucket: string): Promise<string | undefined>;
  putBucketPolicy(bucket: string, policy: string): Promise<void>;
  deleteBucketPolicy(bucket: string): Promise<void>;
  getPublicAccessBlock(bucket: string): Promise<PublicAccessBlock | undefined>;
  putPublicAccessBlock(bucket: string, block: PublicAccessBlock): Promise<void>;
  getBucketEncryption(bucket: string): Promise<BucketEncryption | undefined>;
  putBucketEncryption(bucket: string, encryption: BucketEncryption): Promise<void>;
  getBucketTagging(bucket: string): Promise<Tags | undefined>;
  putBucketTagging(bucket: string, tags: Tags): Promise<void>;
  getBucketVersioning(bucket: string): Promise<'Enabled' | 'Suspended' | undefined>;
  /** The IDs of the bucket's lifecycle rules; undefined when it has no lifecycle configuration. */
  getBucketLifecycleRuleIds(bucket: string): Promise<string[] | undefined>;
  /** Replaces the bucket's lifecycle configuration with these rules. */
  putBucketLifecycle(bucket: string, rules: LifecycleRule[]): Promise<void>;
  /** In-progress multipart uploads under a prefix (every page). */
  listMultipartUploads(bucket: string, prefix: string): Promise<Array<{ key: string; uploadId: string; initiated?: Date }>>;
  /** Aborting an upload that is already gone succeeds. */
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;

  headObject(bucket: string, key: string, options?: ReadOptions): Promise<ObjectInfo | undefined>;
  putObject(bucket: string, key: string, body: ObjectBody, options?: PutOptions): Promise<{ etag: string; bytes: number }>;
  /** Streams the object into a file; undefined when absent. `ifMatch`: only that version of it (412 otherwise). */
  downloadObject(bucket: string, key: string, file: string, options?: ReadOptions & { ifMatch?: string }): Promise<ObjectInfo | undefined>;
  /** The object's text (a given version's with `versionId`); undefined when absent. */
  getObjectText(bucket: string, key: string, options?: { versionId?: string }): Promise<ObjectText | undefined>;
  listObjects(bucket: string, prefix: string, options?: ReadOptions): Promise<ObjectInfo[]>;
  listObjectVersions(bucket: string, prefix: string): Promise<ObjectVersionInfo[]>;
  /**
   * Copies `source` to bucket/key on the server side (no body passes through segflow; up to 5 GB). The copy gets the
   * destination bucket's default encryption. A missing source (bucket, key or version) is a not-found AwsError.
   * `versionId` is the copy's own, in a versioned bucket.
   */
  copyObject(bucket: string, key: string, source: CopySource, options?: CopyOptions): Promise<{ etag: string; versionId?: string }>;
  deleteObject(bucket: string, key: string, options?: { versionId?: string; ifMatch?: string }): Promise<void>;
  /** Deletes in batches of 1,000; per-key failures come back, never silently dropped. */
  deleteObjects(
    bucket: string,
    objects: Array<{ key: string; versionId?: string }>,
  ): Promise<{ deleted: number; errors: Array<{ key: string; versionId?: string; code: string; message: string }> }>;
}

// ---------------------------------------------------------------- IAM, STS, KMS

export interface RoleInfo {
  arn: string;
  name: string;
  /** The trust policy, decoded JSON text. */
  trustPolicy: string;
  description?: string;
  tags: Tags;
  createdAt?: Date;
  /** The ARN of the managed policy set as the role's permissions boundary. */
  permissionsBoundary?: string;
}

/** One action on one resource, as IAM's policy simulator decided it for a role's policies. */
export interface SimulatedDecision {
  action: string;
  resource: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
}

export interface IamPort {
  getRole(name: string): Promise<RoleInfo | undefined>;
  createRole(input: { name: string; trustPolicy: string; description: string; tags: Tags; permissionsBoundary?: string }): Promise<string>;
  putRolePermissionsBoundary(name: string, policyArn: string): Promise<void>;
  /** SimulatePrincipalPolicy: what the role's own policies (within its boundary) allow, per action and resource. */
  simulatePrincipalPolicy(input: { roleArn: string; actions: string[]; resource: string; context?: Record<string, string> }): Promise<SimulatedDecision[]>;
  updateAssumeRolePolicy(name: string, policy: string): Promise<void>;
  getRolePolicy(name: string, policyName: string): Promise<string | undefined>;
  putRolePolicy(name: string, policyName: string, policy: string): Promise<void>;
  deleteRolePolicy(name: string, policyName: string): Promise<void>;
  listRolePolicies(name: string): Promise<string[]>;
  listAttachedRolePolicies(name: string): Promise<Array<{ arn: string; name: string }>>;
  detachRolePolicy(name: string, policyArn: string): Promise<void>;
  deleteRole(name: string): Promise<void>;
  /** Adds or overwrites these tags; every other tag stays. */
  tagRole(name: string, tags: Tags): Promise<void>;
  untagRole(name: string, keys: string[]): Promise<void>;
}

export interface CallerIdentity {
  account: string;
  arn: string;
}

export interface StsPort {
  getCallerIdentity(): Promise<CallerIdentity>;
}

export interface KeyInfo {
  arn: string;
  keyId: string;
  enabled: boolean;
  keyState?: string;
}

export interface KmsPort {
  describeKey(keyId: string): Promise<KeyInfo | undefined>;
  getKeyPolicy(keyId: string): Promise<string | undefined>;
}

// ---------------------------------------------------------------- the bundle

export interface AwsPorts {
  personalize: PersonalizePort;
  s3: S3Port;
  iam: IamPort;
  sts: StsPort;
  kms: KmsPort;
  calls: CallCounter;
  region: string;
  /** aws, aws-cn or aws-us-gov: the ARN partition of `region`. */
  partition: string;
  /** "local emulator at http://127.0.0.1:1234" or "aws eu-west-1". */
  label: string;
  close(): void;
}
