/**
 * PersonalizePort over @aws-sdk/client-personalize. Lists page with maxResults 100 (the API's maximum) until no
 * nextToken; describes of absent resources are undefined; deletes of absent resources resolve.
 */
import {
  CreateBatchSegmentJobCommand,
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateDatasetImportJobCommand,
  CreateFilterCommand,
  CreateSchemaCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  DeleteDatasetCommand,
  DeleteDatasetGroupCommand,
  DeleteFilterCommand,
  DeleteSchemaCommand,
  DeleteSolutionCommand,
  DescribeBatchSegmentJobCommand,
  DescribeDatasetCommand,
  DescribeDatasetGroupCommand,
  DescribeDatasetImportJobCommand,
  DescribeFilterCommand,
  DescribeSchemaCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
  GetSolutionMetricsCommand,
  ListBatchSegmentJobsCommand,
  ListDatasetGroupsCommand,
  ListDatasetImportJobsCommand,
  ListDatasetsCommand,
  ListFiltersCommand,
  ListSchemasCommand,
  ListSolutionVersionsCommand,
  ListSolutionsCommand,
  ListTagsForResourceCommand,
  StopSolutionVersionCreationCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSolutionCommand,
  type PersonalizeClient,
} from '@aws-sdk/client-personalize';
import { PortCalls, tagList, tagRecord } from './port-call.js';
import {
  datasetGroupInfo,
  datasetInfo,
  filterInfo,
  importJobInfo,
  schemaInfo,
  segmentJobInfo,
  solutionInfo,
  solutionVersionInfo,
} from './personalize-shapes.js';
import type { PersonalizePort } from './ports.js';

const PAGE = 100;

/** An ARN a Create* answer must carry; its absence is a broken answer, not a value. */
function created(arn: string | undefined, what: string): string {
  if (!arn) throw new Error(`the ${what} answer carried no ARN`);
  return arn;
}

export function sdkPersonalizePort(client: PersonalizeClient): PersonalizePort {
  const c = new PortCalls('personalize');
  /** One List* operation, every page. */
  const list = <P extends { nextToken?: string | undefined }, T>(
    op: string,
    fetch: (nextToken: string | undefined) => Promise<P>,
    items: (p: P) => T[] | undefined,
  ) => c.pages(op, fetch, items, (p) => p.nextToken);

  return {
    describeDatasetGroup: (arn) =>
      c.read('DescribeDatasetGroup', async () =>
        datasetGroupInfo((await client.send(new DescribeDatasetGroupCommand({ datasetGroupArn: arn }))).datasetGroup ?? {}),
      ),
    createDatasetGroup: ({ name, tags }) =>
      c.run('CreateDatasetGroup', async () =>
        created((await client.send(new CreateDatasetGroupCommand({ name, tags: tagList(tags) }))).datasetGroupArn, 'CreateDatasetGroup'),
      ),
    deleteDatasetGroup: (arn) => c.remove('DeleteDatasetGroup', () => client.send(new DeleteDatasetGroupCommand({ datasetGroupArn: arn }))),
    listDatasetGroups: async () =>
      (
        await list(
          'ListDatasetGroups',
          (nextToken) => client.send(new ListDatasetGroupsCommand({ maxResults: PAGE, nextToken })),
          (p) => p.datasetGroups,
        )
      ).map((g) => datasetGroupInfo(g)),

    describeSchema: (arn) => c.read('DescribeSchema', async () => schemaInfo((await client.send(new DescribeSchemaCommand({ schemaArn: arn }))).schema ?? {})),
    createSchema: ({ name, schema }) =>
      c.run('CreateSchema', async () => created((await client.send(new CreateSchemaCommand({ name, schema }))).schemaArn, 'CreateSchema')),
    deleteSchema: (arn) => c.remove('DeleteSchema', () => client.send(new DeleteSchemaCommand({ schemaArn: arn }))),
    listSchemas: async () =>
      (
        await list(
          'ListSchemas',
          (nextToken) => client.send(new ListSchemasCommand({ maxResults: PAGE, nextToken })),
          (p) => p.schemas,
        )
      ).map((s) => schemaInfo(s)),

    describeDataset: (arn) =>
      c.read('DescribeDataset', async () => datasetInfo((await client.send(new DescribeDatasetCommand({ datasetArn: arn }))).dataset ?? {})),
    createDataset: ({ name, schemaArn, datasetGroupArn, datasetType, tags }) =>
      c.run('CreateDataset', async () =>
        created(
          (await client.send(new CreateDatasetCommand({ name, schemaArn, datasetGroupArn, datasetType, tags: tagList(tags) }))).datasetArn,
          'CreateDataset',
        ),
      ),
    deleteDataset: (arn) => c.remove('DeleteDataset', () => client.send(new DeleteDatasetCommand({ datasetArn: arn }))),
    listDatasets: async (datasetGroupArn) =>
      (
        await list(
          'ListDatasets',
          (nextToken) => client.send(new ListDatasetsCommand({ datasetGroupArn, maxResults: PAGE, nextToken })),
          (p) => p.datasets,
        )
      ).map((d) => datasetInfo(d, datasetGroupArn)),

    describeDatasetImportJob: (arn) =>
      c.read('DescribeDatasetImportJob', async () =>
        importJobInfo((await client.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn: arn }))).datasetImportJob ?? {}),
      ),
    createDatasetImportJob: ({ name, datasetArn, dataLocation, roleArn, importMode, tags }) =>
      c.run('CreateDatasetImportJob', async () =>
        created(
          (
            await client.send(
              new CreateDatasetImportJobCommand({ jobName: name, datasetArn, dataSource: { dataLocation }, roleArn, importMode, tags: tagList(tags) }),
            )
          ).datasetImportJobArn,
          'CreateDatasetImportJob',
        ),
      ),
    listDatasetImportJobs: async (datasetArn) =>
      (
        await list(
          'ListDatasetImportJobs',
          (nextToken) => client.send(new ListDatasetImportJobsCommand({ datasetArn, maxResults: PAGE, nextToken })),
          (p) => p.datasetImportJobs,
        )
      ).map((j) => importJobInfo(j, datasetArn)),

    describeSolution: (arn) =>
      c.read('DescribeSolution', async () => solutionInfo((await client.send(new DescribeSolutionCommand({ solutionArn: arn }))).solution ?? {})),
    createSolution: ({ name, datasetGroupArn, recipeArn, performAutoTraining, hiddenDimension, tags }) =>
      c.run('CreateSolution', async () =>
        created(
          (
            await client.send(
              new CreateSolutionCommand({
                name,
                datasetGroupArn,
                recipeArn,
                // Always explicit: the API's default is true, a new paid training every 7 days.
                performAutoTraining,
                // Hyperparameter values are strings in the API.
                ...(hiddenDimension !== undefined ? { solutionConfig: { algorithmHyperParameters: { hidden_dimension: String(hiddenDimension) } } } : {}),
                tags: tagList(tags),
              }),
            )
          ).solutionArn,
          'CreateSolution',
        ),
      ),
    updateSolution: async ({ arn, performAutoTraining }) => {
      await c.run('UpdateSolution', () => client.send(new UpdateSolutionCommand({ solutionArn: arn, performAutoTraining })));
    },
    deleteSolution: (arn) => c.remove('DeleteSolution', () => client.send(new DeleteSolutionCommand({ solutionArn: arn }))),
    listSolutions: async (datasetGroupArn) =>
      (
        await list(
          'ListSolutions',
          (nextToken) => client.send(new ListSolutionsCommand({ datasetGroupArn, maxResults: PAGE, nextToken })),
          (p) => p.solutions,
        )
      ).map((s) => solutionInfo(s, datasetGroupArn)),

    describeSolutionVersion: (arn) =>
      c.read('DescribeSolutionVersion', async () =>
        solutionVersionInfo((await client.send(new DescribeSolutionVersionCommand({ solutionVersionArn: arn }))).solutionVersion ?? {}),
      ),
    createSolutionVersion: ({ solutionArn, trainingMode, tags }) =>
      c.run('CreateSolutionVersion', async () =>
        created(
          (await client.send(new CreateSolutionVersionCommand({ solutionArn, trainingMode, tags: tagList(tags) }))).solutionVersionArn,
          'CreateSolutionVersion',
        ),
      ),
    stopSolutionVersionCreation: async (arn) => {
      await c.run('StopSolutionVersionCreation', () => client.send(new StopSolutionVersionCreationCommand({ solutionVersionArn: arn })));
    },
    listSolutionVersions: async (solutionArn) =>
      (
        await list(
          'ListSolutionVersions',
          (nextToken) => client.send(new ListSolutionVersionsCommand({ solutionArn, maxResults: PAGE, nextToken })),
          (p) => p.solutionVersions,
        )
      ).map((v) => solutionVersionInfo(v, solutionArn)),
    getSolutionMetrics: (solutionVersionArn) =>
      c.run('GetSolutionMetrics', async () => (await client.send(new GetSolutionMetricsCommand({ solutionVersionArn }))).metrics ?? {}),

    describeBatchSegmentJob: (arn) =>
      c.read('DescribeBatchSegmentJob', async () =>
        segmentJobInfo((await client.send(new DescribeBatchSegmentJobCommand({ batchSegmentJobArn: arn }))).batchSegmentJob ?? {}),
      ),
    createBatchSegmentJob: ({ name, solutionVersionArn, numResults, inputPath, outputPath, roleArn, filterArn, tags }) =>
      c.run('CreateBatchSegmentJob', async () =>
        created(
          (
            await client.send(
              new CreateBatchSegmentJobCommand({
                jobName: name,
                solutionVersionArn,
                numResults,
                jobInput: { s3DataSource: { path: inputPath } },
                jobOutput: { s3DataDestination: { path: outputPath } },
                roleArn,
                ...(filterArn ? { filterArn } : {}),
                tags: tagList(tags),
              }),
            )
          ).batchSegmentJobArn,
          'CreateBatchSegmentJob',
        ),
      ),
    listBatchSegmentJobs: async (filter) =>
      (
        await list(
          'ListBatchSegmentJobs',
          (nextToken) => client.send(new ListBatchSegmentJobsCommand({ solutionVersionArn: filter?.solutionVersionArn, maxResults: PAGE, nextToken })),
          (p) => p.batchSegmentJobs,
        )
      ).map((j) => segmentJobInfo(j)),

    describeFilter: (arn) => c.read('DescribeFilter', async () => filterInfo((await client.send(new DescribeFilterCommand({ filterArn: arn }))).filter ?? {})),
    createFilter: ({ name, datasetGroupArn, filterExpression, tags }) =>
      c.run('CreateFilter', async () =>
        created((await client.send(new CreateFilterCommand({ name, datasetGroupArn, filterExpression, tags: tagList(tags) }))).filterArn, 'CreateFilter'),
      ),
    deleteFilter: (arn) => c.remove('DeleteFilter', () => client.send(new DeleteFilterCommand({ filterArn: arn }))),
    listFilters: async (datasetGroupArn) =>
      // ListFilters is the one list whose result key is capitalised (Filters).
      (
        await list(
          'ListFilters',
          (nextToken) => client.send(new ListFiltersCommand({ datasetGroupArn, maxResults: PAGE, nextToken })),
          (p) => p.Filters,
        )
      ).map((f) => filterInfo(f)),

    listTagsForResource: (resourceArn) =>
      c.run('ListTagsForResource', async () => tagRecord((await client.send(new ListTagsForResourceCommand({ resourceArn }))).tags)),
    async tagResource(resourceArn, tags) {
      await c.run('TagResource', () => client.send(new TagResourceCommand({ resourceArn, tags: tagList(tags) ?? [] })));
    },
    async untagResource(resourceArn, tagKeys) {
      await c.run('UntagResource', () => client.send(new UntagResourceCommand({ resourceArn, tagKeys })));
    },
  };
}
