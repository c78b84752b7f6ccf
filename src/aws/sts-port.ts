/** StsPort over @aws-sdk/client-sts: who the credentials belong to. */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { PortCalls } from './port-call.js';
import type { StsPort } from './ports.js';

export function sdkStsPort(client: STSClient): StsPort {
  const c = new PortCalls('sts');
  return {
    getCallerIdentity: () =>
      c.run('GetCallerIdentity', async () => {
        const r = await client.send(new GetCallerIdentityCommand({}));
        if (!r.Account || !r.Arn) throw new Error('the GetCallerIdentity answer carried no account');
        return { account: r.Account, arn: r.Arn };
      }),
  };
}
