import { ApiError } from '../api-error.js';
import type { S3Bucket } from '../store/state.js';
import { child, childText, type XmlElement, type XmlNode } from '../xml.js';
import { authorizeCaller, bucketArn } from './access.js';
import { isoDate, mustBucket, readXmlBody, sendEmpty, sendXml, type S3Request } from './responses.js';

/**
 * Bucket lifecycle configuration (botocore s3 2006-03-01 PutBucketLifecycleConfiguration, GetBucketLifecycleConfiguration,
 * DeleteBucketLifecycle; actions s3:PutLifecycleConfiguration / s3:GetLifecycleConfiguration) and in-progress multipart
 * uploads (ListMultipartUploads, s3:ListBucketMultipartUploads). Rules are checked and stored as S3 states them; the
 * emulator never runs them (nothing expires, no upload is aborted by age).
 */
export interface LifecycleRule {
  id?: string;
  status: 'Enabled' | 'Disabled';
  prefix: string;
  expirationDays?: number;
  noncurrentDays?: number;
  abortDays?: number;
}

const MALFORMED = () => new ApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');

function days(el: XmlElement | undefined, name: string): number | undefined {
  if (!el) return undefined;
  const text = childText(el, name);
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || n < 1) throw new ApiError('InvalidArgument', `'${name}' for ${el.name} must be a positive integer`);
  return n;
}

function parseRule(el: XmlElement): LifecycleRule {
  const status = childText(el, 'Status');
  if (status !== 'Enabled' && status !== 'Disabled') throw MALFORMED();
  const id = childText(el, 'ID');
  if (id !== undefined && id.length > 255) throw new ApiError('InvalidArgument', 'ID length should not exceed allowed limit of 255');
  const filter = child(el, 'Filter');
  if (filter && filter.children.some((c) => c.name !== 'Prefix')) {
    throw new ApiError('NotImplemented', 'The segflow emulator supports lifecycle filters by Prefix only (not Tag, And or object size).', 501);
  }
  const unsupported = el.children.find((c) => c.name === 'Transitions' || c.name === 'Transition' || c.name === 'NoncurrentVersionTransition');
  if (unsupported) throw new ApiError('NotImplemented', `The segflow emulator does not support lifecycle ${unsupported.name} (no storage classes).`, 501);
  const rule: LifecycleRule = { status, prefix: (filter ? childText(filter, 'Prefix') : childText(el, 'Prefix')) ?? '' };
  if (id !== undefined) rule.id = id;
  const expiration = days(child(el, 'Expiration'), 'Days');
  const noncurrent = days(child(el, 'NoncurrentVersionExpiration'), 'NoncurrentDays');
  const abort = days(child(el, 'AbortIncompleteMultipartUpload'), 'DaysAfterInitiation');
  if (expiration !== undefined) rule.expirationDays = expiration;
  if (noncurrent !== undefined) rule.noncurrentDays = noncurrent;
  if (abort !== undefined) rule.abortDays = abort;
  if (expiration === undefined && noncurrent === undefined && abort === undefined)
    throw new ApiError('InvalidRequest', 'At least one action needs to be specified in a rule');
  return rule;
}

export async function putBucketLifecycleConfiguration(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:PutLifecycleConfiguration', bucketArn(b));
  const doc = await readXmlBody(r, 'LifecycleConfiguration', true);
  const rules = doc.children.filter((c) => c.name === 'Rule').map(parseRule);
  if (rules.length === 0 || rules.length > 1000) throw MALFORMED();
  const ids = rules.flatMap((x) => (x.id !== undefined ? [x.id] : []));
  if (new Set(ids).size !== ids.length) throw new ApiError('InvalidArgument', 'Rule ID must be unique. Found same ID for more than one rule');
  b.lifecycle = rules;
  await r.emu.store.commit();
  sendEmpty(r, 200);
}

export function getBucketLifecycleConfiguration(r: S3Request): void {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:GetLifecycleConfiguration', bucketArn(b));
  if (!b.lifecycle) throw new ApiError('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', 404, { BucketName: b.name });
  sendXml(
    r,
    200,
    'LifecycleConfiguration',
    b.lifecycle.map(
      (x) =>
        [
          'Rule',
          [
            ...(x.id !== undefined ? [['ID', x.id] as XmlNode] : []),
            ['Filter', [['Prefix', x.prefix]]],
            ['Status', x.status],
            ...(x.expirationDays !== undefined ? [['Expiration', [['Days', String(x.expirationDays)]]] as XmlNode] : []),
            ...(x.noncurrentDays !== undefined ? [['NoncurrentVersionExpiration', [['NoncurrentDays', String(x.noncurrentDays)]]] as XmlNode] : []),
            ...(x.abortDays !== undefined ? [['AbortIncompleteMultipartUpload', [['DaysAfterInitiation', String(x.abortDays)]]] as XmlNode] : []),
          ],
        ] as XmlNode,
    ),
  );
}

export async function deleteBucketLifecycle(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:PutLifecycleConfiguration', bucketArn(b));
  delete b.lifecycle;
  await r.emu.store.commit();
  sendEmpty(r, 204);
}

/** In-progress uploads by key, then by when they started; prefix, delimiter, key and upload-id markers, max-uploads. */
export function listMultipartUploads(r: S3Request): void {
  const b: S3Bucket = mustBucket(r);
  authorizeCaller(r, b, 's3:ListBucketMultipartUploads', bucketArn(b));
  const prefix = r.query.get('prefix') ?? '';
  const delimiter = r.query.get('delimiter') ?? '';
  const keyMarker = r.query.get('key-marker') ?? '';
  const idMarker = r.query.get('upload-id-marker') ?? '';
  const rawMax = r.query.get('max-uploads');
  const asked = rawMax === null ? 1000 : Number(rawMax);
  if (!Number.isInteger(asked) || asked < 0)
    throw new ApiError('InvalidArgument', 'Argument max-uploads must be an integer between 0 and 2147483647', 400, {
      ArgumentName: 'max-uploads',
      ArgumentValue: rawMax ?? '',
    });
  const max = Math.min(asked, 1000, r.emu.opts.pageSize ?? Infinity);
  const all = Object.values(b.uploads)
    .filter((u) => u.key.startsWith(prefix))
    .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.initiated - y.initiated || (x.uploadId < y.uploadId ? -1 : 1)))
    .filter((u) => u.key > keyMarker || (u.key === keyMarker && idMarker !== '' && u.uploadId > idMarker));
  const uploads: typeof all = [];
  const prefixes: string[] = [];
  let truncated = false;
  for (const u of all) {
    const cut = delimiter ? u.key.indexOf(delimiter, prefix.length) : -1;
    const common = cut >= 0 ? u.key.slice(0, cut + delimiter.length) : undefined;
    if (common !== undefined && prefixes.includes(common)) continue;
    if (uploads.length + prefixes.length >= max) {
      truncated = true;
      break;
    }
    if (common !== undefined) prefixes.push(common);
    else uploads.push(u);
  }
  const last = uploads[uploads.length - 1];
  sendXml(r, 200, 'ListMultipartUploadsResult', [
    ['Bucket', b.name],
    ['KeyMarker', keyMarker],
    ['UploadIdMarker', idMarker],
    ...(truncated && last ? [['NextKeyMarker', last.key] as XmlNode, ['NextUploadIdMarker', last.uploadId] as XmlNode] : []),
    ['Prefix', prefix],
    ...(delimiter ? [['Delimiter', delimiter] as XmlNode] : []),
    ['MaxUploads', String(asked)],
    ['IsTruncated', truncated ? 'true' : 'false'],
    ...uploads.map(
      (u) =>
        [
          'Upload',
          [
            ['Key', u.key],
            ['UploadId', u.uploadId],
            ['Initiator', [['ID', b.owner]]],
            ['Owner', [['ID', b.owner]]],
            ['StorageClass', 'STANDARD'],
            ['Initiated', isoDate(u.initiated)],
          ],
        ] as XmlNode,
    ),
    ...prefixes.map((p) => ['CommonPrefixes', [['Prefix', p]]] as XmlNode),
  ]);
}
