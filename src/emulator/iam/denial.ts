import { rootArn } from '../partitions.js';
import type { Decision, Principal } from './evaluate.js';

/**
 * AWS's access-denied wording ("Access denied error message examples",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html):
 *   User: <arn> is not authorized to perform: <action> on resource: "<arn>" with an explicit deny in a resource-based policy
 *   User: <arn> is not authorized to perform: <action> on resource: "<arn>" because no identity-based policy allows the <action> action
 *   ... because no resource-based policy allows the <action> action (across accounts, where the resource's policy must allow too)
 */
export function principalArn(p: Principal): string {
  switch (p.kind) {
    case 'root':
      return rootArn(p);
    case 'role':
      return p.sessionArn;
    case 'service':
      return p.service;
    case 'anonymous':
      return 'anonymous';
  }
}

export function notAuthorized(p: Principal, action: string, resource: string, decision: Decision): string {
  if (decision.allowed) return '';
  const head = `User: ${principalArn(p)} is not authorized to perform: ${action} on resource: "${resource}"`;
  if (decision.reason === 'explicit-deny') {
    const where = decision.in ?? 'resource-based policy';
    return `${head} with an explicit deny in ${where.startsWith('identity') ? 'an' : 'a'} ${where}`;
  }
  if (decision.missing) return `${head} because no ${decision.missing} allows the ${action} action`;
  if (p.kind === 'service' || p.kind === 'anonymous') return `${head} because no resource-based policy allows the ${action} action`;
  return `${head} because no identity-based policy allows the ${action} action`;
}
