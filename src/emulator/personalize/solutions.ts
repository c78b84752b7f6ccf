import { ApiError } from '../api-error.js';
import type { PzOperations } from './handler.js';
import { readOps } from './read-ops.js';
import type { Input } from './validate.js';
import { recipeByArn } from './recipes.js';
import {
  alreadyExists,
  DELETING,
  IN_FLIGHT,
  inUse,
  mustFind,
  newRecord,
  ofKind,
  pzArn,
  render,
  requireStatus,
  resources,
  setTags,
  SETTLED,
} from './resources.js';
import { startDelete, walkCreate } from './transitions.js';
import { checkActive } from './quotas.js';
import { ARN, NAME, readTags } from './validate.js';

const SCHEDULE = /^rate\(\d+ days?\)$/;
const DEFAULT_SCHEDULE = 'rate(7 days)';

/** hidden_dimension is the recipes' only hyperparameter: an integer in [32, 256] (default 149). */
function readSolutionConfig(input: Input): Record<string, unknown> | undefined {
  const config = input.obj('solutionConfig');
  if (!config) return undefined;
  const hp = config.stringMap('algorithmHyperParameters', { max: 100, keyMax: 256, valueMax: 1000 });
  for (const [k, v] of Object.entries(hp ?? {})) {
    if (k !== 'hidden_dimension')
      throw new ApiError('InvalidInputException', `Unknown hyperparameter ${k} for this recipe; the only hyperparameter is hidden_dimension.`);
    const n = Number(v);
    if (!Number.isInteger(n) || n < 32 || n > 256)
      throw new ApiError('InvalidInputException', `hidden_dimension must be an integer between 32 and 256, not '${v}'.`);
  }
  if (config.obj('hpoConfig')) throw new ApiError('InvalidInputException', 'Hyperparameter optimization is not supported for USER_SEGMENTATION recipes.');
  const auto = config.obj('autoTrainingConfig');
  auto?.str('schedulingExpression', { max: 16, pattern: SCHEDULE, patternText: 'rate\\(\\d+ days?\\)' });
  return input.plain('solutionConfig');
}

export const solutionOps: PzOperations = {
  ...readOps({
    kind: 'solution',
    name: 'Solution',
    arnMember: 'solutionArn',
    key: 'solution',
    listKey: 'solutions',
    summary: ['name', 'solutionArn', 'status', 'creationDateTime', 'lastUpdatedDateTime', 'recipeArn'],
    parent: { member: 'datasetGroupArn', field: 'datasetGroupArn', mustExist: 'datasetGroup' },
  }),
  async CreateSolution(emu, input, info) {
    const name = input.requiredStr('name', { min: 1, ...NAME });
    const datasetGroupArn = input.requiredStr('datasetGroupArn', ARN);
    const recipeArn = input.str('recipeArn', ARN);
    const performHPO = input.bool('performHPO') ?? false;
    const performAutoML = input.bool('performAutoML') ?? false;
    // AWS default: true — a new solution retrains every 7 days unless told otherwise.
    const performAutoTraining = input.bool('performAutoTraining') ?? true;
    const performIncrementalUpdate = input.bool('performIncrementalUpdate');
    const eventType = input.str('eventType', { max: 256 });
    const solutionConfig = readSolutionConfig(input);
    const tags = readTags(input);
    if (performAutoML) throw new ApiError('InvalidInputException', 'AutoML is not supported for USER_SEGMENTATION recipes; set recipeArn.');
    if (!recipeArn) throw new ApiError('InvalidInputException', 'recipeArn is required when performAutoML is false.');
    if (performHPO) throw new ApiError('InvalidInputException', 'Hyperparameter optimization is not supported for this recipe.');
    if (performIncrementalUpdate) throw new ApiError('InvalidInputException', 'performIncrementalUpdate is only supported for the Semantic-Similarity recipe.');
    const dsg = mustFind(emu, info, datasetGroupArn, 'datasetGroup');
    if (!recipeByArn(recipeArn)) throw new ApiError('ResourceNotFoundException', `Could not find resource of type recipe with arn = ${recipeArn}`);
    requireStatus(dsg, datasetGroupArn, 'ACTIVE', 'dataset group');
    const arn = pzArn(info, 'solution', name);
    if (resources(emu)[arn]) throw alreadyExists(arn);
    checkActive(
      emu,
      'solutionsPerDatasetGroup',
      'solution',
      ofKind(emu, info, 'solution', (s) => s.datasetGroupArn === datasetGroupArn && !DELETING.has(s.status ?? '')).length,
    );
    const config = performAutoTraining
      ? { ...(solutionConfig ?? {}), autoTrainingConfig: { schedulingExpression: DEFAULT_SCHEDULE, ...((solutionConfig?.autoTrainingConfig as object) ?? {}) } }
      : solutionConfig;
    resources(emu)[arn] = newRecord(emu, info, 'solution', {
      name,
      solutionArn: arn,
      performHPO,
      performAutoML,
      performAutoTraining,
      performIncrementalUpdate: false,
      recipeArn,
      datasetGroupArn,
      eventType,
      solutionConfig: config,
      status: 'CREATE PENDING',
    });
    setTags(emu, arn, tags);
    await emu.store.commit();
    walkCreate(emu, arn, 'CreateSolution');
    return { solutionArn: arn };
  },

  async DescribeSolution(emu, input, info) {
    const arn = input.requiredStr('solutionArn', ARN);
    const s = mustFind(emu, info, arn, 'solution');
    const latest = Object.values(resources(emu))
      .filter((v) => v._kind === 'solutionVersion' && v.solutionArn === arn)
      .sort((a, b) => b._createdSeq - a._createdSeq)[0];
    const fields = ['solutionVersionArn', 'status', 'trainingMode', 'trainingType', 'creationDateTime', 'lastUpdatedDateTime', 'failureReason'];
    return { solution: { ...render(s), ...(latest ? { latestSolutionVersion: render(latest, fields) } : {}) } };
  },

  async DeleteSolution(emu, input, info) {
    const arn = input.requiredStr('solutionArn', ARN);
    const s = mustFind(emu, info, arn, 'solution');
    if (!SETTLED.has(s.status ?? '')) throw inUse(`Solution ${arn} cannot be deleted while its status is ${s.status}.`);
    const training = Object.values(resources(emu)).find((v) => v._kind === 'solutionVersion' && v.solutionArn === arn && IN_FLIGHT.has(v.status ?? ''));
    if (training)
      throw inUse(
        `Solution ${arn} cannot be deleted while solution version ${String(training.solutionVersionArn)} is ${training.status}. Stop it with StopSolutionVersionCreation first.`,
      );
    startDelete(emu, s, arn);
    await emu.store.commit();
    return {};
  },

  async UpdateSolution(emu, input, info) {
    const arn = input.requiredStr('solutionArn', ARN);
    const performAutoTraining = input.bool('performAutoTraining');
    const performIncrementalUpdate = input.bool('performIncrementalUpdate');
    const updateConfig = input.obj('solutionUpdateConfig');
    const autoConfig = updateConfig?.obj('autoTrainingConfig');
    autoConfig?.str('schedulingExpression', { max: 16, pattern: SCHEDULE, patternText: 'rate\\(\\d+ days?\\)' });
    if (performIncrementalUpdate) throw new ApiError('InvalidInputException', 'performIncrementalUpdate is only supported for the Semantic-Similarity recipe.');
    const s = mustFind(emu, info, arn, 'solution');
    requireStatus(s, arn, 'ACTIVE', 'solution');
    const pending = s.latestSolutionUpdate as { status?: string } | undefined;
    if (pending && pending.status !== 'ACTIVE' && pending.status !== 'CREATE FAILED') throw inUse(`Solution ${arn} already has an update in progress.`);
    const now = Date.now();
    if (performAutoTraining !== undefined) s.performAutoTraining = performAutoTraining;
    const schedule = autoConfig?.str('schedulingExpression');
    if (schedule) s.solutionConfig = { ...(s.solutionConfig ?? {}), autoTrainingConfig: { schedulingExpression: schedule } };
    const update = {
      solutionUpdateConfig: updateConfig ? input.plain('solutionUpdateConfig') : undefined,
      status: 'CREATE PENDING',
      performAutoTraining: s.performAutoTraining,
      performIncrementalUpdate: false,
      creationDateTime: now,
      lastUpdatedDateTime: now,
    };
    s.latestSolutionUpdate = update;
    s.lastUpdatedDateTime = now;
    await emu.store.commit();
    const step = (status: string, then?: () => void) =>
      emu.lifecycle.after(1, async () => {
        const cur = resources(emu)[arn]?.latestSolutionUpdate as typeof update | undefined;
        if (cur !== update && cur?.creationDateTime !== now) return;
        const u = cur;
        u.status = status;
        u.lastUpdatedDateTime = Date.now();
        await emu.store.commit();
        then?.();
      });
    step('CREATE IN_PROGRESS', () => step('ACTIVE'));
    return { solutionArn: arn };
  },
};
