import { ApiError } from '../api-error.js';
import type { S3Bucket, S3ObjectMeta, S3Version } from '../store/state.js';
import { childText, type XmlNode } from '../xml.js';
import { authorizeCaller, bucketArn } from './access.js';
import { authorizeList, readMaxKeys } from './list-objects.js';
import { isoDate, mustBucket, readXmlBody, sendEmpty, sendXml, type S3Request } from './responses.js';
import { compareKeys } from './s3-model.js';
import { versionIdOf, versionsOf } from './versions.js';

/**
 * PutBucketVersioning / GetBucketVersioning / ListObjectVersions
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html, ..._ListObjectVersions.html).
 * A bucket that was never versioned answers an empty VersioningConfiguration; once enabled it can be suspended but
 * never return to unversioned.
 */
export async function putBucketVersioning(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:PutBucketVersioning', bucketArn(b));
  const doc = await readXmlBody(r, 'VersioningConfiguration', true);
  const status = childText(doc, 'Status');
  const mfaDelete = childText(doc, 'MfaDelete');
  if (status !== 'Enabled' && status !== 'Suspended') {
    throw new ApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  }
  if (mfaDelete !== undefined && mfaDelete !== 'Disabled' && mfaDelete !== 'Enabled') {
    throw new ApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  }
  // MFA delete needs the root user's MFA device (x-amz-mfa); the emulator has none, so it refuses rather than pretend.
  if (mfaDelete === 'Enabled') throw new ApiError('NotImplemented', 'MFA delete is not emulated.', 501, { Header: 'x-amz-mfa' });
  b.versioning = status;
  await r.emu.store.commit();
  sendEmpty(r, 200);
}

export function getBucketVersioning(r: S3Request): void {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:GetBucketVersioning', bucketArn(b));
  sendXml(r, 200, 'VersioningConfiguration', b.versioning ? [['Status', b.versioning]] : []);
}

interface Row {
  key: string;
  v?: S3ObjectMeta | S3Version;
  latest?: boolean;
  commonPrefix?: string;
}

function allKeys(b: S3Bucket, prefix: string): string[] {
  return [...new Set([...Object.keys(b.objects), ...Object.keys(b.versions ?? {})])].filter((k) => k.startsWith(prefix)).sort(compareKeys);
}

export function listObjectVersions(r: S3Request): void {
  const b = mustBucket(r);
  authorizeList(r, b, 's3:ListBucketVersions');
  const prefix = r.query.get('prefix') ?? '';
  const delimiter = r.query.get('delimiter') ?? '';
  const keyMarker = r.query.get('key-marker') ?? '';
  const versionIdMarker = r.query.get('version-id-marker') ?? '';
  if (versionIdMarker && !keyMarker) {
    throw new ApiError('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', 400, {
      ArgumentName: 'version-id-marker',
      ArgumentValue: versionIdMarker,
    });
  }
  const max = readMaxKeys(r);
  const urlEncode = r.query.get('encoding-type') === 'url';
  const enc = (s: string) => (urlEncode ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  const rows: Row[] = [];
  const seenPrefixes = new Set<string>();
  let truncated = false;
  outer: for (const key of allKeys(b, prefix)) {
    if (keyMarker && compareKeys(key, keyMarker) < 0) continue;
    if (keyMarker && key === keyMarker && !versionIdMarker) continue;
    const idx = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (idx >= 0) {
      const cp = key.slice(0, idx + delimiter.length);
      if (seenPrefixes.has(cp) || (keyMarker && keyMarker.startsWith(cp))) continue;
      if (rows.length >= max.served) {
        truncated = true;
        break;
      }
      seenPrefixes.add(cp);
      rows.push({ key: cp, commonPrefix: cp });
      continue;
    }
    let versions = versionsOf(b, key);
    if (key === keyMarker && versionIdMarker) {
      const at = versions.findIndex((x) => versionIdOf(x.v) === versionIdMarker);
      versions = at < 0 ? [] : versions.slice(at + 1);
    }
    for (const { v, latest } of versions) {
      if (rows.length >= max.served) {
        truncated = true;
        break outer;
      }
      rows.push({ key, v, latest });
    }
  }
  const last = rows[rows.length - 1];
  const owner: XmlNode = [
    'Owner',
    [
      ['ID', b.owner],
      ['DisplayName', 'segflow-emulator'],
    ],
  ];
  const entries: XmlNode[] = rows.map((row) => {
    if (row.commonPrefix !== undefined) return ['CommonPrefixes', [['Prefix', enc(row.commonPrefix)]]];
    const v = row.v!;
    const common: XmlNode[] = [
      ['Key', enc(row.key)],
      ['VersionId', versionIdOf(v)],
      ['IsLatest', row.latest ? 'true' : 'false'],
      ['LastModified', isoDate(v.lastModified)],
    ];
    if ('deleteMarker' in v && v.deleteMarker) return ['DeleteMarker', [owner, ...common]];
    const o = v;
    return ['Version', [['ETag', o.etag], ['Size', o.size], ['StorageClass', 'STANDARD'], ...common, owner]];
  });
  sendXml(r, 200, 'ListVersionsResult', [
    ['Name', b.name],
    ['Prefix', enc(prefix)],
    ['KeyMarker', enc(keyMarker)],
    ['VersionIdMarker', versionIdMarker],
    ['MaxKeys', max.asked],
    ...(delimiter ? [['Delimiter', enc(delimiter)] as XmlNode] : []),
    ...(urlEncode ? [['EncodingType', 'url'] as XmlNode] : []),
    ['IsTruncated', truncated ? 'true' : 'false'],
    ...(truncated && last
      ? last.commonPrefix !== undefined
        ? [['NextKeyMarker', enc(last.commonPrefix)] as XmlNode]
        : [['NextKeyMarker', enc(last.key)] as XmlNode, ['NextVersionIdMarker', versionIdOf(last.v!)] as XmlNode]
      : []),
    ...entries,
  ]);
}
