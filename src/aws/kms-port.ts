/**
 * KmsPort over @aws-sdk/client-kms: is the bucket's key there, enabled, and what does its policy allow.
 * KMS calls an absent key NotFoundException (kms service-2.json); it reads as undefined.
 */
import { DescribeKeyCommand, GetKeyPolicyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { PortCalls } from './port-call.js';
import type { KeyInfo, KmsPort } from './ports.js';

export function sdkKmsPort(client: KMSClient): KmsPort {
  const c = new PortCalls('kms');
  return {
    describeKey: (keyId) =>
      c.read('DescribeKey', async () => {
        const k = (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
        const key: KeyInfo = { arn: k?.Arn ?? '', keyId: k?.KeyId ?? keyId, enabled: k?.Enabled === true };
        if (k?.KeyState) key.keyState = k.KeyState;
        return key;
      }),
    // Every key has exactly one policy, named "default".
    getKeyPolicy: (keyId) =>
      c.read('GetKeyPolicy', async () => (await client.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy ?? ''),
  };
}
