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
import { modelOf, modelsOf, segmentationSteps } from './segmentation-ids.js';
import { solutionStep } from './solution.js';
import { trainingStep } from './training.js';
import type { StepDefinition } from './types.js';
import { uploadStep } from './upload.js';

/**
 * The pipeline's steps in a topological order (every step after its dependencies). Shared: prepare, bucket, role,
 * the dataset group, schemas, datasets, upload and imports (items steps only with data.items, users steps only with
 * data.users: the recipes do not train on users, only a filter reads them). Per model (a distinct recipe and
 * training): solution, training, metrics. Per segmentation: its filter (with segments.filter), one batch segment job
 * per chunk of its queries (`chunks`, by segmentation name, from the prepared data; 1 when unknown), download and
 * delivery, report. Adding a segmentation or a chunk adds steps; the walks over them stay the same.
 */
export function pipelineSteps(spec: Spec, chunks: Record<string, number> = {}): StepDefinition[] {
  const withItems = Boolean(spec.data.items);
  const withUsers = Boolean(spec.data.users);
  const experiment = spec.split !== undefined;
  const models = modelsOf(spec);
  const perSegmentation = spec.segmentations.flatMap((seg) => {
    const ids = segmentationSteps(seg, chunks[seg.name] ?? 1);
    const model = modelOf(spec, seg);
    return [
      ...(ids.filter ? [filterStep(seg, ids.filter)] : []),
      ...ids.segments.map((_, i) => segmentsStep(seg, model, ids, i + 1)),
      downloadStep(seg, model, ids),
      evaluateStep(seg, ids, experiment),
    ];
  });
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
    ...models.flatMap((m) => [solutionStep(m, withItems), trainingStep(m, withItems), metricsStep(m)]),
    ...perSegmentation,
  ];
}
