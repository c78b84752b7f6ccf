/**
 * Test support: the SDK adapters (createPorts) against an in-process emulator in a temporary directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type FaultSpec, type RunningEmulator } from '../../src/emulator/index.js';
import { createPorts } from '../../src/aws/create-ports.js';
import type { AwsPorts } from '../../src/aws/ports.js';
import { ACCOUNT, confusedDeputyTrustPolicy, personalizeBucketPolicy, personalizeRolePolicy } from './emulator.js';

export const TEST_REGION = 'eu-west-1';

export interface EmulatorPortsOptions {
  maxAttempts?: number;
  faults?: FaultSpec;
}

export async function withEmulatorPorts<T>(
  fn: (ports: AwsPorts, emu: RunningEmulator, dataDir: string) => Promise<T>,
  options: EmulatorPortsOptions = {},
): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'segflow-ports-'));
  const emu = await startEmulator({ dataDir, port: 0, lifecycle: 'fast', ...(options.faults ? { faults: options.faults } : {}) });
  const ports = createPorts({ target: { kind: 'local', region: TEST_REGION }, endpoint: emu.endpoint, maxAttempts: options.maxAttempts ?? 3 });
  try {
    return await fn(ports, emu, dataDir);
  } finally {
    ports.close();
    await emu.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Through the ports: everything AWS documents for Personalize to read and write `bucket` through a role (the
 * confused-deputy trust policy, the role's S3 policy, the bucket policy for the service). Returns the role's ARN.
 */
export async function grantPersonalizeVia(ports: Pick<AwsPorts, 'iam' | 's3'>, bucket: string, roleName = 'segflow-role'): Promise<string> {
  const arn = await ports.iam.createRole({ name: roleName, trustPolicy: confusedDeputyTrustPolicy(ACCOUNT, TEST_REGION), description: 'test', tags: {} });
  await ports.iam.putRolePolicy(roleName, 's3-access', personalizeRolePolicy(bucket));
  await ports.s3.putBucketPolicy(bucket, personalizeBucketPolicy(bucket));
  return arn;
}
