/**
 * The fake Personalize's resources and their lifecycle. A resource is CREATE PENDING until it has been described
 * `describesToActive` times, then ACTIVE (or CREATE FAILED); a delete makes it DELETE PENDING, and after as many
 * describes it is gone. Import and batch segment jobs read and write the fake S3 like the real ones; a finished
 * import keeps the data it read, which filters of batch segment jobs are evaluated on.
 */
import { randomBytes } from 'node:crypto';
import type { Tags } from '../../../src/aws/ports.js';
import { fail, type FakeCore } from './core.js';
import type { FakeIam } from './iam.js';
import type { FakeS3 } from './s3.js';
import { segmentFilterOf } from './segment-filter.js';

export type ResourceType = 'dataset-group' | 'schema' | 'dataset' | 'dataset-import-job' | 'solution' | 'solution-version' | 'batch-segment-job' | 'filter';

export interface FakeResource {
  type: ResourceType;
  arn: string;
  name: string;
  status: string;
  failureReason?: string;
  /** Describes since the last status change. */
  describes: number;
  tags: Tags;
  /** The create call's input as the port received it (UpdateSolution changes performAutoTraining). */
  input: Record<string, unknown>;
  /** Creation order. */
  seq: number;
  createdAt: Date;
  trainingHours?: number;
  /** Datasets: the CSV text the last finished import read (what filters are evaluated on). */
  data?: string;
}

/** Per-region quotas, as AWS's defaults and the emulator's (src/emulator/personalize/*). */
export interface Quotas {
  datasetGroups: number;
  schemas: number;
  solutionsPerGroup: number;
  filtersPerGroup: number;
  importJobsInFlight: number;
  versionsInFlight: number;
  segmentJobsInFlight: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  datasetGroups: 5,
  schemas: 500,
  solutionsPerGroup: 10,
  filtersPerGroup: 10,
  importJobsInFlight: 5,
  versionsInFlight: 20,
  segmentJobsInFlight: 5,
};

export const RECIPES = new Set(['arn:aws:personalize:::recipe/aws-item-affinity', 'arn:aws:personalize:::recipe/aws-item-attribute-affinity']);
export const IN_FLIGHT = new Set(['CREATE PENDING', 'CREATE IN_PROGRESS', 'CREATE STOPPING']);
const SETTLED = new Set(['ACTIVE', 'CREATE FAILED']);
const WORD: Record<ResourceType, string> = {
  'dataset-group': 'dataset group',
  schema: 'schema',
  dataset: 'dataset',
  'dataset-import-job': 'dataset import job',
  solution: 'solution',
  'solution-version': 'solution version',
  'batch-segment-job': 'batch segment job',
  filter: 'filter',
};

export const inUse = (message: string): never => fail('ResourceInUseException', message);
export const quota = (message: string): never => fail('LimitExceededException', message);

function parseS3(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}

export class PersonalizeWorld {
  readonly res = new Map<string, FakeResource>();
  describesToActive = 2;
  quotas: Quotas = { ...DEFAULT_QUOTAS };
  /** One-shot failures: the next resource of this type to finish ends CREATE FAILED with this reason. */
  readonly failNext = new Map<ResourceType, string>();
  /** Users every segment names, best first (each query line gets the first numResults). */
  segmentUsers = ['u1', 'u2'];
  metrics: Record<string, number> = { coverage: 0.5, hits_at_1_percent: 1.5, recall_at_1_percent: 0.1 };
  /** Billed training hours of a finished solution version. */
  trainingHours = 0.01;

  constructor(
    readonly core: FakeCore,
    private readonly s3: FakeS3,
    private readonly iam: FakeIam,
    private readonly prefix: string,
  ) {}

  arn(type: string, id: string): string {
    return `${this.prefix}${type}/${id}`;
  }

  all(type: ResourceType, where: (r: FakeResource) => boolean = () => true): FakeResource[] {
    // Newest first, as the emulator lists.
    return [...this.res.values()].filter((r) => r.type === type && where(r)).sort((a, b) => b.seq - a.seq);
  }

  find(arn: string, type: ResourceType): FakeResource {
    const r = this.res.get(arn);
    return r && r.type === type ? r : fail('ResourceNotFoundException', `Could not find resource of type ${WORD[type]} with arn = ${arn}`);
  }

  requireActive(r: FakeResource): void {
    if (r.status !== 'ACTIVE') inUse(`The ${WORD[r.type]} ${r.arn} is not in ACTIVE state (status: ${r.status}).`);
  }

  requireSettled(r: FakeResource): void {
    if (!SETTLED.has(r.status)) inUse(`${WORD[r.type]} ${r.arn} cannot be deleted while its status is ${r.status}.`);
  }

  /** Names are unique per type and region (and job names forever: jobs cannot be deleted). */
  requireNew(arn: string): void {
    if (this.res.has(arn)) fail('ResourceAlreadyExistsException', `Another resource with Arn ${arn} already exists.`);
  }

  /**
   * Adds a resource after the checks every Create* makes, in AWS's order: the name is new, then the quota (how
   * many resources of the type `counts` already, at most `limit`) is not reached.
   */
  add(
    type: ResourceType,
    arn: string,
    name: string,
    input: Record<string, unknown>,
    limit?: { max: number; counts: (r: FakeResource) => boolean; message: string },
    status = 'CREATE PENDING',
  ): FakeResource {
    this.requireNew(arn);
    if (limit && this.all(type, limit.counts).length >= limit.max) quota(limit.message);
    const tags = (input['tags'] as Tags | undefined) ?? {};
    const r: FakeResource = { type, arn, name, status, describes: 0, tags: { ...tags }, input, seq: this.core.nextSeq(), createdAt: new Date() };
    this.res.set(arn, r);
    this.core.log.push(`create ${type} ${name}`);
    return r;
  }

  versionArn(solutionArn: string): string {
    let arn: string;
    do arn = `${solutionArn}/${randomBytes(4).toString('hex')}`;
    while (this.res.has(arn));
    return arn;
  }

  startDelete(r: FakeResource): void {
    r.status = 'DELETE PENDING';
    r.describes = 0;
    this.core.log.push(`delete ${r.type} ${r.name}`);
  }

  /** A describe: counts, and moves the resource on when it has been described often enough. */
  describe(arn: string, type: ResourceType): FakeResource {
    const r = this.find(arn, type);
    r.describes += 1;
    if (r.describes >= this.describesToActive) this.progress(r);
    if (!this.res.has(arn)) this.find(arn, type); // deleted just now: not found
    return r;
  }

  private progress(r: FakeResource): void {
    if (r.status.startsWith('DELETE')) {
      this.res.delete(r.arn);
      if (r.type === 'solution') for (const v of this.all('solution-version', (v) => v.input['solutionArn'] === r.arn)) this.res.delete(v.arn);
      // A dataset group's filters go with it, as on the emulator.
      if (r.type === 'dataset-group') for (const f of this.all('filter', (f) => f.input['datasetGroupArn'] === r.arn)) this.res.delete(f.arn);
      return;
    }
    if (!IN_FLIGHT.has(r.status) || r.status === 'CREATE STOPPING') return;
    const reason = this.failNext.get(r.type) ?? this.jobProblem(r);
    this.failNext.delete(r.type);
    r.describes = 0;
    if (reason !== undefined) {
      r.status = 'CREATE FAILED';
      r.failureReason = reason;
      return;
    }
    if (r.type === 'batch-segment-job') this.writeSegments(r);
    if (r.type === 'solution-version') r.trainingHours = this.trainingHours;
    if (r.type === 'dataset-import-job') this.keepImportedData(r);
    r.status = 'ACTIVE';
  }

  /** Why a job cannot run: the role it was given does not exist, or its input is not in S3. */
  private jobProblem(r: FakeResource): string | undefined {
    if (r.type !== 'dataset-import-job' && r.type !== 'batch-segment-job') return undefined;
    const role = typeof r.input['roleArn'] === 'string' ? r.input['roleArn'] : '';
    if (!this.iam.roleExists(role)) return `Insufficient privileges for accessing data in S3. (The role ${role} does not exist.)`;
    const location = String(r.type === 'dataset-import-job' ? r.input['dataLocation'] : r.input['inputPath']);
    if (this.inputKeys(location).length === 0) return `No data was found at ${location}. Check that the object or folder exists.`;
    const filter = r.input['filterArn'];
    if (typeof filter === 'string') {
      const keep = segmentFilterOf(this.res.get(filter), this.all('dataset'));
      if ('failure' in keep) return keep.failure;
    }
    return undefined;
  }

  /** A FULL import replaces the dataset's data with the file it read. */
  private keepImportedData(job: FakeResource): void {
    const dataset = this.res.get(String(job.input['datasetArn']));
    const loc = parseS3(String(job.input['dataLocation']));
    const key = this.inputKeys(String(job.input['dataLocation']))[0];
    const body = loc && key ? this.s3.buckets.get(loc.bucket)?.objects.get(key)?.body : undefined;
    if (dataset && body) dataset.data = body.toString('utf8');
  }

  /** The objects an s3:// location names: one object, or every non-empty object under a prefix. */
  inputKeys(location: string): string[] {
    const loc = parseS3(location);
    const b = loc ? this.s3.buckets.get(loc.bucket) : undefined;
    if (!loc || !b) return [];
    if (loc.key !== '' && !loc.key.endsWith('/') && b.objects.has(loc.key)) return [loc.key];
    return [...b.objects].filter(([k, o]) => k.startsWith(loc.key) && !k.endsWith('/') && o.body.length > 0).map(([k]) => k);
  }

  /** `<input file name>.out` per input file, one line per query: {"input", "output": {"usersList"}, "error"}. */
  private writeSegments(r: FakeResource): void {
    const input = parseS3(String(r.input['inputPath']))!;
    const out = parseS3(String(r.input['outputPath']));
    if (!out || !this.s3.buckets.has(out.bucket)) return;
    const prefix = out.key === '' || out.key.endsWith('/') ? out.key : `${out.key}/`;
    // With a filter the users that pass it, best first (jobProblem failed the job if the filter cannot apply).
    const filter = typeof r.input['filterArn'] === 'string' ? segmentFilterOf(this.res.get(r.input['filterArn']), this.all('dataset')) : undefined;
    const candidates = filter && !('failure' in filter) ? this.segmentUsers.filter(filter) : this.segmentUsers;
    const users = candidates.slice(0, Number(r.input['numResults'] ?? 25));
    for (const key of this.inputKeys(String(r.input['inputPath']))) {
      const text = this.s3.buckets.get(input.bucket)!.objects.get(key)!.body.toString('utf8');
      const lines = text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => {
          try {
            return JSON.stringify({ input: JSON.parse(l) as unknown, output: { usersList: users }, error: null });
          } catch {
            return JSON.stringify({ input: l, output: { usersList: [] }, error: 'The input line is not valid JSON.' });
          }
        });
      this.s3.store(out.bucket, `${prefix}${key.split('/').pop()}.out`, Buffer.from(lines.map((l) => `${l}\n`).join('')));
    }
  }
}
