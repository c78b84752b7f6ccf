import { randomBytes } from 'node:crypto';
import { ApiError } from '../api-error.js';
import type { PzOperations } from './handler.js';
import { readOps } from './read-ops.js';
import { alreadyExists, IN_FLIGHT, inUse, mustFind, newRecord, ofKind, requireStatus, resources, setStatus, setTags } from './resources.js';
import { runTraining, stopTraining } from './training.js';
import { checkInFlight } from './quotas.js';
import { ARN, NAME, readTags } from './validate.js';

export const solutionVersionOps: PzOperations = {
  ...readOps({
    kind: 'solutionVersion',
    name: 'SolutionVersion',
    arnMember: 'solutionVersionArn',
    key: 'solutionVersion',
    listKey: 'solutionVersions',
    summary: ['solutionVersionArn', 'status', 'trainingMode', 'trainingType', 'creationDateTime', 'lastUpdatedDateTime', 'failureReason'],
    parent: { member: 'solutionArn', field: 'solutionArn', mustExist: 'solution' },
  }),
  async CreateSolutionVersion(emu, input, info) {
    const solutionArn = input.requiredStr('solutionArn', ARN);
    const name = input.str('name', { min: 1, ...NAME });
    const trainingMode = input.str('trainingMode', { enum: ['FULL', 'UPDATE', 'AUTOTRAIN'] }) ?? 'FULL';
    const tags = readTags(input);
    const s = mustFind(emu, info, solutionArn, 'solution');
    requireStatus(s, solutionArn, 'ACTIVE', 'solution');
    if (trainingMode !== 'FULL')
      throw new ApiError('InvalidInputException', `trainingMode ${trainingMode} is not supported for ${String(s.recipeArn)}; use FULL.`);
    const versions = Object.values(resources(emu)).filter((v) => v._kind === 'solutionVersion' && v.solutionArn === solutionArn);
    const busy = versions.find((v) => IN_FLIGHT.has(v.status ?? ''));
    if (busy) throw inUse(`Solution ${solutionArn} already has solution version ${String(busy.solutionVersionArn)} in ${busy.status}.`);
    if (name && versions.some((v) => v.name === name)) throw alreadyExists(`${solutionArn} (solution version name ${name})`);
    checkInFlight(emu, 'solutionVersionsInFlight', ofKind(emu, info, 'solutionVersion', (v) => IN_FLIGHT.has(v.status ?? '')).length);
    let arn: string;
    do arn = `${solutionArn}/${randomBytes(4).toString('hex')}`;
    while (resources(emu)[arn]);
    resources(emu)[arn] = newRecord(emu, info, 'solutionVersion', {
      name,
      solutionVersionArn: arn,
      solutionArn,
      performHPO: s.performHPO,
      performAutoML: s.performAutoML,
      performIncrementalUpdate: false,
      recipeArn: s.recipeArn,
      eventType: s.eventType,
      datasetGroupArn: s.datasetGroupArn,
      solutionConfig: s.solutionConfig,
      trainingMode,
      trainingType: 'MANUAL',
      status: 'CREATE PENDING',
    });
    setTags(emu, arn, tags);
    await emu.store.commit();
    runTraining(emu, arn);
    return { solutionVersionArn: arn };
  },

  async StopSolutionVersionCreation(emu, input, info) {
    const arn = input.requiredStr('solutionVersionArn', ARN);
    const v = mustFind(emu, info, arn, 'solutionVersion');
    if (v.status === 'CREATE PENDING') {
      setStatus(v, 'CREATE STOPPED');
    } else if (v.status === 'CREATE IN_PROGRESS') {
      setStatus(v, 'CREATE STOPPING');
      stopTraining(emu, arn);
    } else {
      throw inUse(`Solution version ${arn} cannot be stopped in status ${v.status}; only CREATE PENDING or CREATE IN_PROGRESS versions can.`);
    }
    await emu.store.commit();
    return {};
  },

  async GetSolutionMetrics(emu, input, info) {
    const arn = input.requiredStr('solutionVersionArn', ARN);
    const v = mustFind(emu, info, arn, 'solutionVersion');
    if (v.status !== 'ACTIVE') throw inUse(`Solution version ${arn} is ${v.status}; metrics are available once it is ACTIVE.`);
    return { solutionVersionArn: arn, metrics: v._metrics ?? {} };
  },
};
