import type { QueryOperations } from './iam/handler.js';
import { rootArn } from './partitions.js';

export const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/**
 * STS: who is calling. The root user of the account whose credentials signed the request, named in the partition of
 * the region it signed for (arn:aws-cn:iam::<account>:root in China); a role session is its assumed-role ARN,
 * arn:aws:sts::<account>:assumed-role/<role>/<session>, with UserId <role id>:<session> (botocore sts
 * GetCallerIdentity; no permission is needed to call it).
 */
export const stsOperations: QueryOperations = {
  async GetCallerIdentity(emu, _params, info) {
    if (info.session) {
      const role = Object.prototype.hasOwnProperty.call(emu.store.state.iam.roles, info.session.roleArn)
        ? emu.store.state.iam.roles[info.session.roleArn]
        : undefined;
      const session = info.session.sessionArn.split('/').pop() ?? '';
      return [
        ['UserId', `${role?.roleId ?? 'AROAUNKNOWN'}:${session}`],
        ['Account', info.account],
        ['Arn', info.session.sessionArn],
      ];
    }
    return [
      ['UserId', info.account],
      ['Account', info.account],
      ['Arn', rootArn(info)],
    ];
  },
};
