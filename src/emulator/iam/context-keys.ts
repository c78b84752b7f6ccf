import { rootArn } from '../partitions.js';
import type { RequestContext } from './conditions.js';
import type { Principal } from './evaluate.js';

/** Context keys every request carries. The emulator's endpoint stands in for S3's HTTPS endpoint. */
export function baseContext(principal: Principal, region: string, sourceIp?: string): RequestContext {
  const now = new Date();
  const ctx: RequestContext = {
    'aws:SecureTransport': 'true',
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:RequestedRegion': region,
  };
  if (sourceIp) ctx['aws:SourceIp'] = sourceIp.replace(/^::ffff:/, '');
  if (principal.kind === 'root') {
    Object.assign(ctx, {
      'aws:PrincipalArn': rootArn(principal),
      'aws:PrincipalAccount': principal.account,
      'aws:PrincipalType': 'Account',
      'aws:userid': principal.account,
    });
  } else if (principal.kind === 'role') {
    Object.assign(ctx, { 'aws:PrincipalArn': principal.roleArn, 'aws:PrincipalAccount': principal.account, 'aws:PrincipalType': 'AssumedRole' });
  } else if (principal.kind === 'service') {
    Object.assign(ctx, { 'aws:PrincipalServiceName': principal.service, 'aws:PrincipalIsAWSService': 'true' });
  }
  if (principal.kind !== 'service') ctx['aws:PrincipalIsAWSService'] = 'false';
  return ctx;
}
