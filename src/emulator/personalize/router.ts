import type { JsonService } from '../http/json-rpc.js';
import { batchSegmentJobOps } from './batch-segment-jobs.js';
import { datasetGroupOps } from './dataset-groups.js';
import { datasetOps } from './datasets.js';
import { filterOps } from './filters.js';
import type { PzOperations } from './handler.js';
import { importJobOps } from './import-jobs.js';
import { recipeOps } from './recipes.js';
import { schemaOps } from './schemas.js';
import { solutionOps } from './solutions.js';
import { solutionVersionOps } from './solution-versions.js';
import { tagOps } from './tags.js';
import { authorizePersonalizeCall } from './caller-access.js';

/** awsJson1_1: POST / with X-Amz-Target: AmazonPersonalize.<Operation>; errors are HTTP 400 {"__type", "message"}. */
export const operations: PzOperations = {
  ...datasetGroupOps,
  ...schemaOps,
  ...datasetOps,
  ...importJobOps,
  ...solutionOps,
  ...solutionVersionOps,
  ...batchSegmentJobOps,
  ...filterOps,
  ...recipeOps,
  ...tagOps,
};

export const personalizeService: JsonService = {
  targetPrefix: 'AmazonPersonalize.',
  operations,
  validationCode: 'InvalidInputException',
  unknownOperation: 'UnknownOperationException',
  authorize: authorizePersonalizeCall,
};
