/**
 * Scenarios the fake and the SDK adapters (on the emulator) must answer identically. Each returns what a caller
 * can observe through the ports, normalized: no timestamps, solution version ids as <id>, errors as
 * { kind, code, status, service, operation } (messages are each implementation's own).
 */
import { isAwsError } from '../../../src/aws/errors.js';
import type { AwsPorts } from '../../../src/aws/ports.js';
import { INTERACTIONS_SCHEMA, interactionsCsv, TRUST_POLICY } from '../emulator.js';
import { grantPersonalizeVia } from '../emulator-ports.js';

export interface ScenarioEnv {
  /** Attaches a managed policy out of band (the ports cannot: segflow never does). */
  attachRolePolicy(role: string, policyArn: string): Promise<void>;
  /** A customer managed policy made out of band (a platform team's boundary); its ARN. */
  createPolicy(name: string, document: string): Promise<string>;
  /** A KMS key made out of band, with this key policy; its ARN. */
  createKey(policy: string): Promise<string>;
  /** Versioning turned on out of band. */
  enableVersioning(bucket: string): Promise<void>;
}

export interface Scenario {
  name: string;
  run(ports: AwsPorts, env: ScenarioEnv): Promise<unknown>;
}

export const REGION_ARN = 'arn:aws:personalize:eu-west-1:000000000000';
export const RECIPE = 'arn:aws:personalize:::recipe/aws-item-affinity';
export const B = 'segflow-contract';

export function normalize(v: unknown): unknown {
  if (v instanceof Date) return '<date>';
  if (typeof v === 'string') return v.replace(/(:solution\/[^/]+\/)[0-9a-f]{8}\b/g, '$1<id>');
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === 'trainingHours' || k === 'failureReason' ? typeof x : normalize(x);
    return out;
  }
  return v;
}

/** A call's observable outcome: its (normalized) value, or the AwsError's classification. */
export async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return normalize(await p);
  } catch (e) {
    if (!isAwsError(e)) throw e;
    return { error: { kind: e.kind, code: e.code, status: e.status ?? null, service: e.service, operation: e.operation } };
  }
}

/** Describes until `done` (both implementations settle within a few describes or a few seconds). */
export async function settle<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string): Promise<T> {
  const until = Date.now() + 60_000;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`${what} did not settle: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const finished = (v: { status: string } | undefined) => v !== undefined && !/PENDING|IN_PROGRESS|STOPPING/.test(v.status);
const sorted = <T extends { arn?: string; key?: string; name?: string }>(xs: T[]) =>
  [...xs].sort((a, b) => String(a.arn ?? a.key ?? a.name).localeCompare(String(b.arn ?? b.key ?? b.name)));

export async function setupData(ports: AwsPorts): Promise<string> {
  await ports.s3.createBucket(B);
  await ports.s3.putObject(B, 'data/interactions.csv', { data: interactionsCsv() });
  await ports.s3.putObject(B, 'batch/queries.jsonl', { data: '{"itemId": "i1"}\n{"itemId": "i2"}\n' });
  // What AWS requires for Personalize to read the bucket (the strict emulator enforces it).
  return grantPersonalizeVia(ports, B);
}

export const contractScenarios: Scenario[] = [
  {
    name: 'absence is a value; deletes of absent things resolve; lists under absent parents are empty',
    async run({ personalize: p, s3, iam }) {
      const arn = (t: string, id: string) => `${REGION_ARN}:${t}/${id}`;
      const obs: unknown[] = [];
      for (const read of [
        () => p.describeDatasetGroup(arn('dataset-group', 'x')),
        () => p.describeSchema(arn('schema', 'x')),
        () => p.describeDataset(arn('dataset', 'x/INTERACTIONS')),
        () => p.describeDatasetImportJob(arn('dataset-import-job', 'x')),
        () => p.describeSolution(arn('solution', 'x')),
        () => p.describeSolutionVersion(arn('solution', 'x/0123abcd')),
        () => p.describeBatchSegmentJob(arn('batch-segment-job', 'x')),
        () => p.describeFilter(arn('filter', 'x')),
        () => p.deleteDatasetGroup(arn('dataset-group', 'x')),
        () => p.deleteSchema(arn('schema', 'x')),
        () => p.deleteDataset(arn('dataset', 'x/ITEMS')),
        () => p.deleteSolution(arn('solution', 'x')),
        () => p.deleteFilter(arn('filter', 'x')),
        () => p.listDatasetGroups(),
        () => p.listSchemas(),
        () => p.listDatasets(arn('dataset-group', 'x')),
        () => p.listDatasetImportJobs(arn('dataset', 'x/INTERACTIONS')),
        () => p.listSolutions(arn('dataset-group', 'x')),
        () => p.listSolutionVersions(arn('solution', 'x')),
        () => p.listBatchSegmentJobs(),
        () => p.listFilters(arn('dataset-group', 'x')),
        () => p.listTagsForResource(arn('dataset-group', 'x')),
        () => p.getSolutionMetrics(arn('solution', 'x/0123abcd')),
        () => p.stopSolutionVersionCreation(arn('solution', 'x/0123abcd')),
        () => p.updateSolution({ arn: arn('solution', 'x'), performAutoTraining: false }),
        () => p.createDataset({ name: 'd', schemaArn: arn('schema', 'x'), datasetGroupArn: arn('dataset-group', 'x'), datasetType: 'Interactions', tags: {} }),
        () => p.createSolutionVersion({ solutionArn: arn('solution', 'x'), trainingMode: 'FULL', tags: {} }),
        () => s3.headBucket(B),
        () => s3.deleteBucket(B),
        () => s3.getBucketPolicy(B),
        () => s3.getPublicAccessBlock(B),
        () => s3.getBucketEncryption(B),
        () => s3.headObject(B, 'k'),
        () => s3.getObjectText(B, 'k'),
        () => s3.listObjects(B, ''),
        () => s3.deleteObject(B, 'k'),
        () => s3.deleteObjects(B, [{ key: 'k' }]),
        () => s3.putObject(B, 'k', { data: 'x' }),
        () => iam.getRole('r'),
        () => iam.getRolePolicy('r', 'p'),
        () => iam.listRolePolicies('r'),
        () => iam.listAttachedRolePolicies('r'),
        () => iam.deleteRolePolicy('r', 'p'),
        () => iam.detachRolePolicy('r', 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'),
        () => iam.deleteRole('r'),
        () => iam.putRolePolicy('r', 'p', '{"Version":"2012-10-17","Statement":[]}'),
        () => iam.updateAssumeRolePolicy('r', TRUST_POLICY),
      ]) {
        obs.push(await outcome(read()));
      }
      return obs;
    },
  },
  {
    name: 'personalize: creates, duplicates, parents not ready or in use, quotas, deletes',
    async run({ personalize: p }) {
      const obs: Record<string, unknown> = {};
      const dsg = await p.createDatasetGroup({ name: 'dsg', tags: { team: 'growth' } });
      obs['duplicate'] = await outcome(p.createDatasetGroup({ name: 'dsg', tags: {} }));
      obs['group'] = normalize(await settle(() => p.describeDatasetGroup(dsg), finished, 'group'));
      obs['tags'] = await outcome(p.listTagsForResource(dsg));
      // Tagging in place: set and overwrite keep the others; untag removes only the keys named.
      await p.tagResource(dsg, { team: 'ads', owner: 'kim' });
      await p.untagResource(dsg, ['owner', 'absent-key']);
      obs['retagged'] = await outcome(p.listTagsForResource(dsg));
      obs['tooManyTags'] = await outcome(p.tagResource(dsg, Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']))));
      obs['badSchema'] = await outcome(p.createSchema({ name: 'bad', schema: '{' }));
      const schema = await p.createSchema({ name: 'int', schema: INTERACTIONS_SCHEMA });
      obs['schema'] = await outcome(p.describeSchema(schema));
      obs['schemaTags'] = await outcome(p.listTagsForResource(schema));
      obs['tagSchema'] = await outcome(p.tagResource(schema, { team: 'ads' }));
      obs['badRecipe'] = await outcome(
        p.createSolution({ name: 's', datasetGroupArn: dsg, recipeArn: 'arn:aws:personalize:::recipe/nope', performAutoTraining: false, tags: {} }),
      );
      const dataset = await p.createDataset({ name: 'interactions', schemaArn: schema, datasetGroupArn: dsg, datasetType: 'Interactions', tags: {} });
      obs['dataset'] = normalize(await settle(() => p.describeDataset(dataset), finished, 'dataset'));
      obs['datasetAgain'] = await outcome(
        p.createDataset({ name: 'interactions-2', schemaArn: schema, datasetGroupArn: dsg, datasetType: 'Interactions', tags: {} }),
      );
      obs['schemaInUse'] = await outcome(p.deleteSchema(schema));
      obs['groupInUse'] = await outcome(p.deleteDatasetGroup(dsg));
      const solution = await p.createSolution({
        name: 'sol',
        datasetGroupArn: dsg,
        recipeArn: RECIPE,
        performAutoTraining: false,
        hiddenDimension: 64,
        tags: {},
      });
      obs['solution'] = normalize(await settle(() => p.describeSolution(solution), finished, 'solution'));
      obs['update'] = await outcome(p.updateSolution({ arn: solution, performAutoTraining: false }));
      const filter = await p.createFilter({
        name: 'f',
        datasetGroupArn: dsg,
        filterExpression: 'EXCLUDE ItemID WHERE Interactions.ITEM_ID IN ("i9")',
        tags: {},
      });
      obs['filter'] = normalize(await settle(() => p.describeFilter(filter), finished, 'filter'));
      obs['badFilter'] = await outcome(p.createFilter({ name: 'g', datasetGroupArn: dsg, filterExpression: 'nonsense', tags: {} }));
      obs['lists'] = normalize([
        sorted(await p.listDatasetGroups()),
        sorted(await p.listSchemas()),
        await p.listDatasets(dsg),
        await p.listSolutions(dsg),
        await p.listFilters(dsg),
      ]);
      for (let i = 1; i < 5; i++) await p.createDatasetGroup({ name: `dsg-${i}`, tags: {} });
      obs['quota'] = await outcome(p.createDatasetGroup({ name: 'dsg-5', tags: {} }));
      await p.deleteFilter(filter);
      await p.deleteSolution(solution);
      await p.deleteDataset(dataset);
      for (const [what, read] of [
        ['filter', () => p.describeFilter(filter)],
        ['solution', () => p.describeSolution(solution)],
        ['dataset', () => p.describeDataset(dataset)],
      ] as const) {
        obs[`${what}Gone`] = await settle<unknown>(read, (v) => v === undefined, what);
      }
      obs['schemaDeleted'] = await outcome(p.deleteSchema(schema));
      await p.deleteDatasetGroup(dsg);
      obs['groupGone'] = await settle(
        () => p.describeDatasetGroup(dsg),
        (v) => v === undefined,
        'group',
      );
      return obs;
    },
  },
  {
    name: 'personalize: import, training, metrics, batch segments and their output in S3',
    async run(ports) {
      const { personalize: p, s3 } = ports;
      const obs: Record<string, unknown> = {};
      const roleArn = await setupData(ports);
      const dsg = await p.createDatasetGroup({ name: 'dsg', tags: {} });
      await settle(() => p.describeDatasetGroup(dsg), finished, 'group');
      const schema = await p.createSchema({ name: 'int', schema: INTERACTIONS_SCHEMA });
      const dataset = await p.createDataset({ name: 'interactions', schemaArn: schema, datasetGroupArn: dsg, datasetType: 'Interactions', tags: {} });
      await settle(() => p.describeDataset(dataset), finished, 'dataset');
      const missing = await p.createDatasetImportJob({
        name: 'imp-missing',
        datasetArn: dataset,
        dataLocation: `s3://${B}/data/nope.csv`,
        roleArn,
        importMode: 'FULL',
        tags: {},
      });
      obs['missingInput'] = normalize(await settle(() => p.describeDatasetImportJob(missing), finished, 'import'));
      const job = await p.createDatasetImportJob({
        name: 'imp-1',
        datasetArn: dataset,
        dataLocation: `s3://${B}/data/interactions.csv`,
        roleArn,
        importMode: 'FULL',
        tags: { k: 'v' },
      });
      obs['import'] = normalize(await settle(() => p.describeDatasetImportJob(job), finished, 'import'));
      obs['importAgain'] = await outcome(
        p.createDatasetImportJob({
          name: 'imp-1',
          datasetArn: dataset,
          dataLocation: `s3://${B}/data/interactions.csv`,
          roleArn,
          importMode: 'FULL',
          tags: {},
        }),
      );
      obs['imports'] = normalize(sorted(await p.listDatasetImportJobs(dataset)));
      const solution = await p.createSolution({ name: 'sol', datasetGroupArn: dsg, recipeArn: RECIPE, performAutoTraining: false, tags: {} });
      await settle(() => p.describeSolution(solution), finished, 'solution');
      obs['notTrained'] = await outcome(
        p.createBatchSegmentJob({
          name: 'early',
          solutionVersionArn: `${solution}/0123abcd`,
          numResults: 5,
          inputPath: `s3://${B}/batch/queries.jsonl`,
          outputPath: `s3://${B}/out/early/`,
          roleArn,
          tags: {},
        }),
      );
      // Training stopped in flight ends CREATE STOPPED (billed until then); the solution can train again.
      const stopped = await p.createSolutionVersion({ solutionArn: solution, trainingMode: 'FULL', tags: {} });
      await p.stopSolutionVersionCreation(stopped);
      obs['stopped'] = normalize(await settle(() => p.describeSolutionVersion(stopped), finished, 'stop'));
      const version = await p.createSolutionVersion({ solutionArn: solution, trainingMode: 'FULL', tags: { 'segflow:inputs': 'abc' } });
      obs['busy'] = await outcome(p.createSolutionVersion({ solutionArn: solution, trainingMode: 'FULL', tags: {} }));
      obs['metricsEarly'] = await outcome(p.getSolutionMetrics(version));
      obs['version'] = normalize(await settle(() => p.describeSolutionVersion(version), finished, 'training'));
      obs['versionTags'] = await outcome(p.listTagsForResource(version));
      // Personalize's metric names; the emulator adds its model choice under segflow.* (docs/emulator.md)
      obs['metricNames'] = Object.keys(await p.getSolutionMetrics(version))
        .filter((k) => !k.startsWith('segflow.'))
        .sort();
      obs['versions'] = normalize((await p.listSolutionVersions(solution)).map((v) => v.status).sort());
      obs['latest'] = normalize((await p.describeSolution(solution))?.latestVersion);
      obs['stopFinished'] = await outcome(p.stopSolutionVersionCreation(version));
      const seg = await p.createBatchSegmentJob({
        name: 'seg-1',
        solutionVersionArn: version,
        numResults: 5,
        inputPath: `s3://${B}/batch/queries.jsonl`,
        outputPath: `s3://${B}/out/seg-1/`,
        roleArn,
        tags: {},
      });
      obs['segments'] = normalize(await settle(() => p.describeBatchSegmentJob(seg), finished, 'segments'));
      obs['segmentJobs'] = normalize([await p.listBatchSegmentJobs({ solutionVersionArn: version }), (await p.listBatchSegmentJobs()).length]);
      const out = await s3.listObjects(B, 'out/');
      obs['outputKeys'] = out.map((o) => o.key);
      const text = (await s3.getObjectText(B, 'out/seg-1/queries.jsonl.out'))?.text ?? '';
      obs['outputLines'] = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { input: unknown; output: { usersList: string[] }; error: unknown })
        .map((l) => [l.input, l.error, l.output.usersList.length > 0 && l.output.usersList.length <= 5]);
      obs['deleteTrained'] = await outcome(p.deleteSolution(solution));
      return obs;
    },
  },
  {
    name: 's3: buckets, configuration, objects, conditional writes, listings, deletes',
    async run({ s3 }) {
      const obs: Record<string, unknown> = {};
      obs['create'] = [await s3.createBucket(B), await s3.createBucket(B), await outcome(s3.createBucket('Bad_Name')), await s3.headBucket(B)];
      obs['config'] = [await s3.getBucketPolicy(B), await s3.getPublicAccessBlock(B), await s3.getBucketEncryption(B)];
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${B}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        ],
      });
      await s3.putBucketPolicy(B, policy);
      await s3.putPublicAccessBlock(B, { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true });
      await s3.putBucketEncryption(B, { algorithm: 'aws:kms', kmsKeyArn: 'arn:aws:kms:eu-west-1:000000000000:key/k', bucketKeyEnabled: true });
      const open = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` }],
      });
      obs['configured'] = [
        (await s3.getBucketPolicy(B)) === policy,
        await s3.getPublicAccessBlock(B),
        await s3.getBucketEncryption(B),
        await outcome(s3.putBucketPolicy(B, 'nope')),
        await outcome(s3.putBucketPolicy(B, open)),
        await outcome(s3.putBucketEncryption(B, { algorithm: 'AES256', kmsKeyArn: 'arn:aws:kms:eu-west-1:000000000000:key/k' })),
      ];
      await s3.deleteBucketPolicy(B);
      obs['policyDeleted'] = await s3.getBucketPolicy(B);
      // Back to SSE-S3: the KMS key above is a name only, and S3 refuses to write with a key that is not there.
      await s3.putBucketEncryption(B, { algorithm: 'AES256', bucketKeyEnabled: false });
      const put = await s3.putObject(B, 'p/a', { data: 'hello' }, { metadata: { sha256: 'abc' }, ifNoneMatch: '*' });
      obs['objects'] = normalize([
        put,
        await s3.headObject(B, 'p/a'),
        await s3.getObjectText(B, 'p/a'),
        await outcome(s3.putObject(B, 'p/a', { data: 'x' }, { ifNoneMatch: '*' })),
        await outcome(s3.putObject(B, 'p/a', { data: 'x' }, { ifMatch: '"nope"' })),
        await outcome(s3.putObject(B, 'p/none', { data: 'x' }, { ifMatch: put.etag })),
        await s3.putObject(B, 'p/a', { data: 'hello!' }, { ifMatch: put.etag }),
      ]);
      for (const k of ['p/b', 'p/c/d', 'q/e']) await s3.putObject(B, k, { data: k });
      obs['listings'] = [await s3.listObjects(B, 'p/'), (await s3.listObjects(B, '')).map((o) => o.key), await s3.listObjects(B, 'none/')];
      obs['notEmpty'] = await outcome(s3.deleteBucket(B));
      obs['deleteObjects'] = await s3.deleteObjects(B, [{ key: 'p/a' }, { key: 'p/b' }, { key: 'never' }]);
      await s3.deleteObject(B, 'p/c/d');
      await s3.deleteObject(B, 'q/e');
      await s3.deleteBucket(B);
      obs['gone'] = [await s3.headBucket(B), await outcome(s3.putObject(B, 'k', { data: 'x' }))];
      return obs;
    },
  },
  {
    name: 'iam and sts: roles, trust and inline policies, attached policies, conflicts, quotas',
    async run({ iam, sts }, env) {
      const obs: Record<string, unknown> = {};
      const trust = TRUST_POLICY;
      obs['arn'] = await iam.createRole({ name: 'segflow-role', trustPolicy: trust, description: 'contract', tags: { 'segflow:pipeline': 'demo' } });
      obs['refused'] = [
        await outcome(iam.createRole({ name: 'segflow-role', trustPolicy: trust, description: '', tags: {} })),
        await outcome(iam.createRole({ name: 'SEGFLOW-ROLE', trustPolicy: trust, description: '', tags: {} })),
        await outcome(iam.createRole({ name: 'bad', trustPolicy: 'not json', description: '', tags: {} })),
        await outcome(
          iam.createRole({
            name: 'many-tags',
            trustPolicy: trust,
            description: '',
            tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
          }),
        ),
        await outcome(iam.putRolePolicy('segflow-role', 'access', 'not json')),
        await outcome(iam.updateAssumeRolePolicy('segflow-role', 'not json')),
      ];
      await iam.tagRole('segflow-role', { team: 'ads' });
      await iam.tagRole('segflow-role', { team: 'growth', owner: 'kim' });
      await iam.untagRole('segflow-role', ['owner', 'absent-key']);
      obs['tagAbsentRole'] = await outcome(iam.tagRole('no-such-role', { team: 'ads' }));
      const role = await iam.getRole('segflow-role');
      obs['role'] = normalize({ ...role, trustPolicy: JSON.parse(role?.trustPolicy ?? 'null') as unknown });
      const access = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/p/*' }] });
      await iam.putRolePolicy('segflow-role', 'access', access);
      await iam.putRolePolicy('segflow-role', 'other', access);
      await env.attachRolePolicy('segflow-role', 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess');
      obs['policies'] = [
        (await iam.getRolePolicy('segflow-role', 'access')) === access,
        (await iam.listRolePolicies('segflow-role')).sort(),
        await iam.listAttachedRolePolicies('segflow-role'),
      ];
      obs['conflict'] = await outcome(iam.deleteRole('segflow-role'));
      await iam.deleteRolePolicy('segflow-role', 'access');
      await iam.deleteRolePolicy('segflow-role', 'other');
      obs['stillAttached'] = await outcome(iam.deleteRole('segflow-role'));
      await iam.detachRolePolicy('segflow-role', 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess');
      await iam.deleteRole('segflow-role');
      obs['gone'] = await iam.getRole('segflow-role');
      obs['identity'] = await sts.getCallerIdentity();
      return obs;
    },
  },
];
