import type { S3Port } from '../aws/ports.js';
import { SegflowError, inputError } from '../util/errors.js';
import { StateConflict, type ReportStore, type StateBackend, type StateHistoryEntry, type StoredState } from './backend.js';
import { parseState } from './parse.js';
import { lostRace, stateAccessError } from './s3-errors.js';
import { S3LockBackend, type LeaseTiming } from './s3-lock.js';
import { s3Url, stateKeys, type StateKeys } from './s3-keys.js';
import type { PipelineState } from './types.js';

/** What the shared state needs of S3 (the S3Port of the session's ports, or of the state bucket's region). */
export type StateS3 = Pick<
  S3Port,
  'headBucket' | 'getBucketVersioning' | 'getObjectText' | 'putObject' | 'deleteObject' | 'listObjects' | 'listObjectVersions'
>;

/**
 * The state as one S3 object that every machine of a team reads and writes (Terraform's S3 backend, with S3-native
 * locking). Every write is conditional: the first with If-None-Match: *, each later one with If-Match on the ETag
 * it read, so a writer that lost a race gets 412 (or 409) and never overwrites a version it did not see (the
 * StateStore then re-reads and re-applies its change). Every replaced version is kept: by S3 versioning when the
 * bucket has it, otherwise as a copy under `<key>.history/` written before the replacing write.
 */
export class S3StateBackend implements StateBackend {
  readonly kind = 's3' as const;
  readonly location: string;
  readonly keys: StateKeys;
  readonly lock: S3LockBackend;
  readonly reports: ReportStore;

  private constructor(
    private readonly s3: StateS3,
    readonly bucket: string,
    key: string,
    readonly versioned: boolean,
    timing: LeaseTiming | undefined,
  ) {
    this.keys = stateKeys(key);
    this.location = s3Url(bucket, key);
    this.lock = new S3LockBackend(s3, bucket, this.keys.lock, timing);
    this.reports = new S3ReportStore(s3, bucket, this.keys.reportsPrefix);
  }

  /** Checks the bucket (segflow never creates it) and whether it keeps versions. */
  static async open(s3: StateS3, bucket: string, key: string, opts: { timing?: LeaseTiming } = {}): Promise<S3StateBackend> {
    let access;
    try {
      access = await s3.headBucket(bucket);
    } catch (e) {
      throw stateAccessError(`checking the state bucket ${bucket}`, e);
    }
    if (access === 'absent') {
      throw inputError('STATE_BUCKET_MISSING', `the state bucket ${bucket} does not exist (state: ${s3Url(bucket, key)})`, [
        'segflow never creates or deletes the state bucket: create it once for the team, with versioning (docs/team.md)',
      ]);
    }
    if (access === 'forbidden') {
      throw inputError('STATE_BUCKET_FORBIDDEN', `the state bucket ${bucket} exists but these credentials may not use it`, [
        'another account owns the name, or the identity lacks s3:ListBucket on it (segflow iam-policy FILE)',
      ]);
    }
    // Reading the versioning status needs s3:GetBucketVersioning; without it, keep history copies (always safe).
    const versioning = await s3.getBucketVersioning(bucket).catch(() => undefined);
    return new S3StateBackend(s3, bucket, key, versioning === 'Enabled', opts.timing);
  }

  async read(): Promise<StoredState | undefined> {
    let got;
    try {
      got = await this.s3.getObjectText(this.bucket, this.keys.state);
    } catch (e) {
      throw stateAccessError(`reading the state ${this.location}`, e);
    }
    if (!got) return undefined;
    return { state: parseState(got.text, `the state ${this.location}`), text: got.text, version: got.etag };
  }

  async write(text: string, previous: StoredState | undefined): Promise<string> {
    if (previous && !this.versioned) await this.keepCopy(previous);
    try {
      const put = await this.s3.putObject(
        this.bucket,
        this.keys.state,
        { data: text },
        { contentType: 'application/json', ...(previous?.version ? { ifMatch: previous.version } : { ifNoneMatch: '*' as const }) },
      );
      return put.etag;
    } catch (e) {
      if (lostRace(e)) throw new StateConflict(`the state ${this.location} changed since it was read`);
      throw stateAccessError(`writing the state ${this.location}`, e);
    }
  }

  async remove(previous: StoredState | undefined): Promise<void> {
    if (!previous) return;
    if (!this.versioned) await this.keepCopy(previous);
    try {
      await this.s3.deleteObject(this.bucket, this.keys.state, previous.version ? { ifMatch: previous.version } : {});
    } catch (e) {
      if (lostRace(e)) throw new SegflowError('STATE_CONFLICT', `the state ${this.location} changed since it was read; it was not deleted`);
      throw stateAccessError(`deleting the state ${this.location}`, e);
    }
  }

  /** The version about to be replaced, under `<key>.history/` (create-only: a copy another writer made is the same). */
  private async keepCopy(previous: StoredState): Promise<void> {
    const key = this.historyKey(previous.state, previous.version ?? 'local');
    try {
      await this.s3.putObject(this.bucket, key, { data: previous.text }, { contentType: 'application/json', ifNoneMatch: '*' });
    } catch (e) {
      if (lostRace(e)) return;
      throw stateAccessError(`keeping the previous state in ${s3Url(this.bucket, key)}`, e);
    }
  }

  private historyKey(state: PipelineState, etag: string): string {
    return `${this.keys.historyPrefix}${String(state.serial ?? 0).padStart(10, '0')}-${etag.replace(/[^0-9a-zA-Z]/g, '')}.json`;
  }

  /**
   * Every kept version, newest first: S3's versions of the key (when versioning is on) and the copies under the
   * history prefix (kept while it was off). Each is read to show its serial and time, but only the newest `limit` of
   * each kind: ListObjectVersions lists a key's versions newest first, and a copy's name carries its serial, so the
   * newest `limit` of all are among those (`--limit 3` reads at most 6 objects, not every version).
   */
  async history(limit = 100): Promise<StateHistoryEntry[]> {
    try {
      const refs: Array<{ ref: string; versionId?: string; key: string; current: boolean; storedAt?: Date }> = [];
      const versions = (await this.s3.listObjectVersions(this.bucket, this.keys.state)).filter((v) => v.key === this.keys.state && !v.isDeleteMarker);
      for (const v of versions.slice(0, limit)) {
        refs.push({
          ref: v.versionId,
          key: v.key,
          current: v.isLatest,
          ...(v.versionId !== 'null' ? { versionId: v.versionId } : {}),
          ...(v.lastModified ? { storedAt: v.lastModified } : {}),
        });
      }
      // Copies are named <serial, 10 digits>-<etag>.json: the highest serials are the newest.
      const copies = (await this.s3.listObjects(this.bucket, this.keys.historyPrefix)).sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
      for (const o of copies.slice(0, limit)) {
        refs.push({ ref: o.key, key: o.key, current: false, ...(o.lastModified ? { storedAt: o.lastModified } : {}) });
      }
      const entries: StateHistoryEntry[] = [];
      for (const r of refs) {
        const got = await this.s3.getObjectText(this.bucket, r.key, r.versionId ? { versionId: r.versionId } : {});
        if (!got) continue;
        let s: PipelineState | undefined;
        try {
          s = parseState(got.text, r.ref);
        } catch {
          s = undefined;
        }
        entries.push({
          ...(s?.serial !== undefined ? { serial: s.serial } : {}),
          ...(s ? { updatedAt: s.updatedAt, steps: Object.keys(s.steps).length } : {}),
          ref: r.ref,
          current: r.current,
          ...(r.storedAt ? { storedAt: r.storedAt.toISOString() } : {}),
          ...(s?.movedTo ? { movedTo: s.movedTo } : {}),
        });
      }
      // A version kept twice (a copy made before versioning was turned on, and the version itself) shows once.
      const seen = new Set<string>();
      return entries
        .sort((a, b) => (b.serial ?? -1) - (a.serial ?? -1) || (b.updatedAt ?? '').localeCompare(a.updatedAt ?? ''))
        .filter((e) => {
          const id = `${e.serial}/${e.updatedAt}`;
          if (seen.has(id)) return false;
          seen.add(id);
          return true;
        })
        .slice(0, limit);
    } catch (e) {
      throw stateAccessError(`reading the history of ${this.location}`, e);
    }
  }
}

/** `<key>.reports/<runId>/report.json`: the report of each run, for `report --history` on any machine. */
class S3ReportStore implements ReportStore {
  readonly location: string;

  constructor(
    private readonly s3: StateS3,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {
    this.location = s3Url(bucket, prefix);
  }

  async put(runId: string, text: string): Promise<void> {
    try {
      await this.s3.putObject(this.bucket, `${this.prefix}${runId}/report.json`, { data: text }, { contentType: 'application/json' });
    } catch (e) {
      throw stateAccessError(`storing the report of run ${runId} in ${this.location}`, e);
    }
  }

  async list(): Promise<string[]> {
    try {
      const objects = await this.s3.listObjects(this.bucket, this.prefix);
      return objects
        .map((o) => o.key.slice(this.prefix.length))
        .filter((k) => k.endsWith('/report.json'))
        .map((k) => k.slice(0, -'/report.json'.length));
    } catch (e) {
      throw stateAccessError(`listing the reports in ${this.location}`, e);
    }
  }

  async get(runId: string): Promise<string | undefined> {
    try {
      return (await this.s3.getObjectText(this.bucket, `${this.prefix}${runId}/report.json`))?.text;
    } catch (e) {
      throw stateAccessError(`reading the report of run ${runId} from ${this.location}`, e);
    }
  }
}
