/**
 * The ports over the AWS SDK: what the rest of segflow uses to reach AWS or the local emulator.
 */
import { sdkIamPort } from './iam-port.js';
import { sdkKmsPort } from './kms-port.js';
import { sdkPersonalizePort } from './personalize-port.js';
import type { AwsPorts } from './ports.js';
import { sdkS3Port } from './s3-port.js';
import { createSdkClients, type ClientOptions } from './sdk-clients.js';
import { sdkStsPort } from './sts-port.js';

export type PortOptions = ClientOptions;

export function createPorts(opts: PortOptions): AwsPorts {
  const c = createSdkClients(opts);
  return {
    personalize: sdkPersonalizePort(c.personalize),
    s3: sdkS3Port(c.s3, c.calls, c.region),
    iam: sdkIamPort(c.iam),
    sts: sdkStsPort(c.sts),
    kms: sdkKmsPort(c.kms),
    calls: c.calls,
    region: c.region,
    partition: c.partition,
    label: c.label,
    close: () => c.destroy(),
  };
}
