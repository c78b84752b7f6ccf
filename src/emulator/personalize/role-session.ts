import type { Emu } from '../context.js';
import { authorize, type Principal } from '../iam/evaluate.js';
import { managedPolicy } from '../iam/managed-policies.js';
import { parsePolicy, type Policy } from '../iam/policy.js';
import { roleSeenBy } from '../iam/propagation.js';
import { parseArn, type AccountScope } from '../partitions.js';
import type { RoleSnapshot } from '../store/state.js';

/**
 * Personalize assuming the role a job was given: the role must exist in the account, be visible to other services
 * (IAM propagation), and its trust policy must let the service principal personalize.amazonaws.com call
 * sts:AssumeRole with the confused-deputy context AWS sets: aws:SourceAccount (the account) and aws:SourceArn (the
 * resource Personalize acts for, here the job).
 * https://docs.aws.amazon.com/personalize/latest/dg/cross-service-confused-deputy-prevention.html
 */
export const PERSONALIZE = 'personalize.amazonaws.com';
const SESSION_NAME = 'AmazonPersonalize';

export interface RoleSession {
  roleArn: string;
  principal: Principal;
  identityPolicies: Policy[];
  boundary?: Policy;
}

export function servicePrincipal(): Principal {
  return { kind: 'service', service: PERSONALIZE };
}

/** The account (and partition) Personalize acts for when it works on a job: the job's own. */
export function jobScope(jobArn: string): AccountScope {
  const p = parseArn(jobArn);
  if (!p) throw new Error(`not a Personalize ARN: ${jobArn}`);
  return { account: p.account, partition: p.partition };
}

/** The context keys a service principal's request carries on behalf of `sourceArn` (aws:SourceAccount: its account). */
export function serviceContext(sourceArn: string): Record<string, string> {
  return {
    'aws:SourceAccount': jobScope(sourceArn).account,
    'aws:SourceArn': sourceArn,
    'aws:PrincipalServiceName': PERSONALIZE,
    'aws:PrincipalIsAWSService': 'true',
  };
}

/** A trust policy names no Resource: it is about the role it belongs to. */
function trustPolicy(doc: string): Policy {
  const p = parsePolicy(doc);
  return { statements: p.statements.map((st) => (st.resources || st.notResources ? st : { ...st, resources: ['*'] })) };
}

export function policyDocument(emu: Emu, arn: string): string | undefined {
  const managed = managedPolicy(arn);
  if (managed) return managed.document;
  const customer = emu.store.state.iam.policies;
  return Object.prototype.hasOwnProperty.call(customer, arn) ? customer[arn]!.document : undefined;
}

export function identityPolicies(emu: Emu, seen: RoleSnapshot): Policy[] {
  const docs = [
    ...Object.values(seen.inlinePolicies),
    ...seen.attachedPolicies.map((arn) => policyDocument(emu, arn)).filter((d): d is string => d !== undefined),
  ];
  return docs.map((d) => parsePolicy(d));
}

/** Returns the session, or why Personalize cannot assume the role (which must be a role of the job's account). */
export function assumeRole(emu: Emu, roleArn: string | undefined, sourceArn: string): RoleSession | { problem: string } {
  if (!roleArn) return { problem: 'The job has no roleArn, so Amazon Personalize has no role to read your data with.' };
  const { account, partition } = jobScope(sourceArn);
  const m = /^arn:([a-z\d-]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!m || m[1] !== partition || m[2] !== account) return { problem: `The role ${roleArn} is not a role of account ${account} (partition ${partition}).` };
  const roles = emu.store.state.iam.roles;
  const role = Object.prototype.hasOwnProperty.call(roles, roleArn) ? roles[roleArn] : undefined;
  if (!role) return { problem: `The role ${roleArn} does not exist.` };
  const seen = roleSeenBy(emu, role);
  if (!seen)
    return { problem: `Amazon Personalize cannot assume the role ${roleArn} yet: IAM has not propagated it (a new role takes a while to become usable).` };
  const trust = authorize({
    request: { principal: servicePrincipal(), action: 'sts:AssumeRole', resource: roleArn, context: serviceContext(sourceArn) },
    resourcePolicy: trustPolicy(seen.assumeRolePolicyDocument),
    resourceAccount: account,
  });
  if (!trust.allowed) {
    return {
      problem: `Amazon Personalize cannot assume the role ${roleArn}: its trust policy does not allow ${PERSONALIZE} to call sts:AssumeRole for ${sourceArn} (aws:SourceAccount ${account}).`,
    };
  }
  const boundaryDoc = seen.permissionsBoundary ? policyDocument(emu, seen.permissionsBoundary) : undefined;
  return {
    roleArn,
    principal: { kind: 'role', account, roleArn, sessionArn: `arn:${partition}:sts::${account}:assumed-role/${role.roleName}/${SESSION_NAME}` },
    identityPolicies: identityPolicies(emu, seen),
    ...(boundaryDoc ? { boundary: parsePolicy(boundaryDoc) } : {}),
  };
}
