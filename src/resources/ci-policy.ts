import { parseSourceLocation, globBase } from '../spec/source-location.js';
import { stateOf, type Spec } from '../spec/types.js';
import { stateKeys } from '../state/s3-keys.js';
import { bucketArn, longLivedName, personalizeArn, prefixOf } from './naming.js';
import { modelsOf, solutionRole } from './segmentation-ids.js';
import { roleName } from './role.js';
import type { Env } from './types.js';

/**
 * `segflow iam-policy FILE`: the least-privilege identity policy a CI role (or a person) needs to plan, apply,
 * report and destroy this one pipeline. Every resource ARN comes from the naming functions the resources
 * themselves use (naming.ts), so the policy cannot drift from what apply creates; a test runs the engine and
 * checks every call it makes against this policy.
 *
 * Personalize: List* actions take no resource (AWS's Service Authorization Reference), the rest only this
 * pipeline's resources, all named `<name>-...`. IAM: only the pipeline's role, and iam:PassRole of it only to
 * personalize.amazonaws.com. S3: the pipeline's bucket and prefix, the s3:// sources (read only), and the shared
 * state's objects (the state, its lock, history and reports; never the state bucket itself).
 */
type Statement = Record<string, unknown>;

export const PERSONALIZE_LIST_ACTIONS = [
  'personalize:ListDatasetGroups',
  'personalize:ListSchemas',
  'personalize:ListDatasets',
  'personalize:ListDatasetImportJobs',
  'personalize:ListSolutions',
  'personalize:ListSolutionVersions',
  'personalize:ListBatchSegmentJobs',
  'personalize:ListFilters',
  'personalize:ListRecipes',
];

export const PERSONALIZE_RESOURCE_ACTIONS = [
  'personalize:CreateDatasetGroup',
  'personalize:DescribeDatasetGroup',
  'personalize:DeleteDatasetGroup',
  'personalize:CreateSchema',
  'personalize:DescribeSchema',
  'personalize:DeleteSchema',
  'personalize:CreateDataset',
  'personalize:DescribeDataset',
  'personalize:DeleteDataset',
  'personalize:CreateDatasetImportJob',
  'personalize:DescribeDatasetImportJob',
  'personalize:CreateSolution',
  'personalize:DescribeSolution',
  'personalize:UpdateSolution',
  'personalize:DeleteSolution',
  'personalize:CreateSolutionVersion',
  'personalize:DescribeSolutionVersion',
  'personalize:StopSolutionVersionCreation',
  'personalize:GetSolutionMetrics',
  'personalize:CreateBatchSegmentJob',
  'personalize:DescribeBatchSegmentJob',
  'personalize:CreateFilter',
  'personalize:DescribeFilter',
  'personalize:DeleteFilter',
  'personalize:DescribeRecipe',
  'personalize:TagResource',
  'personalize:UntagResource',
  'personalize:ListTagsForResource',
];

export const ROLE_ACTIONS = [
  'iam:GetRole',
  'iam:CreateRole',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:GetRolePolicy',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:ListRolePolicies',
  'iam:ListAttachedRolePolicies',
  'iam:DetachRolePolicy',
  'iam:DeleteRole',
];

export const BUCKET_ACTIONS = [
  's3:CreateBucket',
  's3:DeleteBucket',
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:GetBucketPolicy',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:GetBucketPublicAccessBlock',
  's3:PutBucketPublicAccessBlock',
  's3:GetEncryptionConfiguration',
  's3:PutEncryptionConfiguration',
  's3:GetBucketTagging',
  's3:PutBucketTagging',
  's3:GetBucketVersioning',
];

export const OBJECT_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'];

/** ARNs of what the pipeline names itself: `<name>-...` for everything Personalize, the exact ones where known. */
export function pipelineArns(spec: Spec, env: Env): Record<string, string[]> {
  const family = longLivedName(spec, '*');
  const datasetGroup = longLivedName(spec, 'dsg');
  const solutions = modelsOf(spec).map((m) => longLivedName(spec, solutionRole(m)));
  const recipes = [...new Set(spec.segmentations.map((s) => s.recipe))];
  return {
    personalize: [
      personalizeArn(env, 'dataset-group', datasetGroup),
      personalizeArn(env, 'dataset', `${datasetGroup}/*`),
      personalizeArn(env, 'schema', family),
      personalizeArn(env, 'dataset-import-job', family),
      ...solutions.flatMap((solution) => [personalizeArn(env, 'solution', solution), personalizeArn(env, 'solution', `${solution}/*`)]),
      personalizeArn(env, 'batch-segment-job', family),
      personalizeArn(env, 'filter', family),
      ...recipes.map((r) => `arn:${env.partition}:personalize:::recipe/${r}`),
    ],
    // The role (named with its region) and the name segflow 0.1 gave it, which destroy still sweeps.
    role: [roleName(spec, env), longLivedName(spec, 'personalize')].map((n) => `arn:${env.partition}:iam::${env.account}:role/${n}`),
  };
}

/** What `plan` (and status, report, state history) needs: reads only; a role for pull requests. */
const READ_ONLY = /^(personalize:(Describe|List|Get)|iam:(Get|List)|kms:(Describe|Get)|s3:(Get|List))/;

export function readOnly(policy: { Version: string; Statement: Statement[] }): { Version: string; Statement: Statement[] } {
  const statements = policy.Statement.flatMap((s) => {
    const actions = ([s['Action']].flat() as string[]).filter((a) => READ_ONLY.test(a));
    return actions.length ? [{ ...s, Sid: `${String(s['Sid'])}Read`, Action: actions.length === 1 ? actions[0] : actions }] : [];
  });
  return { Version: policy.Version, Statement: statements };
}

export function ciPolicy(spec: Spec, env: Env): { Version: string; Statement: Statement[] } {
  const arns = pipelineArns(spec, env);
  const bucket = bucketArn(env, spec.storage.bucket);
  const prefix = prefixOf(spec);
  const statements: Statement[] = [
    { Sid: 'PersonalizeList', Effect: 'Allow', Action: PERSONALIZE_LIST_ACTIONS, Resource: '*' },
    { Sid: 'PersonalizePipeline', Effect: 'Allow', Action: PERSONALIZE_RESOURCE_ACTIONS, Resource: arns['personalize'] },
    { Sid: 'PipelineRole', Effect: 'Allow', Action: ROLE_ACTIONS, Resource: arns['role'] },
    {
      Sid: 'PassPipelineRoleToPersonalize',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: arns['role'],
      Condition: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } },
    },
    { Sid: 'PipelineBucket', Effect: 'Allow', Action: BUCKET_ACTIONS, Resource: bucket },
    { Sid: 'PipelineObjects', Effect: 'Allow', Action: OBJECT_ACTIONS, Resource: `${bucket}/${prefix}*` },
  ];
  if (spec.storage.kmsKeyArn) {
    statements.push({ Sid: 'PipelineKey', Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:Decrypt', 'kms:GenerateDataKey'], Resource: spec.storage.kmsKeyArn });
  }
  statements.push(...sourceStatements(spec, env));
  const state = stateOf(spec);
  if (state.backend === 's3') {
    const k = stateKeys(state.key);
    const stateBucket = bucketArn(env, state.bucket);
    statements.push(
      {
        Sid: 'StateBucket',
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketVersioning'],
        Resource: stateBucket,
        // HeadBucket carries no prefix; the lists of history and reports stay under the state's key.
        Condition: { StringLikeIfExists: { 's3:prefix': [`${k.state}*`] } },
      },
      {
        Sid: 'StateObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
        Resource: [k.state, k.lock, `${k.historyPrefix}*`, `${k.reportsPrefix}*`].map((key) => `${stateBucket}/${key}`),
      },
      // Releasing the lock, and deleting the state when destroy removed everything.
      { Sid: 'StateLockAndDelete', Effect: 'Allow', Action: 's3:DeleteObject', Resource: [k.lock, k.state].map((key) => `${stateBucket}/${key}`) },
    );
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** Read access to the s3:// data sources: the objects, and listing under a glob's literal prefix. */
function sourceStatements(spec: Spec, env: Env): Statement[] {
  const objects = new Set<string>();
  const lists = new Map<string, Set<string>>();
  const queryFiles = spec.segmentations.flatMap((s) => (s.queries.items?.kind === 'source' ? [s.queries.items.source] : []));
  for (const d of [spec.data.interactions, spec.data.items, spec.data.users, ...queryFiles]) {
    for (const entry of d?.source ?? []) {
      const loc = parseSourceLocation(entry);
      if ('error' in loc || loc.kind !== 's3') continue;
      const arn = bucketArn(env, loc.bucket);
      if (loc.glob) {
        const base = globBase(loc.key);
        objects.add(`${arn}/${base}*`);
        (lists.get(arn) ?? lists.set(arn, new Set()).get(arn)!).add(`${base}*`);
      } else {
        objects.add(`${arn}/${loc.key}`);
        (lists.get(arn) ?? lists.set(arn, new Set()).get(arn)!).add(loc.key);
      }
    }
  }
  if (objects.size === 0) return [];
  return [
    { Sid: 'ReadSources', Effect: 'Allow', Action: 's3:GetObject', Resource: [...objects] },
    ...[...lists].map(([arn, prefixes], i) => ({
      Sid: `ListSources${i + 1}`,
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: arn,
      Condition: { StringLikeIfExists: { 's3:prefix': [...prefixes] } },
    })),
  ];
}
