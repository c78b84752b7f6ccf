/**
 * The emulator's whole control-plane state: one JSON document (state.json), rewritten atomically after each
 * change. Object bodies, imported data and models are files beside it (see docs/emulator.md, "Data layout").
 * Times are epoch milliseconds.
 */
export const STATE_VERSION = 2;

/** A Personalize resource as stored: the API fields plus internal ones that start with '_'. */
export interface PzRecord {
  _kind: PzKind;
  _region: string;
  _createdSeq: number;
  status?: string;
  creationDateTime: number;
  lastUpdatedDateTime: number;
  [field: string]: unknown;
}

export type PzKind = 'datasetGroup' | 'schema' | 'dataset' | 'datasetImportJob' | 'solution' | 'solutionVersion' | 'batchSegmentJob' | 'filter';

export interface S3ObjectMeta {
  blob: string;
  size: number;
  etag: string;
  lastModified: number;
  contentType: string;
  metadata: Record<string, string>;
  /** Full-object checksums the client sent and that were verified, by algorithm (e.g. CRC32 -> base64). */
  checksums: Record<string, string>;
  /** Set once the bucket has (or had) versioning; objects written before that are version "null". */
  versionId?: string;
  /** How the object was encrypted when written (the bucket default, or the request's headers). */
  sse?: { algorithm: string; kmsKeyId?: string };
}

/** A delete marker of a versioned bucket. */
export interface S3DeleteMarker {
  deleteMarker: true;
  versionId: string;
  lastModified: number;
}

/** A noncurrent version: an object version or a delete marker. */
export type S3Version = (S3ObjectMeta & { versionId: string; deleteMarker?: undefined }) | S3DeleteMarker;

export interface S3Part {
  blob: string;
  size: number;
  etag: string;
  checksums: Record<string, string>;
}

export interface S3Upload {
  uploadId: string;
  key: string;
  initiated: number;
  contentType: string;
  metadata: Record<string, string>;
  parts: Record<string, S3Part>;
  /** A delete of the key succeeded after the upload began (a conditional complete then conflicts). */
  keyDeleted?: boolean;
  /** The encryption the completed object will have. */
  sse?: { algorithm: string; kmsKeyId?: string };
}

export interface S3Bucket {
  name: string;
  region: string;
  /** The account that created the bucket and owns it (and, with ownership enforced, every object in it). */
  owner: string;
  created: number;
  objects: Record<string, S3ObjectMeta>;
  uploads: Record<string, S3Upload>;
  publicAccessBlock?: Record<string, boolean>;
  policy?: string;
  /** Raw ServerSideEncryptionConfiguration rules: algorithm, KMS key, bucket key. */
  encryption?: { algorithm: string; kmsKeyId?: string; bucketKeyEnabled: boolean };
  /** Bucket tags (PutBucketTagging). */
  tags?: Record<string, string>;
  /** Absent: never versioned. Once Enabled, a bucket can only be Suspended, never unversioned again. */
  versioning?: 'Enabled' | 'Suspended';
  /** Versioned buckets: every version older than `objects[key]`, and delete markers, newest first. */
  versions?: Record<string, S3Version[]>;
  /** PutBucketRequestPayment: Requester Pays (absent: the bucket owner pays). */
  requestPayer?: 'Requester';
  /** PutBucketLifecycleConfiguration's rules (stored and reported, never run). */
  lifecycle?: Array<{ id?: string; status: 'Enabled' | 'Disabled'; prefix: string; expirationDays?: number; noncurrentDays?: number; abortDays?: number }>;
}

export interface IamRole {
  roleName: string;
  roleId: string;
  path: string;
  arn: string;
  created: number;
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
  tags: Array<{ Key: string; Value: string }>;
  inlinePolicies: Record<string, string>;
  attachedPolicies: string[];
  /** IAM eventual consistency: until visibleAfter, other services still see `previous` (nothing, for a new role). */
  propagation?: { visibleAfter: number; previous?: RoleSnapshot };
}

/** What another service sees of a role: its trust policy and permissions. */
export interface RoleSnapshot {
  assumeRolePolicyDocument: string;
  inlinePolicies: Record<string, string>;
  attachedPolicies: string[];
  permissionsBoundary?: string;
}

export interface IamPolicy {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  description?: string;
  document: string;
  created: number;
  updated: number;
  tags: Array<{ Key: string; Value: string }>;
}

export interface KmsGrant {
  grantId: string;
  grantToken: string;
  name?: string;
  granteePrincipal: string;
  retiringPrincipal?: string;
  operations: string[];
  constraints?: Record<string, unknown>;
  issuingAccount: string;
  created: number;
}

export interface KmsKey {
  keyId: string;
  arn: string;
  region: string;
  created: number;
  description: string;
  keyUsage: string;
  keySpec: string;
  state: 'Enabled' | 'PendingDeletion';
  deletionDate?: number;
  pendingWindowInDays?: number;
  /** The key policy (KMS keys have exactly one, named "default"). */
  policy: string;
  grants: KmsGrant[];
  tags: Array<{ TagKey: string; TagValue: string }>;
}

export interface EmulatorState {
  version: number;
  seq: number;
  personalize: {
    resources: Record<string, PzRecord>;
    tags: Record<string, Record<string, string>>;
  };
  /** Buckets by `<partition>/<name>` (s3-model.ts bucketKey). */
  s3: { buckets: Record<string, S3Bucket> };
  /** Roles and customer managed policies by ARN: each account (and partition) has its own. */
  iam: { roles: Record<string, IamRole>; policies: Record<string, IamPolicy> };
  kms: { keys: Record<string, KmsKey> };
}

export function emptyState(): EmulatorState {
  return {
    version: STATE_VERSION,
    seq: 0,
    personalize: { resources: {}, tags: {} },
    s3: { buckets: {} },
    iam: { roles: {}, policies: {} },
    kms: { keys: {} },
  };
}
