import { ApiError } from '../api-error.js';
import { child, childText } from '../xml.js';
import { authorizeCaller, authorizePolicyOperation, bucketArn } from './access.js';
import { mustBucket, readSmallBody, readXmlBody, sendEmpty, sendXml, type S3Request } from './responses.js';

/**
 * Public access block, bucket policy and default encryption: stored as given and returned as S3 does. The bucket
 * policy operations are open to the bucket owner's root user whatever the policy says (authorizePolicyOperation).
 */
const PAB_FIELDS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

export async function putPublicAccessBlock(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:PutBucketPublicAccessBlock', bucketArn(b));
  const doc = await readXmlBody(r, 'PublicAccessBlockConfiguration', true);
  const config: Record<string, boolean> = {};
  for (const f of PAB_FIELDS) {
    const v = childText(doc, f);
    if (v !== undefined && v !== 'true' && v !== 'false') throw new ApiError('MalformedXML', `${f} must be true or false`);
    config[f] = v === 'true';
  }
  b.publicAccessBlock = config;
  await r.emu.store.commit();
  sendEmpty(r, 200);
}

export function getPublicAccessBlock(r: S3Request): void {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:GetBucketPublicAccessBlock', bucketArn(b));
  if (!b.publicAccessBlock) {
    throw new ApiError('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', 404, { BucketName: b.name });
  }
  sendXml(
    r,
    200,
    'PublicAccessBlockConfiguration',
    PAB_FIELDS.map((f) => [f, b.publicAccessBlock![f] ? 'true' : 'false']),
  );
}

export async function deletePublicAccessBlock(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:PutBucketPublicAccessBlock', bucketArn(b));
  delete b.publicAccessBlock;
  await r.emu.store.commit();
  sendEmpty(r, 204);
}

/** Whether a policy statement grants access to everyone (Principal "*" with Allow and no Condition). */
export function grantsPublicAccess(policy: Record<string, unknown>): boolean {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return statements.some((s) => {
    if (typeof s !== 'object' || s === null) return false;
    const st = s as Record<string, unknown>;
    const p = st.Principal;
    const everyone =
      p === '*' ||
      (typeof p === 'object' &&
        p !== null &&
        ((p as Record<string, unknown>).AWS === '*' ||
          (Array.isArray((p as Record<string, unknown>).AWS) && ((p as Record<string, unknown>).AWS as unknown[]).includes('*'))));
    return st.Effect === 'Allow' && everyone && st.Condition === undefined;
  });
}

export async function putBucketPolicy(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  authorizePolicyOperation(r, b, 's3:PutBucketPolicy');
  const text = (await readSmallBody(r, 20 * 1024, true)).toString('utf8');
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw new ApiError('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'");
  }
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy) || (policy as Record<string, unknown>).Statement === undefined) {
    throw new ApiError('MalformedPolicy', 'Missing required field Statement');
  }
  if (b.publicAccessBlock?.BlockPublicPolicy && grantsPublicAccess(policy as Record<string, unknown>)) {
    throw new ApiError(
      'AccessDenied',
      'User is not authorized to perform: s3:PutBucketPolicy on resource because public policies are blocked by the BlockPublicPolicy block public access setting.',
      403,
    );
  }
  b.policy = text;
  await r.emu.store.commit();
  sendEmpty(r, 204);
}

export function getBucketPolicy(r: S3Request): void {
  const b = mustBucket(r);
  authorizePolicyOperation(r, b, 's3:GetBucketPolicy');
  if (b.policy === undefined) throw new ApiError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, { BucketName: b.name });
  r.res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(b.policy)), 'x-amz-request-id': r.info.requestId });
  r.res.end(b.policy);
}

export async function deleteBucketPolicy(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  authorizePolicyOperation(r, b, 's3:DeleteBucketPolicy');
  delete b.policy;
  await r.emu.store.commit();
  sendEmpty(r, 204);
}

export async function putBucketEncryption(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:PutEncryptionConfiguration', bucketArn(b));
  const doc = await readXmlBody(r, 'ServerSideEncryptionConfiguration', true);
  const rule = child(doc, 'Rule');
  const defaults = rule ? child(rule, 'ApplyServerSideEncryptionByDefault') : undefined;
  const algorithm = defaults ? childText(defaults, 'SSEAlgorithm') : undefined;
  if (!algorithm || !['AES256', 'aws:kms', 'aws:kms:dsse'].includes(algorithm)) {
    throw new ApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  }
  const kmsKeyId = childText(defaults!, 'KMSMasterKeyID');
  if (kmsKeyId && algorithm === 'AES256')
    throw new ApiError('InvalidArgument', 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse');
  b.encryption = { algorithm, kmsKeyId, bucketKeyEnabled: childText(rule!, 'BucketKeyEnabled') === 'true' };
  await r.emu.store.commit();
  sendEmpty(r, 200);
}

/** Since 2023 every bucket has SSE-S3 (AES256) by default, so there is always a configuration to return. */
export function getBucketEncryption(r: S3Request): void {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:GetEncryptionConfiguration', bucketArn(b));
  const e = b.encryption ?? { algorithm: 'AES256', bucketKeyEnabled: false };
  sendXml(r, 200, 'ServerSideEncryptionConfiguration', [
    [
      'Rule',
      [
        [
          'ApplyServerSideEncryptionByDefault',
          [
            ['SSEAlgorithm', e.algorithm],
            ['KMSMasterKeyID', e.kmsKeyId],
          ],
        ],
        ['BucketKeyEnabled', e.bucketKeyEnabled ? 'true' : 'false'],
      ],
    ],
  ]);
}

export async function deleteBucketEncryption(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  authorizeCaller(r, b, 's3:PutEncryptionConfiguration', bucketArn(b));
  delete b.encryption;
  await r.emu.store.commit();
  sendEmpty(r, 204);
}

/** Object encryption headers as S3 reports them for the bucket's default encryption. */
export function encryptionHeaders(b: { encryption?: { algorithm: string; kmsKeyId?: string; bucketKeyEnabled: boolean } }): Record<string, string> {
  const e = b.encryption ?? { algorithm: 'AES256', bucketKeyEnabled: false };
  const h: Record<string, string> = { 'x-amz-server-side-encryption': e.algorithm };
  if (e.kmsKeyId) h['x-amz-server-side-encryption-aws-kms-key-id'] = e.kmsKeyId;
  if (e.bucketKeyEnabled) h['x-amz-server-side-encryption-bucket-key-enabled'] = 'true';
  return h;
}
