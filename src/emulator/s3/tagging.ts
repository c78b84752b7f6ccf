import { ApiError } from '../api-error.js';
import type { XmlNode } from '../xml.js';
import { child } from '../xml.js';
import { authorizeCaller, bucketArn } from './access.js';
import { mustBucket, readXmlBody, sendEmpty, sendXml, type S3Request } from './responses.js';

/**
 * Bucket tagging (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketTagging.html): a TagSet of at most
 * 50 tags, keys 1-128 and values 0-256 characters, keys unique and not starting with "aws:" (InvalidTag otherwise);
 * PutBucketTagging replaces the whole set; GetBucketTagging without tags is 404 NoSuchTagSet.
 */
const MAX_TAGS = 50;

function invalidTag(message: string): ApiError {
  return new ApiError('InvalidTag', message, 400);
}

export async function putBucketTagging(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:PutBucketTagging', bucketArn(b));
  const doc = await readXmlBody(r, 'Tagging', true);
  const set = child(doc, 'TagSet');
  if (!set) throw new ApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  const tags: Record<string, string> = {};
  for (const t of set.children.filter((c) => c.name === 'Tag')) {
    const key = child(t, 'Key')?.text;
    const value = child(t, 'Value')?.text ?? '';
    if (key === undefined || key.length < 1 || key.length > 128) throw invalidTag('The TagKey you have provided is invalid');
    if (value.length > 256) throw invalidTag('The TagValue you have provided is invalid');
    if (key.toLowerCase().startsWith('aws:')) throw invalidTag('Your TagKey cannot be prefixed with aws:');
    if (Object.prototype.hasOwnProperty.call(tags, key)) throw invalidTag('Cannot provide multiple Tags with the same key');
    Object.defineProperty(tags, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (Object.keys(tags).length > MAX_TAGS) throw invalidTag('Object tags cannot be greater than 50');
  b.tags = tags;
  await r.emu.store.commit();
  sendEmpty(r, 204);
}

export function getBucketTagging(r: S3Request): void {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:GetBucketTagging', bucketArn(b));
  if (!b.tags || Object.keys(b.tags).length === 0) throw new ApiError('NoSuchTagSet', 'The TagSet does not exist', 404, { BucketName: b.name });
  const tagSet: XmlNode[] = Object.entries(b.tags).map(([k, v]) => [
    'Tag',
    [
      ['Key', k],
      ['Value', v],
    ],
  ]);
  sendXml(r, 200, 'Tagging', [['TagSet', tagSet]]);
}

export async function deleteBucketTagging(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:PutBucketTagging', bucketArn(b));
  delete b.tags;
  await r.emu.store.commit();
  sendEmpty(r, 204);
}
