import type { JsonService } from '../http/json-rpc.js';
import { ApiError } from '../api-error.js';
import { authorizeCallerAction } from '../iam/caller.js';
import { grantOps } from './grants.js';
import { keyOps } from './keys.js';

/** KMS: awsJson1_1, X-Amz-Target: TrentService.<Operation>, SigV4 service `kms`; constraint errors ValidationException. */
export const kmsService: JsonService = {
  targetPrefix: 'TrentService.',
  operations: { ...keyOps, ...grantOps },
  validationCode: 'ValidationException',
  unknownOperation: 'UnknownOperationException',
  // Calls on a key are authorized by its key policy (key-access.ts); those without one by the caller's policies.
  authorize(emu, operation, _input, info) {
    if (operation === 'CreateKey' || operation === 'ListKeys')
      authorizeCallerAction(emu, info, `kms:${operation}`, '*', (m) => new ApiError('AccessDeniedException', m));
  },
};
