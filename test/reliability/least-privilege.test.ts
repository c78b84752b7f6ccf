import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { GetBucketEncryptionCommand, GetBucketPolicyCommand, GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { endpointWorkspace, startStandalone, type StandaloneEmulator } from './support.js';
import { runCli, show } from '../support/run-cli.js';

/**
 * Least privilege, read back with the real SDK from what `apply` actually created in the emulator; and no
 * credential in anything segflow writes or prints.
 */
const ACCOUNT = '000000000000';
/** The spec's KMS key: a real key in the emulator, which Personalize may only use if the key policy lets it. */
let KMS_KEY = '';

/**
 * A key policy as "Giving Amazon Personalize permission to use your AWS KMS key" asks: the service principal and the
 * pipeline's role may use the key. The role is named by a condition, because a key policy may only name a role
 * that already exists and apply creates the role.
 */
function keyPolicy(roleName: string): string {
  const personalizeActions = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ListGrants'];
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'AllowPersonalize',
        Effect: 'Allow',
        Principal: { Service: 'personalize.amazonaws.com' },
        Action: personalizeActions,
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      },
      {
        Sid: 'AllowThePipelineRole',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: personalizeActions.filter((a) => a !== 'kms:CreateGrant'),
        Resource: '*',
        Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/${roleName}` } },
      },
    ],
  });
}
/**
 * Distinctive credentials that segflow really signs with: the pipelines name the profile `leakcheck`, whose
 * credentials (with a session token) the standalone emulator knows as a session of an administrator role; the same
 * values are in the environment too. None of them may end up in a file or in the output.
 */
const LEAK_CREDS = {
  AWS_ACCESS_KEY_ID: 'AKIAZZLEAKCHECK00001',
  AWS_SECRET_ACCESS_KEY: 'leakcheckSecret/Key+0123456789abcdefLEAK',
  AWS_SESSION_TOKEN: 'leakcheckSessionTokenLEAK0123456789',
};
const LEAK_ROLE = `arn:aws:iam::${ACCOUNT}:role/leakcheck-admin`;
let LEAK_ENV: Record<string, string> = { ...LEAK_CREDS };
const LEAK_PATTERNS: Array<[string, RegExp]> = [
  ['the secret key', /leakcheckSecret/],
  ['the session token', /leakcheckSessionToken/],
  ['an access key id', /\b(AKIA|ASIA)[A-Z0-9]{16}\b/],
  ['a secret-key-shaped value after a key name', /(secret_?access_?key|SecretAccessKey)["'\s:=]+[A-Za-z0-9/+]{20,}/i],
  ['a SigV4 signature', /Signature=[0-9a-f]{64}|AWS4-HMAC-SHA256 Credential=/],
  ['a session token header', /x-amz-security-token/i],
];

const decode = (doc: string | undefined) => JSON.parse(decodeURIComponent(doc ?? '')) as { Statement: Array<Record<string, unknown>> };
const list = (x: unknown): string[] => (x === undefined ? [] : Array.isArray(x) ? (x as string[]) : [x as string]);

async function allFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile()).map((f) => join(f.parentPath, f.name));
}

describe('least privilege: what apply created, read back with the SDK', () => {
  let emu: StandaloneEmulator;
  const outputs: string[] = [];
  const dirs: string[] = [];
  let home = '';
  before(async () => {
    emu = await startStandalone({ args: ['--role-session', `${LEAK_CREDS.AWS_ACCESS_KEY_ID}:${LEAK_CREDS.AWS_SECRET_ACCESS_KEY}:${LEAK_ROLE}`] });
    await emu.aws.iam.send(
      new CreateRoleCommand({
        RoleName: 'leakcheck-admin',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await emu.aws.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'leakcheck-admin',
        PolicyName: 'admin',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
      }),
    );
    // (Not among the scanned directories: this is where the credentials are supposed to be.)
    home = await mkdtemp(join(tmpdir(), 'segflow-leak-home-'));
    await writeFile(
      join(home, 'credentials'),
      `[leakcheck]\naws_access_key_id = ${LEAK_CREDS.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${LEAK_CREDS.AWS_SECRET_ACCESS_KEY}\naws_session_token = ${LEAK_CREDS.AWS_SESSION_TOKEN}\n[wrong]\naws_access_key_id = ${LEAK_CREDS.AWS_ACCESS_KEY_ID}\naws_secret_access_key = notTheSecret\n`,
    );
    await writeFile(join(home, 'config'), '');
    LEAK_ENV = { ...LEAK_CREDS, AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'), AWS_CONFIG_FILE: join(home, 'config') };
    const kms = new KMSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    KMS_KEY = (await kms.send(new CreateKeyCommand({ Description: 'least-privilege test', Policy: keyPolicy('lpkms-personalize-us-east-1') }))).KeyMetadata!
      .Arn!;
    kms.destroy();
  });
  after(async () => {
    await emu.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  for (const kms of [false, true]) {
    const name = kms ? 'lpkms' : 'lp';
    test(`${kms ? 'with a KMS key in the spec' : 'default encryption'}: role, policy and bucket`, async () => {
      const w = await endpointWorkspace(emu.endpoint, { name, profile: 'leakcheck', ...(kms ? { kmsKeyArn: KMS_KEY } : {}) });
      dirs.push(w.dir);
      for (const args of [
        ['plan', w.spec],
        ['apply', w.spec, '--auto-approve'],
        ['apply', w.spec, '--auto-approve', '--json'],
        ['status', w.spec],
        ['status', w.spec, '--json'],
      ]) {
        const r = await runCli(w.dir, args, { env: LEAK_ENV });
        assert.equal(r.code, 0, `${args.join(' ')}: ${show(r)}`);
        outputs.push(r.stdout, r.stderr);
      }
      const bucket = `segflow-${name}`;
      const prefix = `${name}/`;
      const iam = emu.aws.iam;
      const RoleName = `${name}-personalize-us-east-1`;

      // Trust: only Personalize may assume the role, only on behalf of this account.
      const role = (await iam.send(new GetRoleCommand({ RoleName }))).Role!;
      const trust = decode(role.AssumeRolePolicyDocument);
      assert.equal(trust.Statement.length, 1);
      const t = trust.Statement[0]!;
      assert.equal(t['Effect'], 'Allow');
      assert.deepEqual(t['Principal'], { Service: 'personalize.amazonaws.com' });
      assert.deepEqual(list(t['Action']), ['sts:AssumeRole']);
      const cond = t['Condition'] as Record<string, Record<string, string>>;
      assert.equal(cond['StringEquals']?.['aws:SourceAccount'], ACCOUNT);

      // No managed policy; one inline policy with only the S3 actions the pipeline needs, on its own bucket and prefix.
      assert.deepEqual((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies ?? [], []);
      const names = (await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames ?? [];
      assert.equal(names.length, 1, names.join(', '));
      const policy = decode((await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: names[0] }))).PolicyDocument);
      const actions = new Set<string>();
      for (const s of policy.Statement) {
        assert.equal(s['Effect'], 'Allow');
        assert.equal(s['NotAction'], undefined);
        assert.equal(s['NotResource'], undefined);
        for (const a of list(s['Action'])) {
          assert.doesNotMatch(a, /\*/, `wildcard action ${a}`);
          actions.add(a);
        }
        for (const r of list(s['Resource'])) {
          if (r.startsWith('arn:aws:kms:')) {
            assert.equal(r, KMS_KEY);
            assert.ok(kms, 'a KMS grant without a KMS key in the spec');
            // What Personalize documents for a KMS-encrypted bucket (granting-personalize-key-access.html).
            assert.deepEqual(list(s['Action']).sort(), ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:ListGrants']);
            continue;
          }
          assert.ok(r === `arn:aws:s3:::${bucket}` || r.startsWith(`arn:aws:s3:::${bucket}/${prefix}`), `resource outside the bucket and prefix: ${r}`);
          // The only wildcard allowed is a trailing one under the pipeline's prefix.
          assert.ok(
            !r.slice(0, -1).includes('*') && (r === `arn:aws:s3:::${bucket}` || r.length > `arn:aws:s3:::${bucket}/${prefix}`.length),
            `broad resource ${r}`,
          );
          if (r === `arn:aws:s3:::${bucket}`) {
            assert.deepEqual(list(s['Action']), ['s3:ListBucket']);
            const like = (s['Condition'] as Record<string, Record<string, unknown>>)?.['StringLike']?.['s3:prefix'];
            assert.ok(
              list(like).length > 0 && list(like).every((p) => p.startsWith(prefix)),
              `ListBucket not limited to the prefix: ${JSON.stringify(s['Condition'])}`,
            );
          }
        }
      }
      const s3Actions = [...actions].filter((a) => a.startsWith('s3:')).sort();
      assert.deepEqual(s3Actions, ['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
      assert.deepEqual(
        [...actions].filter((a) => !a.startsWith('s3:') && !a.startsWith('kms:')),
        [],
      );
      if (kms) assert.ok(actions.has('kms:Decrypt'));

      // The bucket: all public access blocked, default encryption, TLS only.
      const pab = (await emu.aws.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration!;
      assert.deepEqual([pab.BlockPublicAcls, pab.IgnorePublicAcls, pab.BlockPublicPolicy, pab.RestrictPublicBuckets], [true, true, true, true]);
      const enc = (await emu.aws.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration!;
      const byDefault = enc.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
      if (kms) assert.deepEqual([byDefault?.SSEAlgorithm, byDefault?.KMSMasterKeyID], ['aws:kms', KMS_KEY]);
      else assert.equal(byDefault?.SSEAlgorithm, 'AES256');
      const bp = JSON.parse((await emu.aws.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '{}') as {
        Statement: Array<Record<string, unknown>>;
      };
      const denyPlain = bp.Statement.find(
        (s) =>
          s['Effect'] === 'Deny' &&
          s['Principal'] === '*' &&
          list(s['Action']).includes('s3:*') &&
          (s['Condition'] as Record<string, Record<string, unknown>>)?.['Bool']?.['aws:SecureTransport'] === 'false',
      );
      assert.ok(denyPlain, `no deny of non-TLS requests: ${JSON.stringify(bp)}`);
      assert.deepEqual(list(denyPlain['Resource']).sort(), [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]);
      // Batch workflows need the bucket policy to let Personalize itself in as well: only that service, only for
      // this account, only the same actions and places as the role.
      for (const s of bp.Statement.filter((x) => x['Effect'] !== 'Deny')) {
        assert.equal(s['Effect'], 'Allow');
        assert.deepEqual(s['Principal'], { Service: 'personalize.amazonaws.com' }, `bucket policy grants to ${JSON.stringify(s['Principal'])}`);
        assert.equal((s['Condition'] as Record<string, Record<string, string>>)?.['StringEquals']?.['aws:SourceAccount'], ACCOUNT);
        for (const a of list(s['Action'])) assert.ok(['s3:GetObject', 's3:ListBucket', 's3:PutObject'].includes(a), `bucket policy action ${a}`);
        for (const r of list(s['Resource'])) {
          assert.ok(
            r === `arn:aws:s3:::${bucket}` || (r.startsWith(`arn:aws:s3:::${bucket}/${prefix}`) && !r.slice(0, -1).includes('*')),
            `bucket policy resource ${r}`,
          );
          if (list(s['Action']).includes('s3:PutObject'))
            assert.ok(r.startsWith(`arn:aws:s3:::${bucket}/${prefix}output/`), `write outside the output folder: ${r}`);
        }
      }

      const d = await runCli(w.dir, ['destroy', w.spec, '--auto-approve'], { env: LEAK_ENV });
      assert.equal(d.code, 0, show(d));
      outputs.push(d.stdout, d.stderr);
    });
  }

  test('no credential in .segflow/ (state, work files, reports, logs) or in the CLI output', async () => {
    assert.ok(dirs.length >= 2 && outputs.length > 0, 'the pipelines above ran');
    // The patterns do catch the values they look for.
    assert.ok(
      LEAK_PATTERNS[0]![1].test(LEAK_CREDS.AWS_SECRET_ACCESS_KEY) &&
        LEAK_PATTERNS[2]![1].test(LEAK_CREDS.AWS_ACCESS_KEY_ID) &&
        LEAK_PATTERNS[1]![1].test(LEAK_CREDS.AWS_SESSION_TOKEN),
    );
    // Failure paths print errors: an unreachable endpoint, and a signature the emulator refuses (the profile's
    // secret is wrong: which also shows that segflow signs with the profile, not with the emulator's test keys).
    const down = await endpointWorkspace('http://127.0.0.1:9', { name: 'lpdown', profile: 'leakcheck' });
    dirs.push(down.dir);
    const r = await runCli(down.dir, ['apply', down.spec, '--auto-approve'], { env: { ...LEAK_ENV, SEGFLOW_DEBUG: '1' } });
    assert.notEqual(r.code, 0);
    outputs.push(r.stdout, r.stderr);
    const wrong = await endpointWorkspace(emu.endpoint, { name: 'lpwrong', profile: 'wrong' });
    dirs.push(wrong.dir);
    const refused = await runCli(wrong.dir, ['plan', wrong.spec], { env: { ...LEAK_ENV, SEGFLOW_DEBUG: '1' } });
    assert.equal(refused.code, 1, show(refused));
    assert.match(refused.stderr, /AWS_CREDENTIALS: cannot identify the AWS account .*SignatureDoesNotMatch|signature/i);
    outputs.push(refused.stdout, refused.stderr);
    const leaks: string[] = [];
    let files = 0;
    for (const dir of dirs) {
      for (const f of await allFiles(dir)) {
        files++;
        const text = await readFile(f, 'latin1');
        for (const [what, re] of LEAK_PATTERNS) if (re.test(text)) leaks.push(`${what} in ${f}`);
      }
    }
    outputs.forEach((o, i) => {
      for (const [what, re] of LEAK_PATTERNS) if (re.test(o)) leaks.push(`${what} in CLI output #${i}`);
    });
    console.log(`leak check: ${files} files and ${outputs.length} CLI outputs scanned, leaks found ${leaks.length}`);
    assert.deepEqual(leaks, []);
  });
});
