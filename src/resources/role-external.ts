import { isAwsError } from '../aws/errors.js';
import type { RoleInfo } from '../aws/ports.js';
import { SegflowError } from '../util/errors.js';
import { bucketArn, prefixOf } from './naming.js';
import { missingGrants, ROLE_KEY_ACTIONS } from './kms-key.js';
import type { StepContext } from './types.js';

/**
 * `iam: { roleArn }`: a role the user's platform team made. segflow passes it to Personalize and never creates,
 * changes or deletes it; plan and apply check that it can do the job, and say exactly what is missing:
 *  - its trust policy lets personalize.amazonaws.com call sts:AssumeRole (for this account, when it says);
 *  - its own policies (within its permissions boundary), by IAM's policy simulator (SimulatePrincipalPolicy), or a
 *    bucket policy statement naming it, allow listing the pipeline's prefix, reading its objects and writing the
 *    segment output (and using storage.kmsKeyArn).
 * What the credentials may not read (iam:GetRole, iam:SimulatePrincipalPolicy) becomes a note, not a refusal.
 */
const PERSONALIZE = 'personalize.amazonaws.com';

export function externalRoleName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function refuse(message: string, details: string[] = []): SegflowError {
  return new SegflowError('PLAN_ROLE', message, [
    ...details,
    'segflow never changes a role given as iam.roleArn: ask its owner to change it, or drop iam.roleArn to let segflow create its own role',
  ]);
}

type Statement = { Effect?: string; Principal?: unknown; Action?: string | string[]; Condition?: Record<string, Record<string, unknown>> };

function statementsOf(text: string | undefined): Statement[] {
  try {
    const raw = (JSON.parse(text ?? '{}') as { Statement?: Statement | Statement[] }).Statement;
    return Array.isArray(raw) ? raw : raw ? [raw] : [];
  } catch {
    return [];
  }
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** Whether the trust policy lets Personalize assume the role on behalf of this account. */
export function trustsPersonalize(trust: string, account: string): boolean {
  return statementsOf(trust).some((s) => {
    if (s.Effect !== 'Allow') return false;
    const p = s.Principal;
    const services = p === '*' ? ['*'] : p && typeof p === 'object' ? list((p as Record<string, unknown>)['Service']) : [];
    if (!services.some((x) => x === PERSONALIZE || x === '*')) return false;
    if (!list(s.Action).some((a) => /^(sts:AssumeRole|sts:\*|\*)$/i.test(a))) return false;
    const accounts = Object.entries(s.Condition ?? {})
      .filter(([op]) => /^String(Equals|Like)/.test(op))
      .flatMap(([, keys]) =>
        Object.entries(keys)
          .filter(([k]) => k.toLowerCase() === 'aws:sourceaccount')
          .flatMap(([, v]) => list(v)),
      );
    return accounts.length === 0 || accounts.includes(account);
  });
}

interface Need {
  action: string;
  resource: string;
  context?: Record<string, string>;
  what: string;
}

function needs(ctx: StepContext): Need[] {
  const bucket = bucketArn(ctx.env, ctx.spec.storage.bucket);
  const prefix = prefixOf(ctx.spec);
  const out: Need[] = [
    { action: 's3:ListBucket', resource: bucket, context: { 's3:prefix': `${prefix}input/` }, what: `list s3://${ctx.spec.storage.bucket}/${prefix}` },
    { action: 's3:GetObject', resource: `${bucket}/${prefix}input/interactions.csv`, what: `read s3://${ctx.spec.storage.bucket}/${prefix}*` },
    { action: 's3:PutObject', resource: `${bucket}/${prefix}output/job/queries.jsonl.out`, what: `write s3://${ctx.spec.storage.bucket}/${prefix}output/*` },
  ];
  const key = ctx.spec.storage.kmsKeyArn;
  if (key) for (const action of ROLE_KEY_ACTIONS) out.push({ action, resource: key, what: `${action} on ${key}` });
  return out;
}

/** Reads the role and checks it; returns it with notes, or throws PLAN_ROLE naming what is missing. */
export async function checkExternalRole(ctx: StepContext, arn: string): Promise<{ role: RoleInfo | undefined; notes: string[] }> {
  const name = externalRoleName(arn);
  let role: RoleInfo | undefined;
  try {
    role = await ctx.aws.iam.getRole(name);
  } catch (e) {
    if (isAwsError(e, 'access-denied'))
      return {
        role: undefined,
        notes: [
          `could not read iam.roleArn ${arn} (${e.code}): make sure it trusts ${PERSONALIZE} and can read s3://${ctx.spec.storage.bucket}/${prefixOf(ctx.spec)}`,
        ],
      };
    throw e;
  }
  if (!role) throw refuse(`iam.roleArn ${arn} does not exist (no role named ${name} in account ${ctx.env.account})`);
  if (role.arn !== arn) throw refuse(`iam.roleArn is ${arn}, but the role named ${name} in this account is ${role.arn}`);
  const problems: string[] = [];
  if (!trustsPersonalize(role.trustPolicy, ctx.env.account))
    problems.push(`its trust policy does not let ${PERSONALIZE} assume it (sts:AssumeRole) for account ${ctx.env.account}`);
  const notes: string[] = [];
  const bucketPolicy = { Statement: statementsOf(await ctx.aws.s3.getBucketPolicy(ctx.spec.storage.bucket).catch(() => undefined)) };
  for (const need of needs(ctx)) {
    let decision: string;
    try {
      decision =
        (
          await ctx.aws.iam.simulatePrincipalPolicy({
            roleArn: arn,
            actions: [need.action],
            resource: need.resource,
            ...(need.context ? { context: need.context } : {}),
          })
        )[0]?.decision ?? 'implicitDeny';
    } catch (e) {
      if (!isAwsError(e, 'access-denied')) throw e;
      notes.push(`could not check what iam.roleArn ${arn} may do (${e.code} on iam:SimulatePrincipalPolicy)`);
      break;
    }
    if (decision === 'allowed') continue;
    // A bucket policy statement naming the role grants it as well (not for KMS: that is the key policy's, checked apart).
    if (decision === 'implicitDeny' && need.action.startsWith('s3:') && missingGrants(bucketPolicy, [arn], [need.action]).length === 0) continue;
    problems.push(`${need.what}${decision === 'explicitDeny' ? ' (explicitly denied)' : ''}`);
  }
  if (problems.length > 0) {
    throw refuse(`iam.roleArn ${arn} cannot do what Personalize needs for this pipeline: ${problems.join('; ')}`, [
      `the role's trust policy needs: ${JSON.stringify({ Effect: 'Allow', Principal: { Service: PERSONALIZE }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ctx.env.account } } })}`,
      `its permissions need (segflow's least-privilege policy): ${JSON.stringify(ctx.desired('role').inputs['needs'])}`,
    ]);
  }
  return { role, notes };
}
