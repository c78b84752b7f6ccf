import type { JsonService } from '../http/json-rpc.js';
import { grantOps } from './grants.js';
import { keyOps } from './keys.js';

/** KMS: awsJson1_1, X-Amz-Target: TrentService.<Operation>, SigV4 service `kms`; constraint errors ValidationException. */
export const kmsService: JsonService = {
  targetPrefix: 'TrentService.',
  operations: { ...keyOps, ...grantOps },
  validationCode: 'ValidationException',
  unknownOperation: 'UnknownOperationException',
};
