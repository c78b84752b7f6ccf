/**
 * Test support (used only by *.test.ts): an emulator in a temporary directory and real SDK clients pointed at it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';

export const REGION = 'eu-west-1';
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

// A type, not an interface: Object.values(clients) then knows every value is a client.
export type Clients = {
  personalize: PersonalizeClient;
  s3: S3Client;
  iam: IAMClient;
  sts: STSClient;
  kms: KMSClient;
};

export function clientsFor(endpoint: string, credentials = CREDENTIALS, region = REGION): Clients {
  const common = { endpoint, region, credentials, maxAttempts: 1 };
  return {
    personalize: new PersonalizeClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
    iam: new IAMClient(common),
    sts: new STSClient(common),
    kms: new KMSClient(common),
  };
}

export async function tempDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'segflow-emu-'));
}

export async function withEmulator<T>(
  fn: (emu: RunningEmulator, clients: Clients, dataDir: string) => Promise<T>,
  options: Partial<EmulatorOptions> = {},
): Promise<T> {
  const dataDir = options.dataDir ?? (await tempDataDir());
  const emu = await startEmulator({ lifecycle: 'fast', ...options, dataDir });
  const clients = clientsFor(emu.endpoint);
  try {
    return await fn(emu, clients, dataDir);
  } finally {
    for (const c of Object.values(clients)) c.destroy();
    await emu.close();
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

/** Polls `read` until `done` holds (fast lifecycle: statuses move every ~20 ms). */
export async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Deterministic interactions CSV meeting the service minimums: `users` users, each with `perUser` items. */
export function interactionsCsv(users = 60, perUser = 20, items = 40): string {
  const lines = ['USER_ID,ITEM_ID,TIMESTAMP'];
  let t = 1_600_000_000;
  for (let u = 0; u < users; u++) {
    for (let k = 0; k < perUser; k++) {
      const item = (u * 7 + k * 3) % items;
      lines.push(`u${u},i${item},${t++}`);
    }
  }
  return lines.join('\n') + '\n';
}

export const INTERACTIONS_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Interactions',
  namespace: 'com.amazonaws.personalize.schema',
  fields: [
    { name: 'USER_ID', type: 'string' },
    { name: 'ITEM_ID', type: 'string' },
    { name: 'TIMESTAMP', type: 'long' },
  ],
  version: '1.0',
});

export const ITEMS_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Items',
  namespace: 'com.amazonaws.personalize.schema',
  fields: [
    { name: 'ITEM_ID', type: 'string' },
    { name: 'CATEGORY', type: ['null', 'string'], categorical: true },
  ],
  version: '1.0',
});

export const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'personalize.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export const ACCOUNT = '000000000000';

/** Where a test works: an account, a region and that region's partition (given, never computed by the emulator's code). */
export interface TestScope {
  account: string;
  region: string;
  partition: string;
}

/** The role policy AWS documents for batch workflows ("Service role policy for batch workflows"). */
export function personalizeRolePolicy(bucket: string, partition = 'aws'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:ListBucket', 's3:PutObject'],
        Resource: [`arn:${partition}:s3:::${bucket}`, `arn:${partition}:s3:::${bucket}/*`],
      },
    ],
  });
}

/** The bucket policy AWS documents for batch workflows ("Amazon S3 bucket policy for batch workflows"). */
export function personalizeBucketPolicy(bucket: string, partition = 'aws'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'PersonalizeS3BucketAccessPolicy',
    Statement: [
      {
        Sid: 'PersonalizeS3BucketAccessPolicy',
        Effect: 'Allow',
        Principal: { Service: 'personalize.amazonaws.com' },
        Action: ['s3:GetObject', 's3:ListBucket', 's3:PutObject'],
        Resource: [`arn:${partition}:s3:::${bucket}`, `arn:${partition}:s3:::${bucket}/*`],
      },
    ],
  });
}

/** The trust policy of "Cross-service confused deputy prevention". */
export function confusedDeputyTrustPolicy(account = ACCOUNT, region = REGION, partition = 'aws'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: ['personalize.amazonaws.com'] },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': account }, StringLike: { 'aws:SourceArn': `arn:${partition}:personalize:${region}:${account}:*` } },
      },
    ],
  });
}

/**
 * Everything AWS documents for Personalize to read and write `bucket` through a role: the role (confused-deputy
 * trust policy), its S3 policy, and the bucket policy for the service. Returns the role's ARN.
 */
export async function grantPersonalize(
  c: Clients,
  bucket: string,
  roleName = 'segflow-role',
  scope: TestScope = { account: ACCOUNT, region: REGION, partition: 'aws' },
): Promise<string> {
  const { CreateRoleCommand, PutRolePolicyCommand } = await import('@aws-sdk/client-iam');
  const { PutBucketPolicyCommand } = await import('@aws-sdk/client-s3');
  const trust = confusedDeputyTrustPolicy(scope.account, scope.region, scope.partition);
  const role = await c.iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trust }));
  await c.iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 's3-access', PolicyDocument: personalizeRolePolicy(bucket, scope.partition) }));
  await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: personalizeBucketPolicy(bucket, scope.partition) }));
  return role.Role!.Arn!;
}

/** How an SDK request failed (error name, HTTP status, message); fails the test when it did not. */
export async function failure(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('expected the request to fail');
}
