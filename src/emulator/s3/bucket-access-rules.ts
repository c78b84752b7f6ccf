import { ApiError } from '../api-error.js';
import { childText } from '../xml.js';
import { authorizeCaller, bucketArn } from './access.js';
import { header, mustBucket, readXmlBody, sendEmpty, sendXml, type S3Request } from './responses.js';
import { getBucket } from './s3-model.js';

/**
 * Two rules S3 applies to a bucket before the operation itself:
 *  - Region: a request signed for another region than the bucket's is answered 301 PermanentRedirect ("The bucket
 *    you are attempting to access must be addressed using the specified endpoint"), with the bucket's region in
 *    x-amz-bucket-region (botocore s3 error codes; HeadBucket answers 301 without a body, the header says where).
 *    SDKs follow it when told to (JS v3: followRegionRedirects). GetBucketLocation, CreateBucket and ListBuckets
 *    are answered from any region.
 *  - Requester Pays (PutBucketRequestPayment): anyone but the bucket owner must confirm they pay with
 *    x-amz-request-payer: requester ("Bucket owners need not specify this parameter", botocore s3 RequestPayer),
 *    or is refused 403 AccessDenied.
 */
const ANY_REGION = new Set(['CreateBucket', 'ListBuckets', 'GetBucketLocation']);

export function checkBucketRules(r: S3Request, operation: string): void {
  if (r.bucket === undefined || ANY_REGION.has(operation)) return;
  const b = getBucket(r.emu, r.info.partition, r.bucket);
  if (!b) return; // the operation answers NoSuchBucket itself
  if (b.region !== r.info.region) {
    throw new ApiError(
      'PermanentRedirect',
      'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      301,
      {
        Bucket: b.name,
        Endpoint: `s3.${b.region}.amazonaws.com`,
      },
      { 'x-amz-bucket-region': b.region },
    );
  }
  if (b.requestPayer === 'Requester' && b.owner !== r.info.account && header(r.req, 'x-amz-request-payer') !== 'requester') {
    throw new ApiError('AccessDenied', 'Access Denied', 403);
  }
}

export async function putBucketRequestPayment(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:PutBucketRequestPayment', bucketArn(b));
  const doc = await readXmlBody(r, 'RequestPaymentConfiguration', true);
  const payer = childText(doc, 'Payer');
  if (payer !== 'Requester' && payer !== 'BucketOwner')
    throw new ApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  if (payer === 'Requester') b.requestPayer = 'Requester';
  else delete b.requestPayer;
  await r.emu.store.commit();
  sendEmpty(r, 200);
}

export function getBucketRequestPayment(r: S3Request): void {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:GetBucketRequestPayment', bucketArn(b));
  sendXml(r, 200, 'RequestPaymentConfiguration', [['Payer', b.requestPayer ?? 'BucketOwner']]);
}
