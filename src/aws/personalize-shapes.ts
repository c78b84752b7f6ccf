/**
 * Personalize SDK shapes -> the port's Info types. Describe and List answers share these: a summary is a subset of
 * the full shape (read as the full one, its missing fields are undefined). A missing ARN, name or status becomes ''
 * so that the Info types can keep them required.
 */
import type {
  BatchSegmentJob,
  BatchSegmentJobSummary,
  Dataset,
  DatasetGroup,
  DatasetGroupSummary,
  DatasetImportJob,
  DatasetImportJobSummary,
  DatasetSchema,
  DatasetSchemaSummary,
  DatasetSummary,
  Filter,
  FilterSummary,
  Solution,
  SolutionSummary,
  SolutionVersion,
  SolutionVersionSummary,
} from '@aws-sdk/client-personalize';
import type { DatasetGroupInfo, DatasetInfo, FilterInfo, ImportJobInfo, SchemaInfo, SegmentJobInfo, SolutionInfo, SolutionVersionInfo } from './ports.js';

/** Copies only defined values: the Info types use optional fields, never explicit undefined. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
}

export function datasetGroupInfo(g: DatasetGroup | DatasetGroupSummary): DatasetGroupInfo {
  return defined({ arn: g.datasetGroupArn ?? '', name: g.name ?? '', status: g.status ?? '', failureReason: g.failureReason, createdAt: g.creationDateTime });
}

export function schemaInfo(s: DatasetSchema | DatasetSchemaSummary): SchemaInfo {
  return defined({ arn: s.schemaArn ?? '', name: s.name ?? '', schema: (s as DatasetSchema).schema, createdAt: s.creationDateTime });
}

export function datasetInfo(d: Dataset | DatasetSummary, datasetGroupArn?: string): DatasetInfo {
  return defined({
    arn: d.datasetArn ?? '',
    name: d.name ?? '',
    status: d.status ?? '',
    datasetType: d.datasetType,
    schemaArn: (d as Dataset).schemaArn,
    datasetGroupArn: (d as Dataset).datasetGroupArn ?? datasetGroupArn,
    createdAt: d.creationDateTime,
  });
}

export function importJobInfo(j: DatasetImportJob | DatasetImportJobSummary, datasetArn?: string): ImportJobInfo {
  const full = j as DatasetImportJob;
  return defined({
    arn: j.datasetImportJobArn ?? '',
    name: j.jobName ?? '',
    status: j.status ?? '',
    failureReason: j.failureReason,
    datasetArn: full.datasetArn ?? datasetArn,
    dataLocation: full.dataSource?.dataLocation,
    roleArn: full.roleArn,
    createdAt: j.creationDateTime,
  });
}

export function solutionInfo(s: Solution | SolutionSummary, datasetGroupArn?: string): SolutionInfo {
  const full = s as Solution;
  const latest = full.latestSolutionVersion;
  return defined({
    arn: s.solutionArn ?? '',
    name: s.name ?? '',
    status: s.status ?? '',
    recipeArn: s.recipeArn,
    datasetGroupArn: full.datasetGroupArn ?? datasetGroupArn,
    performAutoTraining: full.performAutoTraining,
    hiddenDimension: full.solutionConfig?.algorithmHyperParameters?.['hidden_dimension'],
    latestVersion: latest?.solutionVersionArn
      ? defined({ arn: latest.solutionVersionArn, status: latest.status ?? '', failureReason: latest.failureReason })
      : undefined,
    createdAt: s.creationDateTime,
  });
}

export function solutionVersionInfo(v: SolutionVersion | SolutionVersionSummary, solutionArn?: string): SolutionVersionInfo {
  const full = v as SolutionVersion;
  return defined({
    arn: v.solutionVersionArn ?? '',
    status: v.status ?? '',
    failureReason: v.failureReason,
    solutionArn: full.solutionArn ?? solutionArn,
    trainingHours: full.trainingHours,
    trainingMode: v.trainingMode,
    createdAt: v.creationDateTime,
  });
}

export function segmentJobInfo(j: BatchSegmentJob | BatchSegmentJobSummary): SegmentJobInfo {
  const full = j as BatchSegmentJob;
  return defined({
    arn: j.batchSegmentJobArn ?? '',
    name: j.jobName ?? '',
    status: j.status ?? '',
    failureReason: j.failureReason,
    solutionVersionArn: j.solutionVersionArn,
    numResults: full.numResults,
    inputPath: full.jobInput?.s3DataSource?.path,
    outputPath: full.jobOutput?.s3DataDestination?.path,
    filterArn: full.filterArn,
    roleArn: full.roleArn,
    createdAt: j.creationDateTime,
  });
}

export function filterInfo(f: Filter | FilterSummary): FilterInfo {
  return defined({
    arn: f.filterArn ?? '',
    name: f.name ?? '',
    status: f.status ?? '',
    failureReason: f.failureReason,
    datasetGroupArn: f.datasetGroupArn,
    filterExpression: (f as Filter).filterExpression,
    createdAt: f.creationDateTime,
  });
}
