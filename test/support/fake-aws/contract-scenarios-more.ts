/**
 * The rest of the contract (see contract-scenarios.ts): S3 tagging, versioning, lifecycle and pinned reads, IAM
 * permissions boundaries and the policy simulator, and KMS keys.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRUST_POLICY } from '../emulator.js';
import { B, normalize, outcome, type Scenario } from './contract-scenarios.js';

const doc = (Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

export const moreContractScenarios: Scenario[] = [
  {
    name: 's3: bucket tagging, versioning and versions, lifecycle rules, multipart uploads, reads pinned to an ETag',
    async run({ s3 }, env) {
      const obs: Record<string, unknown> = {};
      await s3.createBucket(B);
      obs['untagged'] = [await s3.getBucketTagging(B), await s3.getBucketVersioning(B), await s3.getBucketLifecycleRuleIds(B)];
      await s3.putBucketTagging(B, { team: 'growth', 'segflow:pipeline': 'demo' });
      await s3.putBucketLifecycle(B, [{ id: 'abort', prefix: '', abortIncompleteUploadsAfterDays: 7 }]);
      obs['configured'] = [await s3.getBucketTagging(B), await s3.getBucketLifecycleRuleIds(B)];
      const first = await s3.putObject(B, 'k', { data: 'one' });
      obs['unversioned'] = normalize((await s3.listObjectVersions(B, '')).map((v) => ({ ...v, versionId: v.versionId === 'null' ? 'null' : '<id>' })));
      await env.enableVersioning(B);
      await s3.putObject(B, 'k', { data: 'two' });
      obs['versioned'] = [await s3.getBucketVersioning(B), (await s3.listObjectVersions(B, 'k')).map((v) => [v.key, v.isLatest, v.isDeleteMarker])];
      const dir = await mkdtemp(join(tmpdir(), 'segflow-contract-'));
      try {
        obs['pinned'] = [
          await outcome(s3.downloadObject(B, 'k', join(dir, 'old'), { ifMatch: first.etag })),
          normalize(await s3.downloadObject(B, 'k', join(dir, 'new'))) !== undefined,
          await s3.downloadObject(B, 'absent', join(dir, 'absent')),
        ];
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      obs['uploads'] = [await s3.listMultipartUploads(B, ''), await outcome(s3.abortMultipartUpload(B, 'k', 'no-such-upload'))];
      const versions = await s3.listObjectVersions(B, '');
      await s3.deleteObjects(
        B,
        versions.map((v) => ({ key: v.key, versionId: v.versionId })),
      );
      await s3.deleteBucket(B);
      return obs;
    },
  },
  {
    name: 'iam: a role created within a permissions boundary, the boundary set again, and what the simulator decides',
    async run({ iam }, env) {
      const obs: Record<string, unknown> = {};
      const boundary = await env.createPolicy('boundary', doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }]));
      const other = await env.createPolicy('other', doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]));
      obs['missing'] = await outcome(
        iam.createRole({ name: 'nb', trustPolicy: TRUST_POLICY, description: '', tags: {}, permissionsBoundary: 'arn:aws:iam::000000000000:policy/none' }),
      );
      await iam.createRole({ name: 'bounded', trustPolicy: TRUST_POLICY, description: '', tags: {}, permissionsBoundary: boundary });
      await iam.putRolePolicy('bounded', 'admin', doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]));
      const arn = (await iam.getRole('bounded'))!.arn;
      obs['boundary'] = (await iam.getRole('bounded'))?.permissionsBoundary;
      obs['decisions'] = [
        await iam.simulatePrincipalPolicy({ roleArn: arn, actions: ['s3:GetObject', 's3:PutObject'], resource: 'arn:aws:s3:::data/k' }),
        await iam.simulatePrincipalPolicy({ roleArn: arn, actions: ['iam:CreateUser'], resource: '*' }),
      ];
      await iam.putRolePermissionsBoundary('bounded', other);
      obs['widened'] = [
        (await iam.getRole('bounded'))?.permissionsBoundary === other,
        await iam.simulatePrincipalPolicy({ roleArn: arn, actions: ['iam:CreateUser'], resource: '*' }),
      ];
      obs['refused'] = [
        await outcome(iam.putRolePermissionsBoundary('bounded', 'arn:aws:iam::000000000000:policy/none')),
        await outcome(iam.simulatePrincipalPolicy({ roleArn: 'arn:aws:iam::000000000000:role/none', actions: ['s3:GetObject'], resource: '*' })),
      ];
      await iam.deleteRolePolicy('bounded', 'admin');
      await iam.deleteRole('bounded');
      return obs;
    },
  },
  {
    name: 'kms: a key and its policy, absent keys',
    async run({ kms }, env) {
      const policy = doc([
        { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'kms:*', Resource: '*' },
      ]);
      const arn = await env.createKey(policy);
      const key = await kms.describeKey(arn);
      return {
        key: { ...key, arn: key?.arn === arn, keyId: key?.keyId === arn.split('/').pop() },
        policy: JSON.parse((await kms.getKeyPolicy(arn)) ?? 'null') as unknown,
        absent: [
          await kms.describeKey('arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-0000-0000-000000000000'),
          await kms.getKeyPolicy('00000000-0000-0000-0000-000000000000'),
        ],
      };
    },
  },
];
