/**
 * AWS partitions: the first field of every ARN. A region belongs to the partition that lists it, else to the one
 * whose regionRegex matches it, else to "aws" (the resolution botocore and the SDKs' endpoint rules use), with the
 * data of botocore/data/partitions.json (boto/botocore @ 0e6e2404). IAM and STS are global per partition: their
 * partition is that of the region the request was signed for (cn-north-1 in China, us-gov-west-1 in GovCloud).
 */
const PARTITIONS: ReadonlyArray<{ id: string; regionRegex: RegExp; regions: readonly string[] }> = [
  { id: 'aws', regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, regions: ['aws-global'] },
  { id: 'aws-cn', regionRegex: /^cn-\w+-\d+$/, regions: ['aws-cn-global', 'cn-north-1', 'cn-northwest-1'] },
  { id: 'aws-eusc', regionRegex: /^eusc-(de)-\w+-\d+$/, regions: ['eusc-de-east-1'] },
  { id: 'aws-iso', regionRegex: /^us-iso-\w+-\d+$/, regions: ['aws-iso-global', 'us-iso-east-1', 'us-iso-west-1'] },
  { id: 'aws-iso-b', regionRegex: /^us-isob-\w+-\d+$/, regions: ['aws-iso-b-global', 'us-isob-east-1', 'us-isob-west-1'] },
  { id: 'aws-iso-e', regionRegex: /^eu-isoe-\w+-\d+$/, regions: ['aws-iso-e-global', 'eu-isoe-west-1'] },
  { id: 'aws-iso-f', regionRegex: /^us-isof-\w+-\d+$/, regions: ['aws-iso-f-global', 'us-isof-east-1', 'us-isof-south-1'] },
  { id: 'aws-us-gov', regionRegex: /^us-gov-\w+-\d+$/, regions: ['aws-us-gov-global', 'us-gov-east-1', 'us-gov-west-1'] },
];

export function partitionOf(region: string): string {
  const listed = PARTITIONS.find((p) => p.regions.includes(region));
  if (listed) return listed.id;
  return PARTITIONS.find((p) => p.regionRegex.test(region))?.id ?? 'aws';
}

/** The parts of an ARN, `arn:partition:service:region:account:resource`; undefined for anything else. */
export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): ArnParts | undefined {
  const m = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.+)$/s.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4]!, resource: m[5]! };
}

/** Who an account-scoped request or resource belongs to: an account in one partition. */
export interface AccountScope {
  account: string;
  partition: string;
}

/** `arn:<partition>:iam::<account>:root`, the account root user (IAM and STS name it so). */
export function rootArn(scope: AccountScope): string {
  return `arn:${scope.partition}:iam::${scope.account}:root`;
}
