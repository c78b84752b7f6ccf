import { ApiError } from '../api-error.js';
import { childText, escapeXml } from '../xml.js';
import { accessDenied, authorizeCaller, bucketArn } from './access.js';
import { authorizeCallerAction } from '../iam/caller.js';
import { bucketKey, buckets, getBucket, partitionOfBucket } from './s3-model.js';
import { bucketIsEmpty } from './versions.js';
import { baseHeaders, isoDate, mustBucket, S3_NS, readXmlBody, sendEmpty, sendXml, type S3Request } from './responses.js';

/** Bucket names: 3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit, not an IP address. */
export function checkBucketName(name: string): void {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.endsWith('-s3alias');
  if (!ok) throw new ApiError('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: name });
}

export async function createBucket(r: S3Request): Promise<void> {
  const name = r.bucket!;
  checkBucketName(name);
  // A bucket has no policy before it exists: only the caller's own policies decide (the root user may).
  authorizeCallerAction(r.emu, r.info, 's3:CreateBucket', `arn:${r.info.partition}:s3:::${name}`, accessDenied);
  let region = r.info.region;
  const length = Number(r.req.headers['content-length'] ?? '0');
  if (length > 0 || r.req.headers['transfer-encoding']) {
    const body = await readXmlBody(r, 'CreateBucketConfiguration');
    const constraint = childText(body, 'LocationConstraint');
    if (constraint !== undefined && constraint !== '') {
      if (constraint !== r.info.region) {
        throw new ApiError(
          'IllegalLocationConstraintException',
          `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
        );
      }
      region = constraint;
    }
  }
  const existing = getBucket(r.emu, r.info.partition, name);
  if (existing && existing.owner !== r.info.account) {
    // The namespace is shared by every account of the partition: someone else's name is simply taken.
    throw new ApiError(
      'BucketAlreadyExists',
      'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
      409,
      { BucketName: name },
    );
  }
  if (existing) {
    // us-east-1 answers 200 to re-creating a bucket you own (legacy behaviour); other regions 409.
    if (r.info.region === 'us-east-1' && existing.region === 'us-east-1') return sendEmpty(r, 200, { location: `/${name}` });
    throw new ApiError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, {
      BucketName: name,
    });
  }
  buckets(r.emu)[bucketKey(r.info.partition, name)] = { name, region, owner: r.info.account, created: Date.now(), objects: {}, uploads: {} };
  await r.emu.store.commit();
  sendEmpty(r, 200, { location: `/${name}` });
}

export function headBucket(r: S3Request): void {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:ListBucket', bucketArn(b));
  sendEmpty(r, 200, { 'x-amz-bucket-region': b.region });
}

export async function deleteBucket(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:DeleteBucket', bucketArn(b));
  // A versioned bucket "is not empty until all versions and delete markers are gone".
  if (!bucketIsEmpty(b)) {
    throw new ApiError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: b.name });
  }
  const partBlobs = Object.values(b.uploads).flatMap((u) => Object.values(u.parts).map((p) => p.blob));
  delete buckets(r.emu)[bucketKey(r.info.partition, b.name)];
  await r.emu.store.commit();
  for (const blob of partBlobs) await r.emu.blobs.remove(blob);
  sendEmpty(r, 204);
}

/** The caller's own buckets in the partition (ListBuckets "returns a list of all buckets owned by the authenticated sender"). */
export function listBuckets(r: S3Request): void {
  authorizeCallerAction(r.emu, r.info, 's3:ListAllMyBuckets', '*', accessDenied);
  const owner = r.info.account;
  const all = Object.values(buckets(r.emu))
    .filter((b) => b.owner === owner && partitionOfBucket(b) === r.info.partition)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  sendXml(r, 200, 'ListAllMyBucketsResult', [
    [
      'Owner',
      [
        ['ID', owner],
        ['DisplayName', 'segflow-emulator'],
      ],
    ],
    [
      'Buckets',
      all.map(
        (b) =>
          [
            'Bucket',
            [
              ['Name', b.name],
              ['CreationDate', isoDate(b.created)],
              ['BucketRegion', b.region],
            ],
          ] as [string, [string, string][]],
      ),
    ],
  ]);
}

export function getBucketLocation(r: S3Request): void {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:GetBucketLocation', bucketArn(b));
  const value = b.region === 'us-east-1' ? '' : escapeXml(b.region);
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NS}">${value}</LocationConstraint>`;
  r.res.writeHead(200, { ...baseHeaders(r), 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) });
  r.res.end(body);
}
