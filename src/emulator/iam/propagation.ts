import type { Emu } from '../context.js';
import type { IamRole, RoleSnapshot } from '../store/state.js';

/**
 * IAM is eventually consistent: "Changes that I make are not always immediately visible"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
 * With the emulator option `iamPropagationDelayMs`, a new role, or a change of its trust policy or permissions,
 * reaches other services (Personalize assuming the role) only after that delay; until then they see the role as it
 * was (a new role: not at all). The IAM API itself answers with the new state at once, as IAM does.
 */
export function snapshotOf(role: IamRole): RoleSnapshot {
  return {
    assumeRolePolicyDocument: role.assumeRolePolicyDocument,
    inlinePolicies: { ...role.inlinePolicies },
    attachedPolicies: [...role.attachedPolicies],
    ...(role.permissionsBoundary ? { permissionsBoundary: role.permissionsBoundary } : {}),
  };
}

/** The role as other services see it now; undefined while a new role has not propagated. */
export function visibleRole(role: IamRole, now = Date.now()): RoleSnapshot | undefined {
  if (!role.propagation || now >= role.propagation.visibleAfter) return snapshotOf(role);
  return role.propagation.previous;
}

/** The role as Personalize sees it at the emulator's clock. */
export function roleSeenBy(emu: Emu, role: IamRole): RoleSnapshot | undefined {
  return visibleRole(role, emu.opts.now());
}

/** Call when a role is created: it is invisible to other services for the delay. */
export function roleCreated(emu: Emu, role: IamRole): void {
  const delay = emu.opts.iamPropagationDelayMs;
  if (delay > 0) role.propagation = { visibleAfter: emu.opts.now() + delay };
}

/** Call before changing a role's trust policy or permissions: others keep seeing what they saw until the delay passes. */
export function roleChanging(emu: Emu, role: IamRole): void {
  const delay = emu.opts.iamPropagationDelayMs;
  if (delay <= 0) {
    delete role.propagation;
    return;
  }
  const now = emu.opts.now();
  const seen = visibleRole(role, now);
  role.propagation = { visibleAfter: now + delay, ...(seen ? { previous: seen } : {}) };
}
