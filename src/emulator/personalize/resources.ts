import { ApiError } from '../api-error.js';
import type { Emu, RequestInfo } from '../context.js';
import { notAuthorized } from '../iam/denial.js';
import { parseArn } from '../partitions.js';
import type { PzKind, PzRecord } from '../store/state.js';

/** ARN resource-type segment per kind (arn:PARTITION:personalize:REGION:ACCOUNT:<type>/<id>). */
export const ARN_TYPE: Record<PzKind, string> = {
  datasetGroup: 'dataset-group',
  schema: 'schema',
  dataset: 'dataset',
  datasetImportJob: 'dataset-import-job',
  solution: 'solution',
  solutionVersion: 'solution',
  batchSegmentJob: 'batch-segment-job',
  filter: 'filter',
};

/** Human words for messages. */
const KIND_WORD: Record<PzKind, string> = {
  datasetGroup: 'dataset group',
  schema: 'schema',
  dataset: 'dataset',
  datasetImportJob: 'dataset import job',
  solution: 'solution',
  solutionVersion: 'solution version',
  batchSegmentJob: 'batch segment job',
  filter: 'filter',
};

/** The ARN prefix of the caller's resources in the request's region (its partition, its account). */
function scopePrefix(info: RequestInfo): string {
  return `arn:${info.partition}:personalize:${info.region}:${info.account}:`;
}

export function pzArn(info: RequestInfo, kind: PzKind, id: string): string {
  return `${scopePrefix(info)}${ARN_TYPE[kind]}/${id}`;
}

export const IN_FLIGHT = new Set(['CREATE PENDING', 'CREATE IN_PROGRESS', 'CREATE STOPPING', 'PENDING', 'IN PROGRESS', 'IN_PROGRESS']);
export const DELETING = new Set(['DELETE PENDING', 'DELETE IN_PROGRESS']);
/** "The resource status must be ACTIVE or CREATE FAILED" to delete it. */
export const SETTLED = new Set(['ACTIVE', 'CREATE FAILED']);

export function resources(emu: Emu): Record<string, PzRecord> {
  return emu.store.state.personalize.resources;
}

export function find(emu: Emu, arn: string, kind: PzKind): PzRecord | undefined {
  const r = resources(emu)[arn];
  return r && r._kind === kind ? r : undefined;
}

/**
 * A resource another account owns cannot be reached: Personalize has no resource-based policies, so IAM refuses
 * every cross-account call (AccessDeniedException, in IAM's "no resource-based policy allows" wording).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 */
export function requireOwnAccount(info: RequestInfo, arn: string): void {
  const owner = parseArn(arn)?.account;
  if (owner === undefined || owner === '' || owner === info.account) return;
  const action = `personalize:${info.operation ?? 'Unknown'}`;
  const caller = { kind: 'root', account: info.account, partition: info.partition } as const;
  throw new ApiError(
    'AccessDeniedException',
    notAuthorized(caller, action, arn, { allowed: false, reason: 'implicit-deny', missing: 'resource-based policy' }),
  );
}

/** The caller's resource of that kind (its ARN's partition was checked with the input, see validate.ts). */
export function mustFind(emu: Emu, info: RequestInfo, arn: string, kind: PzKind): PzRecord {
  requireOwnAccount(info, arn);
  const r = find(emu, arn, kind);
  if (!r) throw new ApiError('ResourceNotFoundException', `Could not find resource of type ${KIND_WORD[kind]} with arn = ${arn}`);
  return r;
}

/** The caller's resources of a kind in the request's region (Personalize is regional; accounts are apart). */
export function ofKind(emu: Emu, info: RequestInfo, kind: PzKind, where: (r: PzRecord) => boolean = () => true): PzRecord[] {
  const prefix = scopePrefix(info);
  return Object.entries(resources(emu))
    .filter(([arn, r]) => r._kind === kind && arn.startsWith(prefix) && where(r))
    .map(([, r]) => r);
}

export function alreadyExists(arn: string): ApiError {
  return new ApiError('ResourceAlreadyExistsException', `Another resource with Arn ${arn} already exists.`);
}

export function inUse(message: string): ApiError {
  return new ApiError('ResourceInUseException', message);
}

export function requireStatus(r: PzRecord, arn: string, wanted: string, what: string): void {
  if (r.status !== wanted) throw inUse(`The ${what} ${arn} is not in ${wanted} state (status: ${r.status}).`);
}

export function newRecord(emu: Emu, info: RequestInfo, kind: PzKind, fields: Record<string, unknown>): PzRecord {
  const now = Date.now();
  return {
    _kind: kind,
    _region: info.region,
    _createdSeq: emu.store.nextSeq(),
    creationDateTime: now,
    lastUpdatedDateTime: now,
    ...fields,
  };
}

export function setStatus(r: PzRecord, status: string, failureReason?: string): void {
  r.status = status;
  r.lastUpdatedDateTime = Date.now();
  if (failureReason !== undefined) r.failureReason = failureReason;
}

/** The API view of a record: internal '_' fields dropped, *DateTime fields as epoch seconds (JSON 1.1 timestamps). */
export function render(r: Record<string, unknown>, only?: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k.startsWith('_') || v === undefined) continue;
    if (only && !only.includes(k)) continue;
    out[k] = renderValue(k, v);
  }
  return out;
}

function renderValue(key: string, v: unknown): unknown {
  if (key.endsWith('DateTime') && typeof v === 'number') return v / 1000;
  if (v && typeof v === 'object' && !Array.isArray(v)) return render(v as Record<string, unknown>);
  return v;
}

export function tagsOf(emu: Emu): Record<string, Record<string, string>> {
  return emu.store.state.personalize.tags;
}

export function setTags(emu: Emu, arn: string, tags: Record<string, string>): void {
  if (Object.keys(tags).length > 50) throw new ApiError('TooManyTagsException', 'You have exceeded the maximum number of tags (50) for this resource.');
  if (Object.keys(tags).length > 0) tagsOf(emu)[arn] = { ...tags };
}

/** Removes a resource and its tags from the state. */
export function forget(emu: Emu, arn: string): void {
  delete resources(emu)[arn];
  delete tagsOf(emu)[arn];
}

/** A job may be started this many times (first run plus restarts) before a restart gives up on it. */
export const MAX_JOB_ATTEMPTS = 3;

/**
 * Counts a (re)start of a job. After MAX_JOB_ATTEMPTS starts (say, an emulator killed again and again while this
 * job ran) the job fails with a reason instead of being retried forever. Returns false when it gave up.
 */
export function beginAttempt(r: PzRecord): boolean {
  const attempts = ((r._attempts as number | undefined) ?? 0) + 1;
  r._attempts = attempts;
  if (attempts > MAX_JOB_ATTEMPTS) {
    setStatus(r, 'CREATE FAILED', `The emulator stopped ${MAX_JOB_ATTEMPTS} times while this job was running; it was not retried again.`);
    return false;
  }
  return true;
}
