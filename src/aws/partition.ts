/**
 * AWS partitions, from botocore's data (boto/botocore @ 0e6e2404, botocore/data/partitions.json regionRegex, and
 * the IAM endpoint rule set's signingRegion per partition, botocore/data/iam/2010-05-08/endpoint-rule-set-1.json).
 * Only the partitions Personalize is offered in matter to segflow; others fall back to "aws".
 */
const PARTITIONS: Array<{ name: string; regionRegex: RegExp; iamRegion: string }> = [
  // IAM is global per partition: one endpoint, signed for this region.
  { name: 'aws-us-gov', regionRegex: /^us-gov-\w+-\d+$/, iamRegion: 'us-gov-west-1' },
  { name: 'aws-cn', regionRegex: /^cn-\w+-\d+$/, iamRegion: 'cn-north-1' },
  { name: 'aws', regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, iamRegion: 'us-east-1' },
];

function partitionEntry(region: string) {
  return PARTITIONS.find((p) => p.regionRegex.test(region)) ?? PARTITIONS[PARTITIONS.length - 1]!;
}

/** aws, aws-cn or aws-us-gov: the first field of every ARN in `region`. */
export function partitionOf(region: string): string {
  return partitionEntry(region).name;
}

/** The region IAM requests are signed for in the partition of `region`. */
export function iamSigningRegion(region: string): string {
  return partitionEntry(region).iamRegion;
}
