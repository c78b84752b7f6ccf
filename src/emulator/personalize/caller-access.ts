import { ApiError } from '../api-error.js';
import type { Emu, RequestInfo } from '../context.js';
import { authorizeCallerAction } from '../iam/caller.js';
import type { Input } from './validate.js';
import { PERSONALIZE } from './role-session.js';

/**
 * Authorization of Personalize calls made with role-session credentials (a CI role): the action is
 * `personalize:<Operation>` on the resource the call names — the ARN it passes, or for a Create the ARN the new
 * resource will have (a dataset: dataset/<dataset group name>/<TYPE>; a training: its solution) — and `*` for List
 * operations, which take no resource. Calls that hand Personalize a role (CreateDatasetImportJob,
 * CreateBatchSegmentJob, a dataset group with roleArn) also need `iam:PassRole` on it, with iam:PassedToService =
 * personalize.amazonaws.com ("Granting a user permissions to pass a role to an AWS service",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html). The Service Authorization
 * Reference's resource types for each action are not in the service model; where the emulator picks a resource it
 * is the one the call names. Denied: AccessDeniedException in IAM's wording.
 */
const CREATED: Record<string, string> = {
  CreateDatasetGroup: 'dataset-group',
  CreateSchema: 'schema',
  CreateDatasetImportJob: 'dataset-import-job',
  CreateSolution: 'solution',
  CreateBatchSegmentJob: 'batch-segment-job',
  CreateFilter: 'filter',
};
/** The member naming the resource, in order of preference (GetSolutionMetrics names a solution version). */
const NAMED = [
  'solutionVersionArn',
  'batchSegmentJobArn',
  'datasetImportJobArn',
  'filterArn',
  'datasetArn',
  'schemaArn',
  'solutionArn',
  'datasetGroupArn',
  'recipeArn',
  'resourceArn',
];

function denied(message: string): ApiError {
  return new ApiError('AccessDeniedException', message);
}

function text(input: Input, member: string): string | undefined {
  const v = input.raw(member);
  return typeof v === 'string' ? v : undefined;
}

export function resourceOf(operation: string, input: Input, info: RequestInfo): string {
  if (operation.startsWith('List') && operation !== 'ListTagsForResource') return '*';
  const base = `arn:${info.partition}:personalize:${info.region}:${info.account}:`;
  const type = CREATED[operation];
  if (type) return `${base}${type}/${text(input, 'name') ?? text(input, 'jobName') ?? ''}`;
  if (operation === 'CreateDataset') {
    const group = text(input, 'datasetGroupArn')?.split('/').pop() ?? '';
    return `${base}dataset/${group}/${(text(input, 'datasetType') ?? '').toUpperCase()}`;
  }
  for (const member of NAMED) {
    const arn = text(input, member);
    if (arn !== undefined) return arn;
  }
  return '*';
}

export function authorizePersonalizeCall(emu: Emu, operation: string, input: Input, info: RequestInfo): void {
  if (!info.session) return;
  authorizeCallerAction(emu, info, `personalize:${operation}`, resourceOf(operation, input, info), denied);
  const role = text(input, 'roleArn');
  if (role !== undefined && operation.startsWith('Create')) {
    authorizeCallerAction(emu, info, 'iam:PassRole', role, denied, { 'iam:PassedToService': PERSONALIZE });
  }
}
