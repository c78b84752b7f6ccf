import type { QueryOperations } from './iam/handler.js';

export const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** STS: who is calling. The emulator has one identity, the account root of the configured credentials. */
export const stsOperations: QueryOperations = {
  async GetCallerIdentity(emu) {
    const account = emu.opts.accountId;
    return [
      ['UserId', account],
      ['Account', account],
      ['Arn', `arn:aws:iam::${account}:root`],
    ];
  },
};
