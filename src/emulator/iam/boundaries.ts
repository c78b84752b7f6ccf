import { ApiError } from '../api-error.js';
import type { Emu } from '../context.js';
import type { AccountScope } from '../partitions.js';
import type { QueryOperations } from './handler.js';
import { mustPolicy } from './policies.js';
import { roleChanging } from './propagation.js';
import { mustRole, ROLE_NAME } from './roles.js';

/**
 * Permissions boundaries of roles (botocore iam 2010-05-08 PutRolePermissionsBoundary, DeleteRolePermissionsBoundary;
 * CreateRole's PermissionsBoundary): the boundary must be a managed policy the caller can see, AWS managed or of its
 * own account (NoSuchEntity "Policy <arn> does not exist or is not attachable." otherwise, as AttachRolePolicy says).
 * A boundary caps what the role's identity policies grant, for Personalize using the role and for callers acting
 * as it (iam/evaluate.ts).
 */
export const BOUNDARY_ARN = { min: 20, max: 2048 };

export function checkBoundary(emu: Emu, scope: AccountScope, arn: string): string {
  return mustPolicy(emu, scope, arn).arn;
}

export const boundaryOps: QueryOperations = {
  async PutRolePermissionsBoundary(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    const arn = checkBoundary(emu, info, p.required('PermissionsBoundary', BOUNDARY_ARN));
    roleChanging(emu, role);
    role.permissionsBoundary = arn;
    await emu.store.commit();
    return undefined;
  },

  async DeleteRolePermissionsBoundary(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    if (role.permissionsBoundary === undefined) throw new ApiError('NoSuchEntity', `The role ${role.roleName} has no permissions boundary.`, 404);
    roleChanging(emu, role);
    delete role.permissionsBoundary;
    await emu.store.commit();
    return undefined;
  },
};
