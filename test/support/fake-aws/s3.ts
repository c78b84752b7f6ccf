/**
 * An in-memory S3 behind the S3Port: buckets with objects (metadata, ETags, conditional writes, copies), policies,
 * public access blocks, default encryption, tags and versions. Codes and statuses are S3's.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { BucketEncryption, LifecycleRule, ObjectInfo, ObjectVersionInfo, PublicAccessBlock, S3Port, Tags } from '../../../src/aws/ports.js';
import { grantsPublicAccess } from '../../../src/emulator/s3/bucket-config.js';
import { fail, pagesOf, type FakeCore } from './core.js';

export interface FakeObject {
  body: Buffer;
  etag: string;
  metadata: Record<string, string>;
  contentType: string;
  /** 'null' until the bucket's versioning is enabled, as on S3. */
  versionId: string;
  lastModified: Date;
}

export interface FakeVersion {
  key: string;
  versionId: string;
  isDeleteMarker: boolean;
  object?: FakeObject;
  lastModified?: Date;
}

export interface FakeBucket {
  name: string;
  region: string;
  /** The current object of each key. */
  objects: Map<string, FakeObject>;
  /** Every version, oldest first; kept once versioning was enabled (see FakeS3.enableVersioning). */
  versions: FakeVersion[];
  policy?: string;
  publicAccessBlock?: PublicAccessBlock;
  encryption?: BucketEncryption;
  tags?: Tags;
  versioning?: 'Enabled' | 'Suspended';
  lifecycle?: LifecycleRule[];
  /** In-progress multipart uploads (the fake makes none itself: tests add them, as an interrupted upload would). */
  uploads?: Array<{ key: string; uploadId: string }>;
}

const S = 's3';
const noSuchBucket = (): never => fail('NoSuchBucket', 'The specified bucket does not exist', 404);

export class FakeS3 {
  readonly buckets = new Map<string, FakeBucket>();
  /** Bucket names another account owns: HEAD is 403, CreateBucket BucketAlreadyExists, anything else AccessDenied. */
  readonly foreignBuckets = new Set<string>();

  constructor(
    private readonly core: FakeCore,
    private readonly region: string,
  ) {}

  /** The bucket, or S3's error for a name that is not ours. */
  bucket(name: string): FakeBucket {
    if (this.foreignBuckets.has(name)) fail('AccessDenied', 'Access Denied', 403);
    return this.buckets.get(name) ?? noSuchBucket();
  }

  /** Turns versioning on: objects already there become versions with the id 'null', as on S3. */
  enableVersioning(name: string): void {
    const b = this.bucket(name);
    if (!b.versioning) for (const [key, object] of b.objects) b.versions.push({ key, versionId: 'null', isDeleteMarker: false, object });
    b.versioning = 'Enabled';
  }

  /** Writes an object without counting a call (what Personalize jobs do to the bucket). */
  store(bucketName: string, key: string, body: Buffer, metadata: Record<string, string> = {}, contentType = 'application/octet-stream'): FakeObject {
    const b = this.bucket(bucketName);
    const versioned = b.versioning === 'Enabled';
    const object: FakeObject = {
      body,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      metadata,
      contentType,
      versionId: versioned ? randomBytes(8).toString('hex') : 'null',
      // S3 keeps whole seconds.
      lastModified: new Date(Math.floor(Date.now() / 1000) * 1000),
    };
    b.objects.set(key, object);
    if (b.versioning) b.versions.push({ key, versionId: object.versionId, isDeleteMarker: false, object });
    return object;
  }

  private info(key: string, o: FakeObject, withMetadata: boolean): ObjectInfo {
    const info: ObjectInfo = { key, etag: o.etag, size: o.body.length, lastModified: o.lastModified };
    if (withMetadata) info.metadata = { ...o.metadata };
    if (withMetadata && o.versionId !== 'null') info.versionId = o.versionId;
    return info;
  }

  private deleteKey(b: FakeBucket, key: string, versionId: string | undefined): void {
    if (versionId === undefined) {
      if (b.versioning === 'Enabled' && b.objects.has(key))
        b.versions.push({ key, versionId: randomBytes(8).toString('hex'), isDeleteMarker: true, lastModified: new Date(Math.floor(Date.now() / 1000) * 1000) });
      b.objects.delete(key);
      return;
    }
    b.versions = b.versions.filter((v) => !(v.key === key && v.versionId === versionId));
    const latest = [...b.versions].reverse().find((v) => v.key === key);
    if (latest?.object && !latest.isDeleteMarker) b.objects.set(key, latest.object);
    else if (b.objects.get(key)?.versionId === versionId || latest?.isDeleteMarker) b.objects.delete(key);
  }

  /** What a copy reads: the current object, or a version; a delete marker named by id is 400, as on S3. */
  private copySource(b: FakeBucket, key: string, versionId: string | undefined): FakeObject {
    const current = b.objects.get(key);
    if (versionId === undefined || (versionId === 'null' && !b.versioning && current))
      return current ?? fail('NoSuchKey', 'The specified key does not exist.', 404);
    const v = b.versions.find((x) => x.key === key && x.versionId === versionId) ?? fail('NoSuchVersion', 'The specified version does not exist.', 404);
    return v.object ?? fail('InvalidRequest', 'The source of a copy request may not specifically refer to a delete marker by version id.', 400);
  }

  port(): S3Port {
    const c = this.core;
    return {
      headBucket: async (name) => {
        const found = await c.read(S, 'HeadBucket', () => {
          if (this.foreignBuckets.has(name)) return 'forbidden' as const;
          this.bucket(name);
          return 'owned' as const;
        });
        return found ?? 'absent';
      },
      createBucket: (name) =>
        c.run(S, 'CreateBucket', () => {
          if (this.foreignBuckets.has(name)) fail('BucketAlreadyExists', 'The requested bucket name is not available.', 409);
          if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) fail('InvalidBucketName', 'The specified bucket is not valid.', 400);
          const existing = this.buckets.get(name);
          if (existing) {
            // us-east-1 answers 200 to re-creating a bucket you own (legacy); every other region 409.
            if (this.region === 'us-east-1' && existing.region === 'us-east-1') return 'created' as const;
            return 'owned' as const;
          }
          this.buckets.set(name, { name, region: this.region, objects: new Map(), versions: [] });
          c.log.push(`create bucket ${name}`);
          return 'created' as const;
        }),
      deleteBucket: (name) =>
        c.remove(S, 'DeleteBucket', () => {
          const b = this.bucket(name);
          if (b.objects.size > 0 || b.versions.length > 0) fail('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409);
          this.buckets.delete(name);
          c.log.push(`delete bucket ${name}`);
        }),

      getBucketPolicy: (name) =>
        c.read(S, 'GetBucketPolicy', () => this.bucket(name).policy ?? fail('NoSuchBucketPolicy', 'The bucket policy does not exist', 404)),
      putBucketPolicy: (name, policy) =>
        c.run(S, 'PutBucketPolicy', () => {
          const b = this.bucket(name);
          let doc: { Statement?: unknown };
          try {
            doc = JSON.parse(policy) as { Statement?: unknown };
          } catch {
            fail('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'", 400);
          }
          if (typeof doc !== 'object' || doc === null || doc.Statement === undefined) fail('MalformedPolicy', 'Missing required field Statement', 400);
          if (b.publicAccessBlock?.blockPublicPolicy && grantsPublicAccess(doc))
            fail('AccessDenied', 'public policies are blocked by the BlockPublicPolicy block public access setting.', 403);
          b.policy = policy;
        }),
      deleteBucketPolicy: (name) => c.remove(S, 'DeleteBucketPolicy', () => void delete this.bucket(name).policy),
      getPublicAccessBlock: (name) =>
        c.read(S, 'GetPublicAccessBlock', () => {
          const block = this.bucket(name).publicAccessBlock;
          return block ? { ...block } : fail('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', 404);
        }),
      putPublicAccessBlock: (name, block) => c.run(S, 'PutPublicAccessBlock', () => void (this.bucket(name).publicAccessBlock = { ...block })),
      // Since 2023 every bucket has SSE-S3 (AES256) unless told otherwise.
      getBucketEncryption: (name) =>
        c.read(S, 'GetBucketEncryption', () => ({ ...(this.bucket(name).encryption ?? { algorithm: 'AES256', bucketKeyEnabled: false }) })),
      putBucketEncryption: (name, encryption) =>
        c.run(S, 'PutBucketEncryption', () => {
          if (encryption.kmsKeyArn && encryption.algorithm === 'AES256')
            fail('InvalidArgument', 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms', 400);
          this.bucket(name).encryption = { bucketKeyEnabled: false, ...encryption };
        }),
      getBucketTagging: (name) =>
        c.read(S, 'GetBucketTagging', () => ({ ...(this.bucket(name).tags ?? fail('NoSuchTagSet', 'The TagSet does not exist', 404)) })),
      putBucketTagging: (name, tags) => c.run(S, 'PutBucketTagging', () => void (this.bucket(name).tags = { ...tags })),
      getBucketVersioning: async (name) => (await c.read(S, 'GetBucketVersioning', () => this.bucket(name).versioning)) ?? undefined,
      getBucketLifecycleRuleIds: (name) =>
        c.read(S, 'GetBucketLifecycleConfiguration', () =>
          (this.bucket(name).lifecycle ?? fail('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', 404)).map((r) => r.id),
        ),
      putBucketLifecycle: (name, rules) => c.run(S, 'PutBucketLifecycleConfiguration', () => void (this.bucket(name).lifecycle = rules.map((r) => ({ ...r })))),
      listMultipartUploads: async (name, prefix) =>
        (await c.read(S, 'ListMultipartUploads', () => (this.bucket(name).uploads ?? []).filter((u) => u.key.startsWith(prefix)).map((u) => ({ ...u })))) ?? [],
      abortMultipartUpload: (name, key, uploadId) =>
        c.remove(S, 'AbortMultipartUpload', () => {
          const b = this.bucket(name);
          if (!(b.uploads ?? []).some((u) => u.key === key && u.uploadId === uploadId)) fail('NoSuchUpload', 'The specified upload does not exist.', 404);
          b.uploads = (b.uploads ?? []).filter((u) => u.uploadId !== uploadId);
        }),

      headObject: (name, key) => c.read(S, 'HeadObject', () => this.info(key, this.bucket(name).objects.get(key) ?? fail('NotFound', 'Not Found', 404), true)),
      putObject: (name, key, body, options) =>
        c.run(S, 'PutObject', async () => {
          const b = this.bucket(name);
          const existing = b.objects.get(key);
          if (options?.ifNoneMatch === '*' && existing) fail('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
          if (options?.ifMatch !== undefined) {
            if (!existing) fail('NoSuchKey', 'The specified key does not exist.', 404);
            if (existing.etag !== options.ifMatch && `"${options.ifMatch}"` !== existing.etag)
              fail('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
          }
          const data = body.file !== undefined ? await readFile(body.file) : Buffer.from(body.data ?? '');
          const o = this.store(name, key, data, { ...(options?.metadata ?? {}) }, options?.contentType);
          this.core.calls.bytesUploaded += data.length;
          c.log.push(`put ${key}`);
          return { etag: o.etag, bytes: data.length };
        }),
      downloadObject: (name, key, file, options) =>
        c.read(S, 'GetObject', async () => {
          const o = this.bucket(name).objects.get(key) ?? fail('NoSuchKey', 'The specified key does not exist.', 404);
          if (options?.ifMatch !== undefined && options.ifMatch !== o.etag)
            fail('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
          await writeFile(file, o.body);
          return this.info(key, o, true);
        }),
      getObjectText: (name, key, options) =>
        c.read(S, 'GetObject', () => {
          const b = this.bucket(name);
          const o =
            options?.versionId !== undefined
              ? (b.versions.find((v) => v.key === key && v.versionId === options.versionId)?.object ??
                fail('NoSuchVersion', 'The specified version does not exist.', 404))
              : (b.objects.get(key) ?? fail('NoSuchKey', 'The specified key does not exist.', 404));
          return { text: o.body.toString('utf8'), etag: o.etag, lastModified: o.lastModified, ...(o.versionId !== 'null' ? { versionId: o.versionId } : {}) };
        }),
      listObjects: async (name, prefix) => {
        const keys = [...(this.buckets.get(name)?.objects.keys() ?? [])].filter((k) => k.startsWith(prefix)).sort();
        const listed = await c.read(
          S,
          'ListObjectsV2',
          () => keys.map((k) => this.info(k, this.bucket(name).objects.get(k)!, false)),
          pagesOf(keys.length, 1000),
        );
        return listed ?? [];
      },
      listObjectVersions: async (name, prefix) => {
        const listed = await c.read(S, 'ListObjectVersions', () => {
          const b = this.bucket(name);
          const all: FakeVersion[] = b.versioning
            ? b.versions
            : [...b.objects].map(([key, object]) => ({ key, versionId: 'null', isDeleteMarker: false, object }));
          const chosen = all.filter((v) => v.key.startsWith(prefix));
          // S3 lists by key, newest version first.
          return chosen
            .map((v, i) => ({ v, i }))
            .sort((a, b) => (a.v.key < b.v.key ? -1 : a.v.key > b.v.key ? 1 : b.i - a.i))
            .map(({ v }): ObjectVersionInfo => {
              const isLatest = [...all].reverse().find((x) => x.key === v.key) === v;
              const lastModified = v.object?.lastModified ?? v.lastModified;
              const when = lastModified ? { lastModified } : {};
              return v.isDeleteMarker
                ? { key: v.key, versionId: v.versionId, isDeleteMarker: true, isLatest, ...when }
                : { key: v.key, versionId: v.versionId, isDeleteMarker: false, isLatest, size: v.object?.body.length ?? 0, ...when };
            });
        });
        return listed ?? [];
      },
      copyObject: (name, key, source, options) =>
        c.run(S, 'CopyObject', () => {
          const to = this.bucket(name);
          const o = this.copySource(this.bucket(source.bucket), source.key, source.versionId);
          if (options?.ifMatch !== undefined && o.etag !== options.ifMatch && `"${options.ifMatch}"` !== o.etag)
            fail('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
          if (to.name === source.bucket && key === source.key && to.objects.get(key) === o && !options?.metadata && !to.encryption) {
            fail(
              'InvalidRequest',
              "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
              400,
            );
          }
          const copied = options?.metadata
            ? this.store(name, key, o.body, { ...options.metadata })
            : this.store(name, key, o.body, { ...o.metadata }, o.contentType);
          c.log.push(`copy ${key}`);
          return { etag: copied.etag, ...(to.versioning ? { versionId: copied.versionId } : {}) };
        }),
      deleteObject: (name, key, options) =>
        c.remove(S, 'DeleteObject', () => {
          const b = this.bucket(name);
          const current = b.objects.get(key);
          if (options?.ifMatch !== undefined && current && current.etag !== options.ifMatch)
            fail('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
          this.deleteKey(b, key, options?.versionId);
        }),
      deleteObjects: async (name, objects) => {
        if (objects.length === 0) return { deleted: 0, errors: [] };
        const out = await c.read(
          S,
          'DeleteObjects',
          () => {
            const b = this.bucket(name);
            for (const o of objects) this.deleteKey(b, o.key, o.versionId);
            return { deleted: objects.length, errors: [] };
          },
          pagesOf(objects.length, 1000),
        );
        return out ?? { deleted: 0, errors: [] };
      },
    };
  }
}
