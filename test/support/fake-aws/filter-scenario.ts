/**
 * The contract for filters on batch segment jobs: the fake applies a Users filter as the emulator does (every
 * member of every segment passes it), and both fail a job whose Users filter has no imported users data.
 */
import type { Scenario } from './contract-scenarios.js';
import { B, finished, normalize, outcome, RECIPE, settle, setupData } from './contract-scenarios.js';
import { INTERACTIONS_SCHEMA } from '../emulator.js';
import { testSpec } from '../spec.js';
import { avroSchema } from '../../../src/resources/schema.js';

/** The Users schema segflow itself creates for one categorical attribute, COUNTRY. */
const base = testSpec();
const USERS_SCHEMA = JSON.stringify(
  avroSchema(
    {
      ...base,
      data: {
        ...base.data,
        users: {
          source: [],
          format: 'csv',
          columns: { USER_ID: 'user' },
          attributes: [{ name: 'COUNTRY', column: 'country', type: 'categorical' }],
          onBadRows: 'fail',
          maxBadRows: 0,
        },
      },
    },
    'users',
  ),
);

/** u0..u59 (the users of interactionsCsv): even ones in the UK, odd ones in France. */
const usersCsv = () => ['USER_ID,COUNTRY', ...Array.from({ length: 60 }, (_, i) => `u${i},${i % 2 === 0 ? 'UK' : 'France'}`)].join('\n') + '\n';

export const filterScenario: Scenario = {
  name: 'personalize: a Users dataset and a filter applied by batch segment jobs',
  async run(ports) {
    const { personalize: p, s3 } = ports;
    const obs: Record<string, unknown> = {};
    const roleArn = await setupData(ports);
    await s3.putObject(B, 'data/users.csv', { data: usersCsv() });
    const dsg = await p.createDatasetGroup({ name: 'dsg', tags: {} });
    await settle(() => p.describeDatasetGroup(dsg), finished, 'group');
    const dataset = async (type: 'Interactions' | 'Users', schema: string) => {
      const schemaArn = await p.createSchema({ name: type.toLowerCase(), schema });
      const arn = await p.createDataset({ name: type.toLowerCase(), schemaArn, datasetGroupArn: dsg, datasetType: type, tags: {} });
      await settle(() => p.describeDataset(arn), finished, type);
      return arn;
    };
    const load = async (datasetArn: string, file: string) => {
      const job = await p.createDatasetImportJob({
        name: `imp-${file.split('.')[0]}`,
        datasetArn,
        dataLocation: `s3://${B}/data/${file}`,
        roleArn,
        importMode: 'FULL',
        tags: {},
      });
      return normalize(await settle(() => p.describeDatasetImportJob(job), finished, file));
    };
    await load(await dataset('Interactions', INTERACTIONS_SCHEMA), 'interactions.csv');
    const users = await dataset('Users', USERS_SCHEMA);
    obs['usersDataset'] = normalize(await p.describeDataset(users));
    const solution = await p.createSolution({ name: 'sol', datasetGroupArn: dsg, recipeArn: RECIPE, performAutoTraining: false, tags: {} });
    await settle(() => p.describeSolution(solution), finished, 'solution');
    const version = await p.createSolutionVersion({ solutionArn: solution, trainingMode: 'FULL', tags: {} });
    await settle(() => p.describeSolutionVersion(version), finished, 'training');
    const filter = await p.createFilter({ name: 'uk', datasetGroupArn: dsg, filterExpression: 'INCLUDE UserID WHERE Users.COUNTRY IN ("UK")', tags: {} });
    obs['filter'] = normalize(await settle(() => p.describeFilter(filter), finished, 'filter'));
    const segment = async (name: string) => {
      const job = await p.createBatchSegmentJob({
        name,
        solutionVersionArn: version,
        numResults: 5,
        inputPath: `s3://${B}/batch/queries.jsonl`,
        outputPath: `s3://${B}/out/${name}/`,
        roleArn,
        filterArn: filter,
        tags: {},
      });
      return normalize(await settle(() => p.describeBatchSegmentJob(job), finished, name));
    };
    // Before the users data is imported, the filter has nothing to read: the job fails.
    obs['withoutUsersData'] = await segment('seg-early');
    obs['usersImport'] = await load(users, 'users.csv');
    obs['filtered'] = await segment('seg-uk');
    const text = (await s3.getObjectText(B, 'out/seg-uk/queries.jsonl.out'))?.text ?? '';
    obs['outputLines'] = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { input: unknown; output: { usersList: string[] }; error: unknown })
      .map((l) => [l.input, l.error, l.output.usersList.length > 0, l.output.usersList.every((u) => Number(u.slice(1)) % 2 === 0)]);
    obs['deleteGroupWithFilter'] = await outcome(p.deleteDatasetGroup(dsg));
    return obs;
  },
};
