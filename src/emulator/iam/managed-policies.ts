import { createHash } from 'node:crypto';

/**
 * AWS managed policies that can be attached by ARN (arn:<partition>:iam::aws:policy/...), evaluated like any other
 * policy when Personalize uses a role. AmazonPersonalizeFullAccess (v2), AmazonS3FullAccess (v2) and AmazonS3ReadOnlyAccess
 * (v3) are AWS's current documents (as published in the MAMIP snapshots of AWS managed policies); the others are
 * abbreviated to their essence.
 */
export interface ManagedPolicy {
  arn: string;
  name: string;
  path: string;
  document: string;
}

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

const LIST: Array<[path: string, name: string, document: string]> = [
  [
    '/service-role/',
    'AmazonPersonalizeFullAccess',
    doc([
      { Effect: 'Allow', Action: ['personalize:*'], Resource: '*' },
      { Effect: 'Allow', Action: ['cloudwatch:PutMetricData', 'cloudwatch:ListMetrics'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'],
        Resource: ['arn:aws:s3:::*Personalize*', 'arn:aws:s3:::*personalize*'],
      },
      { Effect: 'Allow', Action: ['iam:PassRole'], Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } } },
    ]),
  ],
  ['/', 'AmazonS3FullAccess', doc([{ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }])],
  [
    '/',
    'AmazonS3ReadOnlyAccess',
    doc([{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 's3:Describe*', 's3-object-lambda:Get*', 's3-object-lambda:List*'], Resource: '*' }]),
  ],
  [
    '/',
    'IAMFullAccess',
    doc([
      {
        Effect: 'Allow',
        Action: [
          'iam:*',
          'organizations:DescribeAccount',
          'organizations:DescribeOrganization',
          'organizations:DescribeOrganizationalUnit',
          'organizations:DescribePolicy',
          'organizations:ListChildren',
          'organizations:ListParents',
          'organizations:ListPoliciesForTarget',
          'organizations:ListRoots',
          'organizations:ListPolicies',
          'organizations:ListTargetsForPolicy',
        ],
        Resource: '*',
      },
    ]),
  ],
  ['/', 'AdministratorAccess', doc([{ Effect: 'Allow', Action: '*', Resource: '*' }])],
  ['/', 'ReadOnlyAccess', doc([{ Effect: 'Allow', Action: ['*:Describe*', '*:Get*', '*:List*'], Resource: '*' }])],
  ['/', 'CloudWatchLogsFullAccess', doc([{ Effect: 'Allow', Action: ['logs:*'], Resource: '*' }])],
];

/** The documents are written for the aws partition; in another one their resource ARNs name that partition. */
const BY_NAME: ReadonlyMap<string, { name: string; path: string; document: string }> = new Map(
  LIST.map(([path, name, document]) => [`${path}${name}`, { name, path, document }]),
);

/** An AWS managed policy by ARN, in the ARN's partition. */
export function managedPolicy(arn: string): ManagedPolicy | undefined {
  const m = /^arn:([a-z\d-]+):iam::aws:policy(\/.*)$/.exec(arn);
  const p = m ? BY_NAME.get(m[2]!) : undefined;
  if (!m || !p) return undefined;
  return { arn, name: p.name, path: p.path, document: p.document.replaceAll('"arn:aws:', `"arn:${m[1]}:`) };
}

/** The AWS managed policies of a partition. */
export function managedPolicies(partition: string): ManagedPolicy[] {
  return [...BY_NAME.keys()].map((pathName) => managedPolicy(`arn:${partition}:iam::aws:policy${pathName}`)!);
}

/** Stable pseudo ids for AWS managed policies (ANPA + 17 characters). */
export function managedPolicyId(arn: string): string {
  return (
    'ANPA' +
    createHash('sha256')
      .update(arn)
      .digest('hex')
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .slice(0, 17)
  );
}

/** When AWS managed policies "were created": a fixed date, as the real ones are years old. */
export const MANAGED_POLICY_DATE = Date.UTC(2015, 1, 6, 18, 40, 0);
