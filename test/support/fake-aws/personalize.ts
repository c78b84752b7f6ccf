/**
 * The PersonalizePort over PersonalizeWorld: the rules AWS (and the emulator) enforce on segflow's path, with
 * their codes: ResourceNotFoundException for a missing parent, ResourceInUseException for a parent not ACTIVE or a
 * delete that would orphan something, ResourceAlreadyExistsException for a taken name, LimitExceededException at
 * a quota, InvalidInputException for what the API rejects outright.
 */
import type {
  DatasetGroupInfo,
  DatasetInfo,
  FilterInfo,
  ImportJobInfo,
  PersonalizePort,
  SchemaInfo,
  SegmentJobInfo,
  SolutionInfo,
  SolutionVersionInfo,
} from '../../../src/aws/ports.js';
import { defined } from '../../../src/aws/personalize-shapes.js';
import { fail, pagesOf } from './core.js';
import { IN_FLIGHT, PersonalizeWorld, RECIPES, inUse, type FakeResource } from './personalize-world.js';

const P = 'personalize';
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const base = (r: FakeResource) => ({ arn: r.arn, name: r.name, status: r.status, failureReason: r.failureReason, createdAt: r.createdAt });
const groupInfo = (r: FakeResource): DatasetGroupInfo => defined(base(r));
const schemaInfo = (r: FakeResource, full: boolean): SchemaInfo =>
  defined({ arn: r.arn, name: r.name, schema: full ? str(r.input['schema']) : undefined, createdAt: r.createdAt });
const datasetInfo = (r: FakeResource, full: boolean): DatasetInfo =>
  defined({
    ...base(r),
    failureReason: undefined,
    datasetType: String(r.input['datasetType']).toUpperCase(),
    schemaArn: full ? str(r.input['schemaArn']) : undefined,
    datasetGroupArn: str(r.input['datasetGroupArn']),
  });
const importInfo = (r: FakeResource, full: boolean): ImportJobInfo =>
  defined({
    ...base(r),
    datasetArn: str(r.input['datasetArn']),
    dataLocation: full ? str(r.input['dataLocation']) : undefined,
    roleArn: full ? str(r.input['roleArn']) : undefined,
  });
const versionInfo = (r: FakeResource, full: boolean): SolutionVersionInfo =>
  defined({
    arn: r.arn,
    status: r.status,
    failureReason: r.failureReason,
    solutionArn: str(r.input['solutionArn']),
    trainingHours: full ? r.trainingHours : undefined,
    trainingMode: str(r.input['trainingMode']),
    createdAt: r.createdAt,
  });
const segmentInfo = (r: FakeResource, full: boolean): SegmentJobInfo =>
  defined({
    ...base(r),
    solutionVersionArn: str(r.input['solutionVersionArn']),
    ...(full
      ? {
          numResults: r.input['numResults'] as number,
          inputPath: str(r.input['inputPath']),
          outputPath: str(r.input['outputPath']),
          filterArn: str(r.input['filterArn']),
          roleArn: str(r.input['roleArn']),
        }
      : {}),
  });
const filterInfo = (r: FakeResource, full: boolean): FilterInfo =>
  defined({ ...base(r), datasetGroupArn: str(r.input['datasetGroupArn']), filterExpression: full ? str(r.input['filterExpression']) : undefined });

/** Quotas count resources that are not being deleted, or jobs still in flight. */
const live = (r: FakeResource) => !r.status.startsWith('DELETE');
const inFlight = (r: FakeResource) => IN_FLIGHT.has(r.status);

export function fakePersonalizePort(w: PersonalizeWorld): PersonalizePort {
  const c = w.core;
  const perGroup = (groupArn: string, max: number, what: string) => ({
    max,
    counts: (r: FakeResource) => live(r) && r.input['datasetGroupArn'] === groupArn,
    message: `The dataset group ${groupArn} has reached the maximum number of ${what} (${max}).`,
  });
  /** A list: counted one request per 100 items; under a parent that is not there, empty. */
  /** Every resource but a schema carries tags. */
  const taggable = (arn: string): FakeResource => {
    const r = w.res.get(arn) ?? fail('ResourceNotFoundException', `Could not find resource with arn = ${arn}`);
    if (r.type === 'schema') fail('InvalidInputException', `Schemas cannot be tagged: ${arn}`);
    return r;
  };
  const list = async <T>(op: string, parent: (() => unknown) | undefined, items: () => T[]): Promise<T[]> => {
    const all = items();
    return (await c.read(P, op, () => (parent?.(), all), pagesOf(all.length, 100))) ?? [];
  };
  const solutionInfo = (r: FakeResource, full: boolean): SolutionInfo => {
    const latest = full ? w.all('solution-version', (v) => v.input['solutionArn'] === r.arn)[0] : undefined;
    const hidden = r.input['hiddenDimension'];
    return defined({
      ...base(r),
      failureReason: undefined,
      recipeArn: str(r.input['recipeArn']),
      datasetGroupArn: str(r.input['datasetGroupArn']),
      performAutoTraining: full ? (r.input['performAutoTraining'] as boolean) : undefined,
      hiddenDimension: full && (typeof hidden === 'number' || typeof hidden === 'string') ? String(hidden) : undefined,
      latestVersion: latest ? defined({ arn: latest.arn, status: latest.status, failureReason: latest.failureReason }) : undefined,
    });
  };

  return {
    describeDatasetGroup: (arn) => c.read(P, 'DescribeDatasetGroup', () => groupInfo(w.describe(arn, 'dataset-group'))),
    createDatasetGroup: (input) =>
      c.run(P, 'CreateDatasetGroup', () => {
        const max = w.quotas.datasetGroups;
        const limit = { max, counts: live, message: `You have reached the maximum number of dataset groups (${max}) in this region.` };
        return w.add('dataset-group', w.arn('dataset-group', input.name), input.name, { ...input }, limit).arn;
      }),
    deleteDatasetGroup: (arn) =>
      c.remove(P, 'DeleteDatasetGroup', () => {
        const g = w.find(arn, 'dataset-group');
        w.requireSettled(g);
        if (w.all('dataset').some((d) => d.input['datasetGroupArn'] === arn) || w.all('solution').some((s) => s.input['datasetGroupArn'] === arn)) {
          inUse(`Dataset group ${arn} still contains datasets or solutions. Delete them first.`);
        }
        w.startDelete(g);
      }),
    listDatasetGroups: () => list('ListDatasetGroups', undefined, () => w.all('dataset-group').map(groupInfo)),

    describeSchema: (arn) => c.read(P, 'DescribeSchema', () => schemaInfo(w.find(arn, 'schema'), true)),
    createSchema: (input) =>
      c.run(P, 'CreateSchema', () => {
        let doc: { type?: unknown; fields?: unknown };
        try {
          doc = JSON.parse(input.schema) as { type?: unknown; fields?: unknown };
        } catch {
          fail('InvalidInputException', 'The schema is not valid JSON.');
        }
        if (doc?.type !== 'record' || !Array.isArray(doc.fields)) fail('InvalidInputException', 'The schema must be an Avro record with fields.');
        const limit = { max: w.quotas.schemas, counts: live, message: `You have reached the maximum number of schemas (${w.quotas.schemas}).` };
        // Schemas have no status: usable at once.
        return w.add('schema', w.arn('schema', input.name), input.name, { ...input }, limit, 'ACTIVE').arn;
      }),
    deleteSchema: (arn) =>
      c.remove(P, 'DeleteSchema', () => {
        w.find(arn, 'schema');
        const user = w.all('dataset').find((d) => d.input['schemaArn'] === arn);
        if (user) inUse(`Schema ${arn} is still in use by dataset ${user.arn}. Delete the dataset first.`);
        w.res.delete(arn);
        c.log.push(`delete schema ${arn.split('/').pop()}`);
      }),
    listSchemas: () => list('ListSchemas', undefined, () => w.all('schema').map((s) => schemaInfo(s, false))),

    describeDataset: (arn) => c.read(P, 'DescribeDataset', () => datasetInfo(w.describe(arn, 'dataset'), true)),
    createDataset: (input) =>
      c.run(P, 'CreateDataset', () => {
        const g = w.find(input.datasetGroupArn, 'dataset-group');
        w.find(input.schemaArn, 'schema');
        w.requireActive(g);
        // The dataset ARN names the group and the type, not the dataset.
        return w.add('dataset', w.arn('dataset', `${g.name}/${input.datasetType.toUpperCase()}`), input.name, { ...input }).arn;
      }),
    deleteDataset: (arn) =>
      c.remove(P, 'DeleteDataset', () => {
        const d = w.find(arn, 'dataset');
        w.requireSettled(d);
        const group = d.input['datasetGroupArn'];
        const busy =
          w.all('dataset-import-job', (j) => j.input['datasetArn'] === arn && IN_FLIGHT.has(j.status))[0] ??
          w.all('solution-version', (v) => IN_FLIGHT.has(v.status) && w.res.get(String(v.input['solutionArn']))?.input['datasetGroupArn'] === group)[0];
        if (busy) inUse(`Dataset ${arn} cannot be deleted while ${busy.arn} is ${busy.status}.`);
        w.startDelete(d);
      }),
    listDatasets: (groupArn) =>
      list(
        'ListDatasets',
        () => w.find(groupArn, 'dataset-group'),
        () => w.all('dataset', (d) => d.input['datasetGroupArn'] === groupArn).map((d) => datasetInfo(d, false)),
      ),

    describeDatasetImportJob: (arn) => c.read(P, 'DescribeDatasetImportJob', () => importInfo(w.describe(arn, 'dataset-import-job'), true)),
    createDatasetImportJob: (input) =>
      c.run(P, 'CreateDatasetImportJob', () => {
        w.requireActive(w.find(input.datasetArn, 'dataset'));
        const max = w.quotas.importJobsInFlight;
        const limit = { max, counts: inFlight, message: `You have reached the maximum number of pending or in-progress dataset import jobs (${max}).` };
        return w.add('dataset-import-job', w.arn('dataset-import-job', input.name), input.name, { ...input }, limit).arn;
      }),
    listDatasetImportJobs: (datasetArn) =>
      list('ListDatasetImportJobs', undefined, () => w.all('dataset-import-job', (j) => j.input['datasetArn'] === datasetArn).map((j) => importInfo(j, false))),

    describeSolution: (arn) => c.read(P, 'DescribeSolution', () => solutionInfo(w.describe(arn, 'solution'), true)),
    createSolution: (input) =>
      c.run(P, 'CreateSolution', () => {
        const g = w.find(input.datasetGroupArn, 'dataset-group');
        if (!RECIPES.has(input.recipeArn)) fail('ResourceNotFoundException', `Could not find resource of type recipe with arn = ${input.recipeArn}`);
        w.requireActive(g);
        const limit = perGroup(g.arn, w.quotas.solutionsPerGroup, 'solutions');
        return w.add('solution', w.arn('solution', input.name), input.name, { ...input }, limit).arn;
      }),
    updateSolution: ({ arn, performAutoTraining }) =>
      c.run(P, 'UpdateSolution', () => {
        const s = w.find(arn, 'solution');
        w.requireActive(s);
        s.input['performAutoTraining'] = performAutoTraining;
        c.log.push(`update solution ${s.name}`);
      }),
    deleteSolution: (arn) =>
      c.remove(P, 'DeleteSolution', () => {
        const s = w.find(arn, 'solution');
        w.requireSettled(s);
        const training = w.all('solution-version', (v) => v.input['solutionArn'] === arn && IN_FLIGHT.has(v.status))[0];
        if (training) inUse(`Solution ${arn} cannot be deleted while solution version ${training.arn} is ${training.status}.`);
        w.startDelete(s);
      }),
    listSolutions: (groupArn) =>
      list(
        'ListSolutions',
        () => w.find(groupArn, 'dataset-group'),
        () => w.all('solution', (s) => s.input['datasetGroupArn'] === groupArn).map((s) => solutionInfo(s, false)),
      ),

    describeSolutionVersion: (arn) => c.read(P, 'DescribeSolutionVersion', () => versionInfo(w.describe(arn, 'solution-version'), true)),
    createSolutionVersion: (input) =>
      c.run(P, 'CreateSolutionVersion', () => {
        const s = w.find(input.solutionArn, 'solution');
        w.requireActive(s);
        if (input.trainingMode !== 'FULL')
          fail('InvalidInputException', `trainingMode ${input.trainingMode} is not supported for ${String(s.input['recipeArn'])}; use FULL.`);
        const busy = w.all('solution-version', (v) => v.input['solutionArn'] === s.arn && IN_FLIGHT.has(v.status))[0];
        if (busy) inUse(`Solution ${s.arn} already has solution version ${busy.arn} in ${busy.status}.`);
        const max = w.quotas.versionsInFlight;
        const limit = { max, counts: inFlight, message: `You have reached the maximum number of pending or in-progress solution versions (${max}).` };
        const arn = w.versionArn(s.arn);
        return w.add('solution-version', arn, arn.split('/').pop()!, { ...input }, limit).arn;
      }),
    stopSolutionVersionCreation: (arn) =>
      c.run(P, 'StopSolutionVersionCreation', () => {
        const v = w.find(arn, 'solution-version');
        // CREATE PENDING stops at once; the fake has no CREATE IN_PROGRESS.
        if (v.status !== 'CREATE PENDING') inUse(`Solution version ${arn} cannot be stopped in status ${v.status}.`);
        v.status = 'CREATE STOPPED';
        c.log.push(`stop solution-version ${v.name}`);
      }),
    listSolutionVersions: (solutionArn) =>
      list(
        'ListSolutionVersions',
        () => w.find(solutionArn, 'solution'),
        () => w.all('solution-version', (v) => v.input['solutionArn'] === solutionArn).map((v) => versionInfo(v, false)),
      ),
    getSolutionMetrics: (arn) =>
      c.run(P, 'GetSolutionMetrics', () => {
        const v = w.find(arn, 'solution-version');
        if (v.status !== 'ACTIVE') inUse(`Solution version ${arn} is ${v.status}; metrics are available once it is ACTIVE.`);
        return { ...w.metrics };
      }),

    describeBatchSegmentJob: (arn) => c.read(P, 'DescribeBatchSegmentJob', () => segmentInfo(w.describe(arn, 'batch-segment-job'), true)),
    createBatchSegmentJob: (input) =>
      c.run(P, 'CreateBatchSegmentJob', () => {
        w.requireActive(w.find(input.solutionVersionArn, 'solution-version'));
        if (input.filterArn) w.requireActive(w.find(input.filterArn, 'filter'));
        const max = w.quotas.segmentJobsInFlight;
        const limit = { max, counts: inFlight, message: `You have reached the maximum number of pending or in-progress batch segment jobs (${max}).` };
        return w.add('batch-segment-job', w.arn('batch-segment-job', input.name), input.name, { ...input }, limit).arn;
      }),
    listBatchSegmentJobs: (filter) =>
      list('ListBatchSegmentJobs', undefined, () =>
        w
          .all('batch-segment-job', (j) => !filter?.solutionVersionArn || j.input['solutionVersionArn'] === filter.solutionVersionArn)
          .map((j) => segmentInfo(j, false)),
      ),

    describeFilter: (arn) => c.read(P, 'DescribeFilter', () => filterInfo(w.describe(arn, 'filter'), true)),
    createFilter: (input) =>
      c.run(P, 'CreateFilter', () => {
        if (!/^\s*(INCLUDE|EXCLUDE)\s+(ItemID|UserID)\s+WHERE\s+\S/.test(input.filterExpression))
          fail('InvalidInputException', `Invalid filter expression: ${input.filterExpression}.`);
        const g = w.find(input.datasetGroupArn, 'dataset-group');
        w.requireActive(g);
        return w.add('filter', w.arn('filter', input.name), input.name, { ...input }, perGroup(g.arn, w.quotas.filtersPerGroup, 'filters')).arn;
      }),
    deleteFilter: (arn) =>
      c.remove(P, 'DeleteFilter', () => {
        const f = w.find(arn, 'filter');
        w.requireSettled(f);
        w.startDelete(f);
      }),
    listFilters: (groupArn) =>
      list('ListFilters', undefined, () => w.all('filter', (f) => f.input['datasetGroupArn'] === groupArn).map((f) => filterInfo(f, false))),

    listTagsForResource: (arn) => c.run(P, 'ListTagsForResource', () => ({ ...taggable(arn).tags })),
    tagResource: (arn, tags) =>
      c.run(P, 'TagResource', () => {
        const r = taggable(arn);
        const merged = { ...r.tags, ...tags };
        if (Object.keys(merged).length > 50) fail('TooManyTagsException', 'A resource can have at most 50 tags.');
        r.tags = merged;
      }),
    untagResource: (arn, keys) =>
      c.run(P, 'UntagResource', () => {
        const r = taggable(arn);
        for (const k of keys) delete r.tags[k];
      }),
  };
}
