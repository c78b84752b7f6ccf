import type { Emu } from '../context.js';
import { notAuthorized } from '../iam/denial.js';
import type { Principal } from '../iam/evaluate.js';
import { decideKeyUse, findKey } from '../kms/key-access.js';
import { baseContext, bucketArn, decideS3, objectArn } from '../s3/access.js';
import type { S3Bucket } from '../store/state.js';
import { assumeRole, jobScope, serviceContext, servicePrincipal, type RoleSession } from './role-session.js';

/**
 * What Personalize must be allowed to do when a job touches S3, checked as AWS documents it in "Giving Amazon
 * Personalize access to Amazon S3 resources" (https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html):
 *  1. assume the job's role (trust policy, IAM propagation);
 *  2. the bucket policy must let the service principal personalize.amazonaws.com in ("Attach a bucket policy to the
 *     Amazon S3 bucket containing your data files so Amazon Personalize can access them");
 *  3. the role must be allowed (its inline and attached policies, or the bucket policy naming it; an explicit Deny
 *     anywhere wins);
 *  4. with KMS, the key policy must let the service and the role use the key, and the role's policies (or the key
 *     policy) must allow it: kms:Decrypt, GenerateDataKey, DescribeKey, ListGrants, and CreateGrant in the key policy
 *     (https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-key-access.html).
 * Failures answer with AWS's words "Insufficient privileges for accessing data in S3." (the wording of
 * https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html; the bucket-policy case exactly as the
 * service reports it), followed by what the emulator found.
 */
export const INSUFFICIENT = 'Insufficient privileges for accessing data in S3.';
const S3_DOC = 'https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html';
const KMS_DOC = 'https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-key-access.html';
const SERVICE_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ListGrants'];
const ROLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:ListGrants'];

export interface S3Use {
  bucket: S3Bucket;
  action: 's3:ListBucket' | 's3:GetObject' | 's3:PutObject';
  /** Object key (GetObject, PutObject) or listing prefix (ListBucket). */
  key: string;
  /** A KMS key this use needs (the object's, or the one the written object will get). */
  kmsKeyId?: string;
}

export interface JobAccess {
  /** The job's ARN: the aws:SourceArn of everything Personalize does for it. */
  jobArn: string;
  roleArn: string | undefined;
  region: string;
  uses: S3Use[];
  /** KMS keys named by the request itself (kmsKeyArn of a batch job's input or output). */
  kmsKeyArns?: string[];
}

function resourceOf(u: S3Use): string {
  return u.action === 's3:ListBucket' ? bucketArn(u.bucket) : objectArn(u.bucket, u.key);
}

function s3Context(principal: Principal, u: S3Use, region: string, sourceArn?: string): Record<string, string> {
  const ctx = { ...(baseContext(principal, region) as Record<string, string>) };
  if (sourceArn) Object.assign(ctx, serviceContext(sourceArn));
  if (u.action === 's3:ListBucket') ctx['s3:prefix'] = u.key;
  return ctx;
}

function checkKeys(emu: Emu, a: JobAccess, session: RoleSession): string | undefined {
  const wanted = new Map<string, string>();
  for (const u of a.uses) if (u.kmsKeyId) wanted.set(u.kmsKeyId, u.bucket.region);
  for (const arn of a.kmsKeyArns ?? []) wanted.set(arn, a.region);
  const scope = jobScope(a.jobArn);
  for (const [id, region] of wanted) {
    const key = findKey(emu, { ...scope, region }, id);
    const help = `${INSUFFICIENT} Please look at ${KMS_DOC} and give Amazon Personalize and the role ${session.roleArn} permission to use the KMS key ${id}.`;
    if (!key) return `${help} The key does not exist.`;
    if (key.state !== 'Enabled') return `${help} The key is ${key.state}.`;
    const service = servicePrincipal();
    for (const action of SERVICE_KEY_ACTIONS) {
      const d = decideKeyUse(key, { principal: service, action, context: { ...baseContext(service, region), ...serviceContext(a.jobArn) } });
      if (!d.allowed) return `${help} ${notAuthorized(service, action, key.arn, d)}.`;
    }
    for (const action of ROLE_KEY_ACTIONS) {
      const d = decideKeyUse(key, {
        principal: session.principal,
        action,
        identityPolicies: session.identityPolicies,
        boundary: session.boundary,
        context: { ...baseContext(session.principal, region), 'kms:CallerAccount': scope.account, 'kms:ViaService': `s3.${region}.amazonaws.com` },
      });
      if (!d.allowed) return `${help} ${notAuthorized(session.principal, action, key.arn, d)}.`;
    }
  }
  return undefined;
}

/** Undefined when Personalize may do everything in `a`; else the reason, in AWS's words first. */
export function checkJobAccess(emu: Emu, a: JobAccess): string | undefined {
  const session = assumeRole(emu, a.roleArn, a.jobArn);
  if ('problem' in session) return `${INSUFFICIENT} Please look at ${S3_DOC} and fix the role. ${session.problem}`;
  const service = servicePrincipal();
  for (const u of a.uses) {
    const d = decideS3(u.bucket, { principal: service, action: u.action, resource: resourceOf(u), context: s3Context(service, u, a.region, a.jobArn) });
    if (!d.allowed) return `${INSUFFICIENT} Please look at ${S3_DOC}#attach-bucket-policy and fix bucket policy on ${u.bucket.name}.`;
  }
  for (const u of a.uses) {
    const d = decideS3(u.bucket, {
      principal: session.principal,
      action: u.action,
      resource: resourceOf(u),
      context: s3Context(session.principal, u, a.region),
      identityPolicies: session.identityPolicies,
      boundary: session.boundary,
    });
    if (!d.allowed)
      return `${INSUFFICIENT} Please look at ${S3_DOC}#attaching-s3-policy-to-role and fix the policies of role ${session.roleArn}. ${notAuthorized(session.principal, u.action, resourceOf(u), d)}.`;
  }
  return checkKeys(emu, a, session);
}
