import { ApiError } from '../api-error.js';
import type { XmlNode } from '../xml.js';
import type { RequestContext } from './conditions.js';
import { authorize, type Decision } from './evaluate.js';
import type { QueryOperations } from './handler.js';
import { identityPolicies, policyDocument } from '../personalize/role-session.js';
import { parsePolicy, type Policy } from './policy.js';
import { snapshotOf } from './propagation.js';
import { page, type Params } from './query-protocol.js';
import { roles } from './roles.js';

/**
 * SimulatePrincipalPolicy (botocore iam 2010-05-08): each action of ActionNames on each of ResourceArns (default
 * "*"), decided by the policies of PolicySourceArn (its inline and attached policies, plus PolicyInputList) within
 * its permissions boundary (or the one PermissionsBoundaryPolicyInputList gives), with ContextEntries as the
 * request context: EvalDecision allowed | explicitDeny | implicitDeny. Only roles are emulated (users and groups
 * are NoSuchEntity); a ResourcePolicy is evaluated "for IAM users only", so not here. MatchedStatements and
 * MissingContextValues are always empty.
 */
const ARN = { min: 20, max: 2048 };

function decision(d: Decision): 'allowed' | 'explicitDeny' | 'implicitDeny' {
  if (d.allowed) return 'allowed';
  return d.reason === 'explicit-deny' ? 'explicitDeny' : 'implicitDeny';
}

function contextEntries(p: Params): RequestContext {
  const out: RequestContext = {};
  for (const entry of p.members('ContextEntries')) {
    const name = entry['ContextKeyName'];
    if (!name) throw new ApiError('InvalidInput', 'Each context entry needs a ContextKeyName.');
    const values = Object.entries(entry)
      .filter(([k]) => k.startsWith('ContextKeyValues.member.'))
      .sort(([a], [b]) => Number(a.split('.').pop()) - Number(b.split('.').pop()))
      .map(([, v]) => v);
    out[name] = /List$/.test(entry['ContextKeyType'] ?? '') ? values : values[0];
  }
  return out;
}

function documents(p: Params, name: string): Policy[] {
  return p.members(name).map((m) => {
    try {
      return parsePolicy(m[''] ?? '');
    } catch (e) {
      throw new ApiError('MalformedPolicyDocument', `${name}: ${(e as Error).message}`);
    }
  });
}

export const simulateOps: QueryOperations = {
  async SimulatePrincipalPolicy(emu, p, info) {
    const source = p.required('PolicySourceArn', ARN);
    const actions = p.members('ActionNames').map((m) => m[''] ?? '');
    if (actions.length === 0)
      throw new ApiError('ValidationError', "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null");
    const resources = p.members('ResourceArns').map((m) => m[''] ?? '');
    const all = roles(emu);
    const role =
      source.startsWith(`arn:${info.partition}:iam::${info.account}:role/`) && Object.prototype.hasOwnProperty.call(all, source) ? all[source] : undefined;
    if (!role) throw new ApiError('NoSuchEntity', `The user, group or role ${source} cannot be found.`, 404);
    const seen = snapshotOf(role);
    const extraBoundary = documents(p, 'PermissionsBoundaryPolicyInputList')[0];
    const boundaryDoc = seen.permissionsBoundary ? policyDocument(emu, seen.permissionsBoundary) : undefined;
    const boundary = extraBoundary ?? (boundaryDoc ? parsePolicy(boundaryDoc) : undefined);
    const policies = [...identityPolicies(emu, seen), ...documents(p, 'PolicyInputList')];
    const context = contextEntries(p);
    const principal = { kind: 'role' as const, account: info.account, roleArn: role.arn, sessionArn: role.arn };
    const results = actions.flatMap((action) =>
      (resources.length > 0 ? resources : ['*']).map((resource) => ({
        action,
        resource,
        decision: decision(
          authorize({
            request: { principal, action, resource, context },
            identityPolicies: policies,
            ...(boundary ? { boundary } : {}),
            resourceAccount: info.account,
          }),
        ),
      })),
    );
    const { items, truncated, marker } = page(emu, results, p);
    return [
      [
        'EvaluationResults',
        items.map(
          (r) =>
            [
              'member',
              [
                ['EvalActionName', r.action],
                ['EvalResourceName', r.resource],
                ['EvalDecision', r.decision],
                ['MatchedStatements', []],
                ['MissingContextValues', []],
                [
                  'ResourceSpecificResults',
                  [
                    [
                      'member',
                      [
                        ['EvalResourceName', r.resource],
                        ['EvalResourceDecision', r.decision],
                      ],
                    ],
                  ],
                ],
              ],
            ] as XmlNode,
        ),
      ],
      ['IsTruncated', truncated ? 'true' : 'false'],
      ...(marker ? [['Marker', marker] as XmlNode] : []),
    ];
  },
};
