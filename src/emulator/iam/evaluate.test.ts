import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, type Principal, type Request } from './evaluate.js';
import { evaluateCondition } from './conditions.js';
import { parsePolicy } from './policy.js';

/**
 * Cases from the IAM User Guide: "Policy evaluation logic", "Policy evaluation for requests within a single
 * account" (the carlossalazar example), "Condition operators", "Single-valued vs. multivalued context keys",
 * and the Principal / NotPrincipal / NotAction / NotResource element pages.
 */
const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const role = (name: string, account = ACCOUNT): Principal => ({
  kind: 'role',
  account,
  roleArn: `arn:aws:iam::${account}:role/${name}`,
  sessionArn: `arn:aws:sts::${account}:assumed-role/${name}/session`,
});
const carlos = role('carlossalazar');
const req = (principal: Principal, action: string, resource: string, context: Request['context'] = {}): Request => ({ principal, action, resource, context });

const carlosPolicy = parsePolicy({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowS3ListRead',
      Effect: 'Allow',
      Action: ['s3:GetBucketLocation', 's3:GetAccountPublicAccessBlock', 's3:ListAccessPoints', 's3:ListAllMyBuckets'],
      Resource: 'arn:aws:s3:::*',
    },
    {
      Sid: 'AllowS3Self',
      Effect: 'Allow',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*', 'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar'],
    },
    { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*log*' },
  ],
});
const logsBucketPolicy = parsePolicy({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowS3PutObject',
      Effect: 'Allow',
      Principal: { AWS: carlos.kind === 'role' ? carlos.roleArn : '' },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/*',
    },
  ],
});

describe('policy evaluation logic', () => {
  it('the single-account example: an explicit Deny in the identity policy overrides the bucket policy Allow', () => {
    const put = (resource: string, resourcePolicy?: typeof logsBucketPolicy) =>
      authorize({ request: req(carlos, 's3:PutObject', resource), identityPolicies: [carlosPolicy], resourcePolicy, resourceAccount: ACCOUNT });
    assert.deepEqual(put('arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/file.txt', logsBucketPolicy), {
      allowed: false,
      reason: 'explicit-deny',
      deniedBy: 'DenyS3Logs',
      in: 'identity-based policy',
    });
    assert.deepEqual(put('arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/file.txt'), { allowed: true });
    assert.deepEqual(
      authorize({ request: req(carlos, 's3:GetBucketLocation', 'arn:aws:s3:::any-bucket'), identityPolicies: [carlosPolicy], resourceAccount: ACCOUNT }),
      { allowed: true },
    );
  });

  it('within one account, either an identity-based or a resource-based Allow is enough', () => {
    const other = role('maria');
    const bucketPolicy = parsePolicy({
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/maria' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' }],
    });
    assert.deepEqual(authorize({ request: req(other, 's3:GetObject', 'arn:aws:s3:::shared/a'), resourcePolicy: bucketPolicy, resourceAccount: ACCOUNT }), {
      allowed: true,
    });
    assert.equal(
      authorize({ request: req(other, 's3:PutObject', 'arn:aws:s3:::shared/a'), resourcePolicy: bucketPolicy, resourceAccount: ACCOUNT }).allowed,
      false,
    );
  });

  it('denies by default', () => {
    assert.deepEqual(authorize({ request: req(carlos, 's3:GetObject', 'arn:aws:s3:::b/k'), identityPolicies: [], resourceAccount: ACCOUNT }), {
      allowed: false,
      reason: 'implicit-deny',
    });
  });

  it('across accounts both the identity policy and the resource policy must allow', () => {
    const visitor = role('visitor', OTHER);
    const identity = parsePolicy({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    const toAccount = parsePolicy({ Statement: [{ Effect: 'Allow', Principal: { AWS: OTHER }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] });
    const decide = (identityPolicies: (typeof identity)[], resourcePolicy?: typeof toAccount) =>
      authorize({ request: req(visitor, 's3:GetObject', 'arn:aws:s3:::b/k'), identityPolicies, resourcePolicy, resourceAccount: ACCOUNT }).allowed;
    assert.equal(decide([identity], toAccount), true);
    assert.equal(decide([identity]), false);
    assert.equal(decide([], toAccount), false);
  });

  it('a resource policy naming only the account delegates to the account (an Allow) and covers all of it (a Deny)', () => {
    const toRoot = parsePolicy({ Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 's3:*', Resource: '*' }] });
    assert.equal(authorize({ request: req(carlos, 's3:GetObject', 'arn:aws:s3:::b/k'), resourcePolicy: toRoot, resourceAccount: ACCOUNT }).allowed, false);
    assert.equal(
      authorize({
        request: req({ kind: 'root', account: ACCOUNT, partition: 'aws' }, 's3:GetObject', 'arn:aws:s3:::b/k'),
        resourcePolicy: toRoot,
        resourceAccount: ACCOUNT,
      }).allowed,
      true,
    );
    const denyAccount = parsePolicy({ Statement: [{ Effect: 'Deny', Principal: { AWS: ACCOUNT }, Action: 's3:*', Resource: '*' }] });
    const allowAll = parsePolicy({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    assert.equal(
      authorize({
        request: req(carlos, 's3:GetObject', 'arn:aws:s3:::b/k'),
        identityPolicies: [allowAll],
        resourcePolicy: denyAccount,
        resourceAccount: ACCOUNT,
      }).allowed,
      false,
    );
  });

  it('a service principal needs the resource policy to name it (service names are case-sensitive)', () => {
    const personalize: Principal = { kind: 'service', service: 'personalize.amazonaws.com' };
    const grant = (service: string) =>
      parsePolicy({
        Statement: [
          { Effect: 'Allow', Principal: { Service: service }, Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] },
        ],
      });
    assert.equal(
      authorize({ request: req(personalize, 's3:GetObject', 'arn:aws:s3:::b/k'), resourcePolicy: grant('personalize.amazonaws.com'), resourceAccount: ACCOUNT })
        .allowed,
      true,
    );
    assert.equal(
      authorize({ request: req(personalize, 's3:GetObject', 'arn:aws:s3:::b/k'), resourcePolicy: grant('Personalize.amazonaws.com'), resourceAccount: ACCOUNT })
        .allowed,
      false,
    );
    assert.equal(authorize({ request: req(personalize, 's3:GetObject', 'arn:aws:s3:::b/k'), resourceAccount: ACCOUNT }).allowed, false);
  });
});

describe('policy elements', () => {
  const allowed = (statement: object, action: string, resource: string, principal: Principal = carlos, context: Request['context'] = {}) =>
    authorize({ request: req(principal, action, resource, context), identityPolicies: [parsePolicy({ Statement: [statement] })], resourceAccount: ACCOUNT })
      .allowed;

  it('Action matches case-insensitively with * and ?; Resource case-sensitively', () => {
    assert.equal(allowed({ Effect: 'Allow', Action: 'S3:getobj*', Resource: '*' }, 's3:GetObject', 'arn:aws:s3:::b/k'), true);
    assert.equal(allowed({ Effect: 'Allow', Action: 's3:?etObject', Resource: '*' }, 's3:GetObject', 'arn:aws:s3:::b/k'), true);
    assert.equal(allowed({ Effect: 'Allow', Action: 's3:?etObject', Resource: '*' }, 's3:PutObjectAcl', 'arn:aws:s3:::b/k'), false);
    assert.equal(allowed({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::Bucket/*' }, 's3:GetObject', 'arn:aws:s3:::bucket/k'), false);
    assert.equal(allowed({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b?cket/*' }, 's3:GetObject', 'arn:aws:s3:::bucket/k'), true);
  });

  it('the AWS managed AmazonPersonalizeFullAccess S3 statement covers buckets whose names contain personalize only', () => {
    const statement = {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::*Personalize*', 'arn:aws:s3:::*personalize*'],
    };
    assert.equal(allowed(statement, 's3:ListBucket', 'arn:aws:s3:::my-personalize-data'), true);
    assert.equal(allowed(statement, 's3:GetObject', 'arn:aws:s3:::my-personalize-data/x.csv'), true);
    assert.equal(allowed(statement, 's3:ListBucket', 'arn:aws:s3:::segflow-online-retail'), false);
  });

  it('NotAction: a Deny of everything but IAM (the MFA example) leaves IAM alone', () => {
    const policy = parsePolicy({
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
      ],
    });
    const decide = (action: string, context: Request['context']) =>
      authorize({ request: req(carlos, action, '*', context), identityPolicies: [policy], resourceAccount: ACCOUNT }).allowed;
    assert.equal(decide('s3:GetObject', {}), false);
    assert.equal(decide('iam:GetRole', {}), true);
    assert.equal(decide('s3:GetObject', { 'aws:MultiFactorAuthPresent': 'true' }), true);
  });

  it('NotResource: everything except the payroll folder', () => {
    const statement = { Effect: 'Allow', Action: 's3:*', NotResource: ['arn:aws:s3:::HRBucket/Payroll', 'arn:aws:s3:::HRBucket/Payroll/*'] };
    assert.equal(allowed(statement, 's3:GetObject', 'arn:aws:s3:::HRBucket/Staff/a'), true);
    assert.equal(allowed(statement, 's3:GetObject', 'arn:aws:s3:::HRBucket/Payroll/a'), false);
  });

  it('NotPrincipal with Deny denies everyone but the named principal', () => {
    const bob = role('Bob');
    const policy = parsePolicy({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
        { Effect: 'Deny', NotPrincipal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/Bob`] }, Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] },
      ],
    });
    const decide = (p: Principal) =>
      authorize({ request: req(p, 's3:GetObject', 'arn:aws:s3:::b/k'), resourcePolicy: policy, resourceAccount: ACCOUNT }).allowed;
    assert.equal(decide(bob), true);
    assert.equal(decide(carlos), false);
    assert.equal(decide({ kind: 'service', service: 'personalize.amazonaws.com' }), false);
  });

  it('a permissions boundary caps what the identity policies allow', () => {
    const boundary = parsePolicy({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    const everything = parsePolicy({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    const decide = (action: string) =>
      authorize({ request: req(carlos, action, 'arn:aws:s3:::b/k'), identityPolicies: [everything], boundary, resourceAccount: ACCOUNT }).allowed;
    assert.equal(decide('s3:GetObject'), true);
    assert.equal(decide('s3:PutObject'), false);
  });
});

describe('condition operators', () => {
  const holds = (operator: string, key: string, values: string | string[], context: Request['context']) =>
    evaluateCondition({ operator, key, values: Array.isArray(values) ? values : [values] }, context);

  it('String operators: case, wildcards, several values (OR), absent keys, keys case-insensitive', () => {
    assert.equal(holds('StringEquals', 'aws:SourceAccount', '111122223333', { 'aws:SourceAccount': '111122223333' }), true);
    assert.equal(holds('StringEquals', 'AWS:sourceaccount', '111122223333', { 'aws:SourceAccount': '111122223333' }), true);
    assert.equal(holds('StringEquals', 'aws:PrincipalTag/job', 'Admin', { 'aws:PrincipalTag/job': 'admin' }), false);
    assert.equal(holds('StringEqualsIgnoreCase', 'aws:PrincipalTag/job', 'Admin', { 'aws:PrincipalTag/job': 'admin' }), true);
    assert.equal(holds('StringEquals', 'k', ['a', 'b'], { k: 'b' }), true);
    assert.equal(holds('StringEquals', 'k', 'a', {}), false);
    assert.equal(holds('StringNotEquals', 'k', ['a', 'b'], { k: 'b' }), false);
    assert.equal(holds('StringNotEquals', 'k', ['a', 'b'], { k: 'c' }), true);
    assert.equal(holds('StringNotEquals', 'k', 'a', {}), true);
    assert.equal(holds('StringNotEqualsIgnoreCase', 'k', 'A', { k: 'a' }), false);
    assert.equal(holds('StringLike', 's3:prefix', ['', 'home/', 'home/*'], { 's3:prefix': 'home/carlos/' }), true);
    assert.equal(holds('StringLike', 's3:prefix', 'home/*', { 's3:prefix': 'private/x' }), false);
    assert.equal(holds('StringLike', 'k', 'a?c', { k: 'abc' }), true);
    assert.equal(holds('StringNotLike', 'k', 'a*', { k: 'abc' }), false);
    assert.equal(holds('StringNotLike', 'k', 'a*', {}), true);
  });

  it('IfExists: an absent key passes (the ec2:InstanceType example), a present one is evaluated', () => {
    assert.equal(holds('StringLikeIfExists', 'ec2:InstanceType', ['t1.*', 't2.*', 'm3.*'], {}), true);
    assert.equal(holds('StringLikeIfExists', 'ec2:InstanceType', ['t1.*', 't2.*', 'm3.*'], { 'ec2:InstanceType': 't2.micro' }), true);
    assert.equal(holds('StringLikeIfExists', 'ec2:InstanceType', ['t1.*', 't2.*', 'm3.*'], { 'ec2:InstanceType': 'c5.large' }), false);
    assert.equal(holds('StringEqualsIfExists', 'k', 'a', {}), true);
    assert.equal(holds('ArnLikeIfExists', 'aws:SourceArn', 'arn:aws:personalize:*:111122223333:*', {}), true);
    assert.equal(holds('BoolIfExists', 'aws:MultiFactorAuthPresent', 'false', {}), true);
  });

  it('Arn operators compare the six ARN parts with wildcards (the confused-deputy example)', () => {
    const src = { 'aws:SourceArn': 'arn:aws:personalize:eu-west-1:111122223333:dataset-import-job/x' };
    assert.equal(holds('ArnLike', 'aws:SourceArn', 'arn:aws:personalize:eu-west-1:111122223333:*', src), true);
    assert.equal(holds('ArnEquals', 'aws:SourceArn', 'arn:aws:personalize:eu-west-1:111122223333:*', src), true);
    assert.equal(holds('ArnLike', 'aws:SourceArn', 'arn:aws:personalize:us-east-1:111122223333:*', src), false);
    assert.equal(holds('ArnLike', 'aws:SourceArn', 'arn:aws:personalize:*:444455556666:*', src), false);
    assert.equal(holds('ArnNotLike', 'aws:SourceArn', 'arn:aws:personalize:*:444455556666:*', src), true);
    assert.equal(holds('ArnNotEquals', 'aws:SourceArn', 'arn:aws:personalize:*:111122223333:*', src), false);
    assert.equal(holds('ArnLike', 'aws:SourceArn', 'arn:aws:personalize:*:111122223333:*', {}), false);
    assert.equal(holds('ArnLike', 'aws:SourceArn', 'arn:aws:*', { 'aws:SourceArn': 'not-an-arn' }), false);
  });

  it('Bool (the aws:SecureTransport example) and Null (the aws:TokenIssueTime example)', () => {
    assert.equal(holds('Bool', 'aws:SecureTransport', 'false', { 'aws:SecureTransport': 'false' }), true);
    assert.equal(holds('Bool', 'aws:SecureTransport', 'false', { 'aws:SecureTransport': 'true' }), false);
    assert.equal(holds('Bool', 'aws:SecureTransport', 'false', {}), false);
    assert.equal(holds('Null', 'aws:TokenIssueTime', 'true', {}), true);
    assert.equal(holds('Null', 'aws:TokenIssueTime', 'true', { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }), false);
    assert.equal(holds('Null', 'aws:TokenIssueTime', 'false', { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }), true);
  });

  it('ForAllValues / ForAnyValue over a multivalued key (the aws:TagKeys examples)', () => {
    const allowedKeys = ['environment', 'cost-center'];
    assert.equal(holds('ForAllValues:StringEquals', 'aws:TagKeys', allowedKeys, { 'aws:TagKeys': ['environment'] }), true);
    assert.equal(holds('ForAllValues:StringEquals', 'aws:TagKeys', allowedKeys, { 'aws:TagKeys': ['environment', 'owner'] }), false);
    assert.equal(holds('ForAllValues:StringEquals', 'aws:TagKeys', allowedKeys, {}), true);
    assert.equal(holds('ForAnyValue:StringEquals', 'aws:TagKeys', allowedKeys, { 'aws:TagKeys': ['owner', 'cost-center'] }), true);
    assert.equal(holds('ForAnyValue:StringEquals', 'aws:TagKeys', allowedKeys, { 'aws:TagKeys': ['owner'] }), false);
    assert.equal(holds('ForAnyValue:StringEquals', 'aws:TagKeys', allowedKeys, {}), false);
    assert.equal(holds('ForAllValues:StringLike', 'aws:TagKeys', 'key*', { 'aws:TagKeys': ['key1', 'key2'] }), true);
    assert.equal(holds('ForAnyValue:StringNotEquals', 'aws:TagKeys', allowedKeys, { 'aws:TagKeys': ['environment', 'owner'] }), true);
    assert.equal(holds('ForAllValues:StringNotEquals', 'aws:TagKeys', allowedKeys, { 'aws:TagKeys': ['environment', 'owner'] }), false);
  });

  it('all keys and all operators of a statement must hold; an unknown operator never loosens a policy', () => {
    const policy = (effect: string, condition: object) => parsePolicy({ Statement: [{ Effect: effect, Action: 's3:*', Resource: '*', Condition: condition }] });
    const context = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': 'arn:aws:personalize:eu-west-1:111122223333:batch-segment-job/j' };
    const decide = (p: ReturnType<typeof policy>) =>
      authorize({ request: req(carlos, 's3:GetObject', 'x', context), identityPolicies: [p], resourceAccount: ACCOUNT }).allowed;
    assert.equal(
      decide(policy('Allow', { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': 'arn:aws:personalize:eu-west-1:111122223333:*' } })),
      true,
    );
    assert.equal(decide(policy('Allow', { StringEquals: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': 'nope' } })), false);
    assert.equal(decide(policy('Allow', { NoSuchOperator: { 'aws:SourceAccount': ACCOUNT } })), false);
    const allowAll = parsePolicy({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const withDeny = authorize({
      request: req(carlos, 's3:GetObject', 'x', context),
      identityPolicies: [allowAll, policy('Deny', { NoSuchOperator: { k: 'v' } })],
      resourceAccount: ACCOUNT,
    });
    assert.equal(withDeny.allowed, false);
  });

  it('Numeric and Date operators', () => {
    assert.equal(holds('NumericLessThanEquals', 's3:max-keys', '10', { 's3:max-keys': '10' }), true);
    assert.equal(holds('NumericGreaterThan', 's3:max-keys', '10', { 's3:max-keys': '9' }), false);
    assert.equal(holds('DateLessThan', 'aws:CurrentTime', '2030-01-01T00:00:00Z', { 'aws:CurrentTime': '2026-05-01T00:00:00Z' }), true);
    assert.equal(holds('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '203.0.113.7' }), true);
    assert.equal(holds('NotIpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '198.51.100.1' }), true);
  });
});
