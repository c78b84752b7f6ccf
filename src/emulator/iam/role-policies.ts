import { ApiError } from '../api-error.js';
import type { XmlNode } from '../xml.js';
import type { QueryOperations } from './handler.js';
import { POLICY_NAME, mustPolicy } from './policies.js';
import { checkPolicyDocument, encodePolicy } from './policy-document.js';
import { page } from './query-protocol.js';
import { mustRole, ROLE_NAME } from './roles.js';
import { roleChanging } from './propagation.js';

/** "Role policy size: 10,240 characters" (all inline policies of a role together); 10 managed policies per role. */
const MAX_INLINE_CHARS = 10240;
const MAX_ATTACHED = 10;

export const rolePolicyOps: QueryOperations = {
  async PutRolePolicy(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    const name = p.required('PolicyName', POLICY_NAME);
    const document = p.required('PolicyDocument', { min: 1, max: 131072 });
    checkPolicyDocument(document, MAX_INLINE_CHARS, 'PolicySize');
    const others = Object.entries(role.inlinePolicies)
      .filter(([n]) => n !== name)
      .reduce((s, [, d]) => s + d.replace(/\s/g, '').length, 0);
    if (others + document.replace(/\s/g, '').length > MAX_INLINE_CHARS) {
      throw new ApiError('LimitExceeded', `Maximum policy size of ${MAX_INLINE_CHARS} bytes exceeded for role ${role.roleName}`, 409);
    }
    roleChanging(emu, role);
    Object.defineProperty(role.inlinePolicies, name, { value: document, enumerable: true, writable: true, configurable: true });
    await emu.store.commit();
    return undefined;
  },

  async GetRolePolicy(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    const name = p.required('PolicyName', POLICY_NAME);
    const doc = Object.prototype.hasOwnProperty.call(role.inlinePolicies, name) ? role.inlinePolicies[name] : undefined;
    if (doc === undefined) throw new ApiError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, 404);
    return [
      ['RoleName', role.roleName],
      ['PolicyName', name],
      ['PolicyDocument', encodePolicy(doc)],
    ];
  },

  async DeleteRolePolicy(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    const name = p.required('PolicyName', POLICY_NAME);
    if (!Object.prototype.hasOwnProperty.call(role.inlinePolicies, name))
      throw new ApiError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, 404);
    roleChanging(emu, role);
    delete role.inlinePolicies[name];
    await emu.store.commit();
    return undefined;
  },

  async ListRolePolicies(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    const { items, truncated, marker } = page(emu, Object.keys(role.inlinePolicies).sort(), p);
    return [
      ['PolicyNames', items.map((n) => ['member', n] as XmlNode)],
      ['IsTruncated', truncated ? 'true' : 'false'],
      ...(marker ? [['Marker', marker] as XmlNode] : []),
    ];
  },

  async AttachRolePolicy(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    const policy = mustPolicy(emu, info, p.required('PolicyArn', { min: 20, max: 2048 }));
    if (!role.attachedPolicies.includes(policy.arn)) {
      if (role.attachedPolicies.length >= MAX_ATTACHED) throw new ApiError('LimitExceeded', `Cannot exceed quota for PoliciesPerRole: ${MAX_ATTACHED}`, 409);
      roleChanging(emu, role);
      role.attachedPolicies.push(policy.arn);
      await emu.store.commit();
    }
    return undefined;
  },

  async DetachRolePolicy(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    const arn = p.required('PolicyArn', { min: 20, max: 2048 });
    if (!role.attachedPolicies.includes(arn)) throw new ApiError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
    roleChanging(emu, role);
    role.attachedPolicies = role.attachedPolicies.filter((a) => a !== arn);
    await emu.store.commit();
    return undefined;
  },

  async ListAttachedRolePolicies(emu, p, info) {
    const role = mustRole(emu, info, p.required('RoleName', ROLE_NAME));
    const prefix = p.optional('PathPrefix') ?? '/';
    const attached = role.attachedPolicies.map((arn) => mustPolicy(emu, info, arn)).filter((v) => v.path.startsWith(prefix));
    const { items, truncated, marker } = page(emu, attached, p);
    return [
      [
        'AttachedPolicies',
        items.map(
          (v) =>
            [
              'member',
              [
                ['PolicyName', v.name],
                ['PolicyArn', v.arn],
              ],
            ] as XmlNode,
        ),
      ],
      ['IsTruncated', truncated ? 'true' : 'false'],
      ...(marker ? [['Marker', marker] as XmlNode] : []),
    ];
  },
};
