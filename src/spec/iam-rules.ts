import { get, isObj, type Obj, type Report } from './rule-helpers.js';

/**
 * spec.iam: either an existing role segflow only uses (roleArn), or the boundary the role it creates carries
 * (permissionsBoundary); not both. Both ARNs must be in the target region's partition.
 */
export function checkIam(spec: Obj, report: Report): void {
  const iam = get(spec, ['iam']);
  if (!isObj(iam)) return;
  if (iam['roleArn'] !== undefined && iam['permissionsBoundary'] !== undefined) {
    report(
      'error',
      'SPEC_IAM',
      'iam: give roleArn (use an existing role; segflow creates none) or permissionsBoundary (the boundary of the role segflow creates), not both',
      ['iam', 'permissionsBoundary'],
      'key',
    );
  }
  const region = get(spec, ['target', 'region']);
  const partition = typeof region !== 'string' ? 'aws' : /^cn-/.test(region) ? 'aws-cn' : /^us-gov-/.test(region) ? 'aws-us-gov' : 'aws';
  for (const key of ['roleArn', 'permissionsBoundary'] as const) {
    const arn = iam[key];
    if (typeof arn === 'string' && arn.split(':')[1] !== partition) {
      report(
        'error',
        'SPEC_IAM',
        `iam.${key} is in partition ${arn.split(':')[1]}, but target.region ${typeof region === 'string' ? region : 'us-east-1'} is in ${partition}`,
        ['iam', key],
      );
    }
  }
}
