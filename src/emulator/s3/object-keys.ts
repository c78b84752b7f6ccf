import { ApiError } from '../api-error.js';
import { notAuthorized } from '../iam/denial.js';
import { decideKeyUse, findKey } from '../kms/key-access.js';
import { parseArn } from '../partitions.js';
import type { S3Bucket } from '../store/state.js';
import { accessDenied, callerPrincipal } from './access.js';
import { callerContext, callerPolicies } from '../iam/caller.js';
import type { S3Request } from './responses.js';
import { partitionOfBucket } from './s3-model.js';

/**
 * The caller's use of an object's KMS key when S3 encrypts (kms:GenerateDataKey) or decrypts (kms:Decrypt) it for
 * them: "If the object is encrypted with SSE-KMS, you must also have the kms:GenerateDataKey and kms:Decrypt
 * permissions in IAM identity-based policies and KMS key policies for the KMS key" (botocore s3 CopyObject,
 * boto/botocore @ 0e6e2404), decided by KMS's rules (src/emulator/kms/key-access.ts). The key must be in the
 * bucket's region; a key id that is not an ARN is looked for in the caller's account ("KMS resolves the key within
 * the requester's account", botocore s3 PutBucketEncryption). A missing key is 400 KMS.NotFoundException (the code S3
 * answers, aws/aws-cli#4507), a key pending deletion 400 KMS.KMSInvalidStateException, a refusal 403 AccessDenied with
 * IAM's wording. SSE-S3 (AES256) and SSE-KMS without a named key (the AWS managed key aws/s3, usable by the account)
 * need nothing.
 */
export type KeyAction = 'kms:Decrypt' | 'kms:GenerateDataKey';

export function authorizeObjectKey(r: S3Request, bucket: S3Bucket, sse: { algorithm: string; kmsKeyId?: string } | undefined, action: KeyAction): void {
  const keyId = sse && sse.algorithm !== 'AES256' ? sse.kmsKeyId : undefined;
  if (keyId === undefined) return;
  const arn = parseArn(keyId);
  const scope = { partition: partitionOfBucket(bucket), account: arn?.account ?? r.info.account, region: bucket.region };
  const key = findKey(r.emu, scope, keyId);
  if (!key) throw new ApiError('KMS.NotFoundException', `Invalid keyId ${keyId}`);
  if (key.state !== 'Enabled') throw new ApiError('KMS.KMSInvalidStateException', `${key.arn} is pending deletion.`);
  const principal = callerPrincipal(r.info);
  // A role session's IAM policies (and boundary) count where the key policy delegates to the account, as for KMS's own API.
  const decision = decideKeyUse(key, {
    principal,
    action,
    context: callerContext(r.info, { 'kms:CallerAccount': r.info.account, 'kms:ViaService': `s3.${bucket.region}.amazonaws.com` }),
    ...callerPolicies(r.emu, r.info),
  });
  if (!decision.allowed) throw accessDenied(notAuthorized(principal, action, key.arn, decision));
}
