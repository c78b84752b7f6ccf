import { ApiError } from '../api-error.js';
import type { Emu, RequestInfo } from '../context.js';
import type { RequestContext } from './conditions.js';
import { authorizeCallerAction } from './caller.js';
import type { Params } from './query-protocol.js';
import { findRole } from './roles.js';

/**
 * Authorization of IAM API calls made with role-session credentials (the root user may do everything in its own
 * account). The resource is the role or policy the call names; the condition keys are IAM's own:
 *  - iam:PermissionsBoundary: on CreateRole and PutRolePermissionsBoundary the boundary the request sets, on the
 *    calls that change a role's permissions (Put/DeleteRolePolicy, Attach/DetachRolePolicy,
 *    DeleteRolePermissionsBoundary) the boundary the role has — what makes "create or change roles only with this
 *    boundary" enforceable ("Permissions boundaries for IAM entities", delegating responsibility example,
 *    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html);
 *  - iam:PolicyARN on Attach/DetachRolePolicy;
 *  - aws:RequestTag/<key> and aws:TagKeys on CreateRole and TagRole, aws:ResourceTag/<key> of an existing role
 *    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html).
 * Denied calls answer 403 AccessDenied with IAM's "User: ... is not authorized to perform" wording.
 */
const BOUNDARY_OF_ROLE = new Set(['PutRolePolicy', 'DeleteRolePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'DeleteRolePermissionsBoundary']);
const UNSCOPED = new Set(['ListRoles', 'ListPolicies']);

function denied(message: string): ApiError {
  return new ApiError('AccessDenied', message, 403);
}

function tagContext(params: Params): RequestContext {
  const tags = params.members('Tags').map((m) => ({ Key: m.Key ?? '', Value: m.Value ?? '' }));
  if (tags.length === 0) return {};
  return { 'aws:TagKeys': tags.map((t) => t.Key), ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value])) };
}

export function authorizeIamCall(emu: Emu, action: string, params: Params, info: RequestInfo): void {
  if (!info.session) return;
  const prefix = `arn:${info.partition}:iam::${info.account}:`;
  const context: RequestContext = {};
  let resource = '*';
  const roleName = params.get('RoleName');
  if (UNSCOPED.has(action)) resource = '*';
  else if (action === 'SimulatePrincipalPolicy') resource = params.get('PolicySourceArn') ?? '*';
  else if (action === 'CreatePolicy') resource = `${prefix}policy${params.get('Path') ?? '/'}${params.get('PolicyName') ?? ''}`;
  else if (roleName !== undefined) {
    const role = findRole(emu, info, roleName);
    resource = action === 'CreateRole' || !role ? `${prefix}role${params.get('Path') ?? '/'}${roleName}` : role.arn;
    if (role) for (const t of role.tags) context[`aws:ResourceTag/${t.Key}`] = t.Value;
    if (action === 'CreateRole' || action === 'PutRolePermissionsBoundary') context['iam:PermissionsBoundary'] = params.get('PermissionsBoundary');
    else if (BOUNDARY_OF_ROLE.has(action)) context['iam:PermissionsBoundary'] = role?.permissionsBoundary;
    if (action === 'AttachRolePolicy' || action === 'DetachRolePolicy') context['iam:PolicyARN'] = params.get('PolicyArn');
    if (action === 'CreateRole' || action === 'TagRole') Object.assign(context, tagContext(params));
  } else if (params.get('PolicyArn') !== undefined) resource = params.get('PolicyArn')!;
  authorizeCallerAction(emu, info, `iam:${action}`, resource, denied, context);
}
