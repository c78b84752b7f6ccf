import type { Spec } from '../spec/types.js';
import { bucketStep } from './bucket.js';
import { datasetGroupStep } from './dataset-group.js';
import { datasetStep } from './dataset.js';
import { downloadStep } from './download.js';
import { evaluateStep } from './evaluate.js';
import { filterStep } from './filter.js';
import { importStep } from './import-job.js';
import { metricsStep } from './metrics.js';
import { prepareStep } from './prepare.js';
import { roleStep } from './role.js';
import { schemaStep } from './schema.js';
import { segmentsStep } from './segments.js';
import { solutionStep } from './solution.js';
import { trainingStep } from './training.js';
import type { StepDefinition } from './types.js';
import { uploadStep } from './upload.js';

/**
 * The pipeline's steps in a topological order (every step after its dependencies). Items steps exist only when
 * the spec has data.items; training then also waits for the items import. Users steps exist only with data.users
 * (the recipes do not train on them: only a filter reads them). The filter step exists only with
 * segments.filter; the batch segment job then waits for it.
 */
export function pipelineSteps(spec: Spec): StepDefinition[] {
  const withItems = Boolean(spec.data.items);
  const withUsers = Boolean(spec.data.users);
  const withFilter = Boolean(spec.segments.filter);
  const training: StepDefinition = withItems
    ? { ...trainingStep, deps: [...trainingStep.deps, 'import-items'] }
    : trainingStep;
  const solution: StepDefinition = withItems ? { ...solutionStep, deps: [...solutionStep.deps, 'dataset-items'] } : solutionStep;
  const segments: StepDefinition = withFilter ? { ...segmentsStep, deps: [...segmentsStep.deps, 'filter'] } : segmentsStep;
  return [
    prepareStep,
    bucketStep,
    roleStep,
    datasetGroupStep,
    schemaStep('interactions'),
    ...(withItems ? [schemaStep('items')] : []),
    ...(withUsers ? [schemaStep('users')] : []),
    datasetStep('interactions'),
    ...(withItems ? [datasetStep('items')] : []),
    ...(withUsers ? [datasetStep('users')] : []),
    uploadStep,
    importStep('interactions'),
    ...(withItems ? [importStep('items')] : []),
    ...(withUsers ? [importStep('users')] : []),
    solution,
    training,
    metricsStep,
    ...(withFilter ? [filterStep(spec)] : []),
    segments,
    downloadStep,
    evaluateStep,
  ];
}

