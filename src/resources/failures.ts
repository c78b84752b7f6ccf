import { SegflowError } from '../util/errors.js';
import { isAwsError, isRoleAccessProblem, type AwsError } from '../aws/errors.js';
import { sidPrefix } from './bucket-policy.js';
import { ROLE_POLICY_NAME } from './role.js';
import type { StepContext } from './types.js';

/**
 * A failed AWS call as a run failure naming the step, the resource and AWS's reason, with what to do about it
 * for the failures people meet (a quota, a permission, expired credentials). Anything else (a cancellation,
 * segflow's own error) passes through unchanged.
 */
export function awsFailure(step: string, what: string, e: unknown, accessHints: string[] = []): Error {
  if (!isAwsError(e)) return e instanceof Error ? e : new Error(String(e));
  const reason = `${e.code}: ${e.awsMessage}`;
  if (e.kind === 'limit-exceeded') {
    return new SegflowError('AWS_QUOTA', `${step}: ${what} failed: a ${e.service} quota was reached: ${reason}`, [
      'delete resources of that kind you no longer need, or ask for a higher quota in the Service Quotas console',
      'quotas: https://docs.aws.amazon.com/personalize/latest/dg/limits.html',
    ]);
  }
  if (isRoleAccessProblem(e))
    return new SegflowError('AWS_ACCESS_DENIED', `${step}: ${what} failed: Personalize cannot use the role or the bucket: ${reason}`, accessHints);
  if (e.kind === 'access-denied') {
    return new SegflowError('AWS_ACCESS_DENIED', `${step}: ${what} failed: the credentials segflow runs with may not do this: ${reason}`, [
      'grant it to the identity running segflow: `segflow iam-policy FILE` prints what a pipeline needs (docs/team.md)',
    ]);
  }
  if (e.kind === 'expired-credentials') return credentialsExpired(`${step}: ${what}`, e);
  return new SegflowError('AWS_CALL_FAILED', `${step}: ${what} failed: ${reason}`);
}

export function credentialsExpired(what: string, e: AwsError): SegflowError {
  return new SegflowError('AWS_CREDENTIALS_EXPIRED', `${what}: the AWS credentials expired (${e.code}: ${e.awsMessage})`, [
    'refresh them (aws sso login, a new session) and run the same command again: work in flight goes on in AWS, and apply re-attaches to it',
  ]);
}

/** Where to look when Personalize cannot use the role or the bucket: the exact policies segflow manages. */
export function roleAccessHints(ctx: StepContext): string[] {
  const role = ctx.state.step('role')?.name ?? ctx.desired('role').name;
  const bucket = ctx.spec.storage.bucket;
  const sid = sidPrefix(ctx.spec);
  return [
    ctx.spec.iam?.roleArn
      ? `check the trust and permissions of iam.roleArn ${ctx.spec.iam.roleArn} (not segflow's: its owner changes it), and the bucket policy of s3://${bucket} (segflow's statements start with ${sid})`
      : `check the trust policy and the inline policy ${ROLE_POLICY_NAME} of IAM role ${role}, and the bucket policy of s3://${bucket} (segflow's statements start with ${sid})`,
    // Personalize recommends the confused-deputy keys in resource policies (cross-service-confused-deputy-prevention.html);
    // if the service did not send aws:SourceAccount for a request, these two Allows would not apply to it.
    `a suspect: ${sid}PersonalizeReads and ${sid}PersonalizeWrites allow personalize.amazonaws.com only with StringEquals aws:SourceAccount = ${ctx.env.account}; if Personalize is refused although they are in place, try them without that condition`,
    ...(ctx.spec.storage.kmsKeyArn
      ? [`and the key policy of ${ctx.spec.storage.kmsKeyArn}: it must let the role and personalize.amazonaws.com use the key`]
      : []),
    "segflow plan shows drift when segflow's own statements were changed or removed; apply puts them back",
  ];
}
