import { randomBytes } from 'node:crypto';
import { ApiError } from '../api-error.js';
import type { RequestInfo } from '../context.js';
import { rootArn } from '../partitions.js';
import type { JsonOperations } from '../http/json-rpc.js';
import type { KmsGrant, KmsKey } from '../store/state.js';
import { authorizeKeyApi, mustKey, pendingDeletion } from './key-access.js';
import { KEY_ID, kmsPage } from './keys.js';

/** Grants (CreateGrant, ListGrants): permissions to use a key given to one principal for listed operations. */
const OPERATIONS = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'Sign',
  'Verify',
  'GetPublicKey',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
];
const PRINCIPAL = { min: 1, max: 256, pattern: /^[\w+=,.@:/-]+$/, patternText: '^[\\w+=,.@:/-]+$' };

/** Adds a grant issued by the caller's account. */
export function addGrant(info: RequestInfo, k: KmsKey, g: Omit<KmsGrant, 'grantId' | 'grantToken' | 'created' | 'issuingAccount'>): KmsGrant {
  const grant: KmsGrant = {
    ...g,
    grantId: randomBytes(32).toString('hex'),
    grantToken: randomBytes(48).toString('base64url'),
    created: Date.now(),
    issuingAccount: rootArn(info),
  };
  k.grants.push(grant);
  return grant;
}

function grantEntry(k: KmsKey, g: KmsGrant): Record<string, unknown> {
  return {
    KeyId: k.arn,
    GrantId: g.grantId,
    ...(g.name !== undefined ? { Name: g.name } : {}),
    CreationDate: g.created / 1000,
    GranteePrincipal: g.granteePrincipal,
    ...(g.retiringPrincipal !== undefined ? { RetiringPrincipal: g.retiringPrincipal } : {}),
    IssuingAccount: g.issuingAccount,
    Operations: g.operations,
    ...(g.constraints ? { Constraints: g.constraints } : {}),
  };
}

export const grantOps: JsonOperations = {
  async CreateGrant(emu, input, info) {
    const k = mustKey(emu, info, input.requiredStr('KeyId', KEY_ID));
    const grantee = input.str('GranteePrincipal', PRINCIPAL) ?? input.str('GranteeServicePrincipal', PRINCIPAL);
    if (grantee === undefined)
      throw new ApiError(
        'ValidationException',
        "1 validation error detected: Value null at 'granteePrincipal' failed to satisfy constraint: Member must not be null",
      );
    const operations = input.list('Operations', { required: true })!;
    for (const op of operations) {
      if (typeof op !== 'string' || !OPERATIONS.includes(op)) {
        throw new ApiError(
          'ValidationException',
          `1 validation error detected: Value '${String(op)}' at 'operations' failed to satisfy constraint: Member must satisfy enum value set: [${OPERATIONS.join(', ')}]`,
        );
      }
    }
    if (operations.length === 0)
      throw new ApiError(
        'ValidationException',
        "1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    authorizeKeyApi(emu, info, k, 'kms:CreateGrant');
    if (k.state === 'PendingDeletion') throw pendingDeletion(k);
    if (input.bool('DryRun')) throw new ApiError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
    const grant = addGrant(info, k, {
      name: input.str('Name', { min: 1, max: 256 }),
      granteePrincipal: grantee,
      retiringPrincipal: input.str('RetiringPrincipal', PRINCIPAL),
      operations: operations as string[],
      constraints: input.plain('Constraints'),
    });
    await emu.store.commit();
    return { GrantToken: grant.grantToken, GrantId: grant.grantId };
  },

  async ListGrants(emu, input, info) {
    const k = mustKey(emu, info, input.requiredStr('KeyId', KEY_ID));
    const grantId = input.str('GrantId', { min: 1, max: 128 });
    const grantee = input.str('GranteePrincipal', PRINCIPAL);
    authorizeKeyApi(emu, info, k, 'kms:ListGrants');
    if (grantId !== undefined && !k.grants.some((g) => g.grantId === grantId)) throw new ApiError('InvalidGrantIdException', 'Invalid grant ID');
    const all = k.grants.filter((g) => (grantId === undefined || g.grantId === grantId) && (grantee === undefined || g.granteePrincipal === grantee));
    const { page, NextMarker, Truncated } = kmsPage(emu, input, all);
    return { Grants: page.map((g) => grantEntry(k, g)), ...(NextMarker ? { NextMarker } : {}), Truncated };
  },
};
