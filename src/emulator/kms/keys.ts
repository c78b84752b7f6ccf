import { randomUUID } from 'node:crypto';
import { ApiError } from '../api-error.js';
import type { Emu } from '../context.js';
import type { JsonOperations } from '../http/json-rpc.js';
import type { Input } from '../personalize/validate.js';
import type { KmsKey } from '../store/state.js';
import { authorizeKeyApi, checkKeyPolicy, defaultKeyPolicy, keyAccount, keyArn, keys, mustKey, pendingDeletion } from './key-access.js';

/**
 * KMS keys (botocore kms 2014-11-01): CreateKey, DescribeKey, ListKeys, GetKeyPolicy, PutKeyPolicy,
 * ScheduleKeyDeletion. Symmetric encryption keys only; no key material is ever used (objects are stored in the
 * clear), but every use is authorized as KMS would authorize it.
 */
export const KEY_ID = { min: 1, max: 2048 };
const POLICY = { min: 1, max: 131072, pattern: /^[\t\n\r\u0020-\u00FF]+$/s, patternText: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' };
const POLICY_NAME = { min: 1, max: 128, pattern: /^[\w]+$/, patternText: '[\\w]+' };

const seconds = (ms: number) => ms / 1000;

export function keyMetadata(k: KmsKey): Record<string, unknown> {
  return {
    AWSAccountId: keyAccount(k),
    KeyId: k.keyId,
    Arn: k.arn,
    CreationDate: seconds(k.created),
    Enabled: k.state === 'Enabled',
    Description: k.description,
    KeyUsage: k.keyUsage,
    KeyState: k.state,
    ...(k.deletionDate !== undefined ? { DeletionDate: seconds(k.deletionDate), PendingDeletionWindowInDays: k.pendingWindowInDays } : {}),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: k.keySpec,
    KeySpec: k.keySpec,
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
}

/** Limit (1..1000, default 100, capped by the emulator's pageSize) and an opaque Marker, as KMS lists page. */
export function kmsPage<T>(emu: Emu, input: Input, items: T[]): { page: T[]; NextMarker?: string; Truncated: boolean } {
  const limit = Math.min(input.int('Limit', { min: 1, max: 1000 }) ?? 100, emu.opts.pageSize ?? Infinity);
  const marker = input.str('Marker', { min: 1, max: 1024 });
  let start = 0;
  if (marker !== undefined) {
    const decoded = Buffer.from(marker, 'base64url').toString('utf8');
    const n = Number(decoded.replace(/^kms:/, ''));
    if (!decoded.startsWith('kms:') || !Number.isInteger(n) || n < 0) throw new ApiError('InvalidMarkerException', 'Invalid marker');
    start = n;
  }
  const page = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return more ? { page, NextMarker: Buffer.from(`kms:${start + limit}`).toString('base64url'), Truncated: true } : { page, Truncated: false };
}

export const keyOps: JsonOperations = {
  async CreateKey(emu, input, info) {
    const policy = input.str('Policy', POLICY);
    const description = input.str('Description', { max: 8192 }) ?? '';
    const keyUsage = input.str('KeyUsage', { enum: ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] }) ?? 'ENCRYPT_DECRYPT';
    const keySpec = input.str('KeySpec') ?? input.str('CustomerMasterKeySpec') ?? 'SYMMETRIC_DEFAULT';
    const origin = input.str('Origin', { enum: ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] }) ?? 'AWS_KMS';
    const bypass = input.bool('BypassPolicyLockoutSafetyCheck') ?? false;
    if (keyUsage !== 'ENCRYPT_DECRYPT' || keySpec !== 'SYMMETRIC_DEFAULT' || origin !== 'AWS_KMS' || input.bool('MultiRegion')) {
      throw new ApiError(
        'UnsupportedOperationException',
        'The emulator creates symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, AWS_KMS origin, single-Region) only.',
      );
    }
    const tags = (input.list('Tags', { max: 50 }) ?? []).map((t) => t as { TagKey?: unknown; TagValue?: unknown });
    if (tags.some((t) => typeof t.TagKey !== 'string' || typeof t.TagValue !== 'string'))
      throw new ApiError('TagException', 'Each tag needs a TagKey and a TagValue.');
    const document = policy ?? defaultKeyPolicy(info);
    if (policy !== undefined) checkKeyPolicy(emu, info, policy, bypass);
    const keyId = randomUUID();
    const key: KmsKey = {
      keyId,
      arn: keyArn(info, keyId),
      region: info.region,
      created: Date.now(),
      description,
      keyUsage,
      keySpec,
      state: 'Enabled',
      policy: document,
      grants: [],
      tags: tags.map((t) => ({ TagKey: String(t.TagKey), TagValue: String(t.TagValue) })),
    };
    keys(emu)[keyId] = key;
    await emu.store.commit();
    return { KeyMetadata: keyMetadata(key) };
  },

  async DescribeKey(emu, input, info) {
    const k = mustKey(emu, info, input.requiredStr('KeyId', KEY_ID));
    authorizeKeyApi(emu, info, k, 'kms:DescribeKey');
    return { KeyMetadata: keyMetadata(k) };
  },

  async ListKeys(emu, input, info) {
    const all = Object.values(keys(emu))
      .filter((k) => k.arn === keyArn(info, k.keyId))
      .sort((a, b) => a.created - b.created || (a.keyId < b.keyId ? -1 : 1));
    const { page, NextMarker, Truncated } = kmsPage(emu, input, all);
    return { Keys: page.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), ...(NextMarker ? { NextMarker } : {}), Truncated };
  },

  async GetKeyPolicy(emu, input, info) {
    const k = mustKey(emu, info, input.requiredStr('KeyId', KEY_ID));
    const name = input.str('PolicyName', POLICY_NAME) ?? 'default';
    authorizeKeyApi(emu, info, k, 'kms:GetKeyPolicy');
    if (name !== 'default') throw new ApiError('NotFoundException', `No such policy exists: ${name}`);
    return { Policy: k.policy, PolicyName: 'default' };
  },

  async PutKeyPolicy(emu, input, info) {
    const k = mustKey(emu, info, input.requiredStr('KeyId', KEY_ID));
    const name = input.str('PolicyName', POLICY_NAME) ?? 'default';
    const policy = input.requiredStr('Policy', POLICY);
    const bypass = input.bool('BypassPolicyLockoutSafetyCheck') ?? false;
    authorizeKeyApi(emu, info, k, 'kms:PutKeyPolicy');
    if (k.state === 'PendingDeletion') throw pendingDeletion(k);
    if (name !== 'default') throw new ApiError('NotFoundException', `No such policy exists: ${name}`);
    checkKeyPolicy(emu, info, policy, bypass);
    k.policy = policy;
    await emu.store.commit();
    return {};
  },

  async ScheduleKeyDeletion(emu, input, info) {
    const k = mustKey(emu, info, input.requiredStr('KeyId', KEY_ID));
    const days = input.int('PendingWindowInDays', { min: 1, max: 365 }) ?? 30;
    authorizeKeyApi(emu, info, k, 'kms:ScheduleKeyDeletion');
    // "If you include a value, it must be between 7 and 30, inclusive."
    if (days < 7 || days > 30)
      throw new ApiError(
        'ValidationException',
        `1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30`,
      );
    if (k.state === 'PendingDeletion') throw pendingDeletion(k);
    k.state = 'PendingDeletion';
    k.pendingWindowInDays = days;
    k.deletionDate = Date.now() + days * 86_400_000;
    await emu.store.commit();
    return { KeyId: k.arn, DeletionDate: seconds(k.deletionDate), KeyState: k.state, PendingWindowInDays: days };
  },
};
