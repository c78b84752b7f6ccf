import type { QueryOperations } from './iam/handler.js';
import { rootArn } from './partitions.js';

export const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/**
 * STS: who is calling. Every caller is the root user of the account whose credentials signed the request, named
 * in the partition of the region it signed for (arn:aws-cn:iam::<account>:root in China).
 */
export const stsOperations: QueryOperations = {
  async GetCallerIdentity(_emu, _params, info) {
    return [
      ['UserId', info.account],
      ['Account', info.account],
      ['Arn', rootArn(info)],
    ];
  },
};
