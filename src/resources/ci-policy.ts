import { parseSourceLocation, globBase } from '../spec/source-location.js';
import { stateOf, type Spec } from '../spec/types.js';
import { stateKeys } from '../state/s3-keys.js';
import { inputError } from '../util/errors.js';
import { bucketArn, jobNamePatterns, longLivedName, personalizeArn, prefixOf } from './naming.js';
import { accessPolicy, roleName } from './role.js';
import { FILTER_ROLE } from './filter.js';
import { IMPORT_ROLES } from './import-job.js';
import { SCHEMA_ROLES } from './schema.js';
import { SEGMENT_ROLE } from './segments.js';
import { solutionNamePatterns } from './segmentation-ids.js';
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

/** Reading the pipeline's role (plan, status). */
export const ROLE_READ_ACTIONS = ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'];
/** Creating the role and writing its permissions: only ever with the boundary (iam:PermissionsBoundary). */
export const ROLE_BOUNDED_ACTIONS = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary'];
/** The rest of the role's life: tags, its trust, taking its policies off and deleting it (destroy). */
export const ROLE_LIFECYCLE_ACTIONS = [
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:DeleteRole',
];
/** The CI policy never allows these, and denies them outright: how a role could be given more than its boundary. */
export const ESCALATION_ACTIONS = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary'];
/** @deprecated every IAM action the CI policy may allow on the pipeline's role, kept for callers of the old name. */
export const ROLE_ACTIONS = [...ROLE_READ_ACTIONS, ...ROLE_BOUNDED_ACTIONS, ...ROLE_LIFECYCLE_ACTIONS];

export const BUCKET_ACTIONS = [
  's3:CreateBucket',
  's3:DeleteBucket',
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:ListBucketMultipartUploads',
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
  's3:GetLifecycleConfiguration',
  's3:PutLifecycleConfiguration',
];

export const OBJECT_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
];

/**
 * ARNs of what the pipeline names itself. No pattern of one pipeline matches another pipeline's resources (say
 * `online-retail` and `online-retail-uk`): names are exact, and the variable part of a job's name (its content
 * hash, its attempt number) is matched by `?`, one character each, never by `*` (ci-policy.test.ts checks it over
 * adversarial pipeline names).
 */
export function pipelineArns(spec: Spec, env: Env): Record<string, string[]> {
  const datasetGroup = longLivedName(spec, 'dsg');
  // Every solution name this pipeline may have had (destroy sweeps those of removed segmentations too).
  const solutions = solutionNamePatterns(spec);
  const recipes = [...new Set(spec.segmentations.map((s) => s.recipe))];
  const jobs = (type: string, roles: string[]) => roles.flatMap((role) => jobNamePatterns(spec, role).map((n) => personalizeArn(env, type, n)));
  return {
    personalize: [
      personalizeArn(env, 'dataset-group', datasetGroup),
      personalizeArn(env, 'dataset', `${datasetGroup}/*`),
      ...jobs('schema', SCHEMA_ROLES),
      ...jobs('dataset-import-job', IMPORT_ROLES),
      ...solutions.flatMap((solution) => [personalizeArn(env, 'solution', solution), personalizeArn(env, 'solution', `${solution}/*`)]),
      ...jobs('batch-segment-job', [SEGMENT_ROLE]),
      ...jobs('filter', [FILTER_ROLE]),
      ...recipes.map((r) => `arn:${env.partition}:personalize:::recipe/${r}`),
    ],
    // The role (named with its region) and the name segflow 0.1 gave it, which destroy still sweeps.
    role: [roleName(spec, env), longLivedName(spec, 'personalize')].map((n) => `arn:${env.partition}:iam::${env.account}:role/${n}`),
  };
}

/** What `plan` (and status, report, state history) needs: reads only; a role for pull requests. */
const READ_ONLY = /^(personalize:(Describe|List|Get)|iam:(Get|List|SimulatePrincipalPolicy)|kms:(Describe|Get)|s3:(Get|List))/;

export function readOnly(policy: { Version: string; Statement: Statement[] }): { Version: string; Statement: Statement[] } {
  const statements = policy.Statement.flatMap((s) => {
    if (s['Effect'] !== 'Allow') return [];
    const actions = ([s['Action']].flat() as string[]).filter((a) => READ_ONLY.test(a));
    return actions.length ? [{ ...s, Sid: `${String(s['Sid'])}Read`, Action: actions.length === 1 ? actions[0] : actions }] : [];
  });
  return { Version: policy.Version, Statement: statements };
}

/**
 * The CI role's policy. Its IAM part depends on spec.iam: with `roleArn`, no IAM write at all (reading the role,
 * simulating its policies, and passing it to Personalize); with `permissionsBoundary`, creating the role and writing
 * its permissions only with that boundary, and removing or changing the boundary denied; without either, a CI role
 * could create a role with any policy (an escalation path), so this refuses.
 */
export function ciPolicy(spec: Spec, env: Env): { Version: string; Statement: Statement[] } {
  const arns = pipelineArns(spec, env);
  const bucket = bucketArn(env, spec.storage.bucket);
  const prefix = prefixOf(spec);
  const statements: Statement[] = [
    { Sid: 'PersonalizeList', Effect: 'Allow', Action: PERSONALIZE_LIST_ACTIONS, Resource: '*' },
    { Sid: 'PersonalizePipeline', Effect: 'Allow', Action: PERSONALIZE_RESOURCE_ACTIONS, Resource: arns['personalize'] },
    ...roleStatements(spec, env, arns['role']!),
    { Sid: 'PipelineBucket', Effect: 'Allow', Action: BUCKET_ACTIONS, Resource: bucket },
    { Sid: 'PipelineObjects', Effect: 'Allow', Action: OBJECT_ACTIONS, Resource: `${bucket}/${prefix}*` },
  ];
  if (spec.storage.kmsKeyArn) {
    statements.push({
      Sid: 'PipelineKey',
      Effect: 'Allow',
      Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: spec.storage.kmsKeyArn,
    });
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
    // An SSE-KMS state bucket: writing an object needs a data key, reading it the decryption.
    if (state.kmsKeyArn) statements.push({ Sid: 'StateKey', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: state.kmsKeyArn });
  }
  return { Version: '2012-10-17', Statement: statements };
}

function roleStatements(spec: Spec, env: Env, pipelineRoles: string[]): Statement[] {
  const passTo = { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } };
  const external = spec.iam?.roleArn;
  if (external) {
    return [
      { Sid: 'ReadPersonalizeRole', Effect: 'Allow', Action: ['iam:GetRole', 'iam:SimulatePrincipalPolicy'], Resource: external },
      { Sid: 'PassPersonalizeRole', Effect: 'Allow', Action: 'iam:PassRole', Resource: external, Condition: passTo },
    ];
  }
  const boundary = spec.iam?.permissionsBoundary;
  if (!boundary) {
    throw inputError(
      'SPEC_IAM_REQUIRED',
      `iam-policy: a CI role that may create ${roleName(spec, env)} could give it any policy; bound it or use an existing role`,
      [
        'add iam: { permissionsBoundary: arn:aws:iam::ACCOUNT:policy/NAME } and create that policy from `segflow iam-policy FILE --boundary`',
        'or iam: { roleArn: ARN } for a role your platform team made (the CI policy then writes nothing in IAM)',
        '`segflow iam-policy FILE --read-only` (a pull-request role) needs neither',
      ],
    );
  }
  const withBoundary = { StringEquals: { 'iam:PermissionsBoundary': boundary } };
  return [
    { Sid: 'ReadPipelineRole', Effect: 'Allow', Action: ROLE_READ_ACTIONS, Resource: pipelineRoles },
    { Sid: 'WritePipelineRoleWithBoundary', Effect: 'Allow', Action: ROLE_BOUNDED_ACTIONS, Resource: pipelineRoles, Condition: withBoundary },
    { Sid: 'PipelineRoleLifecycle', Effect: 'Allow', Action: ROLE_LIFECYCLE_ACTIONS, Resource: pipelineRoles },
    { Sid: 'PassPipelineRoleToPersonalize', Effect: 'Allow', Action: 'iam:PassRole', Resource: pipelineRoles, Condition: passTo },
    // Belt and braces, whatever else the CI role is given: no role without the boundary, the boundary stays.
    {
      Sid: 'DenyRolesWithoutBoundary',
      Effect: 'Deny',
      Action: ESCALATION_ACTIONS,
      Resource: '*',
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': boundary } },
    },
    { Sid: 'DenyRemovingBoundary', Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' },
    {
      Sid: 'DenyChangingBoundaryPolicy',
      Effect: 'Deny',
      Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      Resource: boundary,
    },
  ];
}

/**
 * `segflow iam-policy FILE --boundary`: the permissions boundary for the role segflow creates, for the platform team
 * to create once as a customer managed policy (named in iam.permissionsBoundary). It allows no more than the role's
 * own policy: the pipeline's bucket prefix (and key), so whatever a CI role writes into the role, the role can never
 * do more than Personalize needs for this pipeline.
 */
export function boundaryPolicy(spec: Spec, env: Env): { Version: string; Statement: Statement[] } {
  const access = accessPolicy(spec, env) as { Statement: Statement[] };
  return { Version: '2012-10-17', Statement: access.Statement.map((s) => ({ ...s, Sid: `Boundary${String(s['Sid'])}` })) };
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
