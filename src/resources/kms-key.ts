import { isAwsError } from '../aws/errors.js';
import { SegflowError } from '../util/errors.js';
import type { StepContext } from './types.js';

/**
 * With storage.kmsKeyArn, Personalize reads the data and writes the segments through the key: the key policy must
 * let the service principal and the pipeline's role use it (granting-personalize-key-access.html). The key is the
 * user's, so segflow never edits its policy: the plan checks it and, when a grant is missing, says which
 * statement to add. The check reads Allow statements only (no conditions, no Deny): it catches the omission,
 * not every way a policy can refuse.
 */
export const SERVICE_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ListGrants'];
export const ROLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:ListGrants'];
const DOC = 'https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-key-access.html';

type Statement = { Effect?: string; Principal?: unknown; Action?: string | string[] };

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
}

function principals(p: unknown): string[] {
  if (p === '*') return ['*'];
  if (!p || typeof p !== 'object') return [];
  return Object.values(p as Record<string, unknown>).flatMap(list);
}

function covers(patterns: string[], action: string): boolean {
  return patterns.some((p) =>
    new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      'i',
    ).test(action),
  );
}

/** The actions of `wanted` that no Allow statement of the policy grants to any of `who`. */
export function missingGrants(policy: { Statement?: Statement | Statement[] }, who: string[], wanted: string[]): string[] {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : policy.Statement ? [policy.Statement] : [];
  const allowed = statements.filter((s) => s.Effect === 'Allow' && principals(s.Principal).some((p) => p === '*' || who.includes(p)));
  return wanted.filter((a) => !allowed.some((s) => covers(list(s.Action), a)));
}

/** Throws PLAN_KMS_KEY when the key is missing, disabled, or its policy leaves out Personalize or the role. */
export async function checkKey(ctx: StepContext, roleArn: string): Promise<string[]> {
  const keyArn = ctx.spec.storage.kmsKeyArn;
  if (!keyArn) return [];
  let key;
  let text;
  try {
    key = await ctx.aws.kms.describeKey(keyArn);
    text = key ? await ctx.aws.kms.getKeyPolicy(keyArn) : undefined;
  } catch (e) {
    // Not allowed to read the key (a CI role without kms:GetKeyPolicy): say so, do not block.
    if (isAwsError(e, 'access-denied'))
      return [`could not read the policy of ${keyArn} (${e.code}); make sure it lets personalize.amazonaws.com and ${roleArn} use the key (${DOC})`];
    throw e;
  }
  if (!key) throw new SegflowError('PLAN_KMS_KEY', `storage.kmsKeyArn ${keyArn} does not exist (or is in another region or account)`);
  if (!key.enabled) throw new SegflowError('PLAN_KMS_KEY', `storage.kmsKeyArn ${keyArn} is not enabled (${key.keyState ?? 'disabled'})`);
  const policy = JSON.parse(text ?? '{}') as { Statement?: Statement[] };
  const account = `arn:${ctx.env.partition}:iam::${ctx.env.account}:root`;
  const service = missingGrants(policy, ['personalize.amazonaws.com'], SERVICE_KEY_ACTIONS);
  // The role is covered by the key policy itself, or by the account delegating to IAM (then the role's own policy).
  const role = missingGrants(policy, [roleArn, account, ctx.env.account], ROLE_KEY_ACTIONS);
  if (service.length === 0 && role.length === 0) return [];
  const statements: Record<string, unknown>[] = [];
  if (service.length) {
    statements.push({
      Sid: 'AllowPersonalize',
      Effect: 'Allow',
      Principal: { Service: 'personalize.amazonaws.com' },
      Action: SERVICE_KEY_ACTIONS,
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': ctx.env.account } },
    });
  }
  if (role.length) {
    // The role by a condition: KMS refuses a key policy naming a principal that does not exist yet, and apply
    // creates the role. The account principal lets the role's own policy (segflow's) decide, for this role only.
    statements.push({
      Sid: 'AllowSegflowRole',
      Effect: 'Allow',
      Principal: { AWS: account },
      Action: ROLE_KEY_ACTIONS,
      Resource: '*',
      Condition: { ArnEquals: { 'aws:PrincipalArn': roleArn } },
    });
  }
  throw new SegflowError(
    'PLAN_KMS_KEY',
    `the key policy of ${keyArn} does not let ${service.length ? 'personalize.amazonaws.com' : roleArn} use the key (${[...new Set([...service, ...role])].join(', ')})`,
    [
      `segflow does not edit your key policy; add ${statements.length === 1 ? 'this statement' : 'these statements'} to its Statement list (KMS console, or aws kms get-key-policy and put-key-policy):`,
      JSON.stringify(statements.length === 1 ? statements[0] : statements, null, 2),
      `see ${DOC}`,
    ],
  );
}
