import type { Emu } from '../context.js';
import type { EmulatorState } from '../store/state.js';
import { runImportJob } from './import-jobs.js';
import { IN_FLIGHT, resources } from './resources.js';
import { resumeSegmentJobs } from './segmenting.js';
import { resumeTraining } from './training.js';
import { resumeWalks } from './transitions.js';

/** On start: everything that was in flight when the last emulator stopped (even by kill -9) continues. */
export function resumePersonalize(emu: Emu): void {
  resumeWalks(emu);
  for (const [arn, j] of Object.entries(resources(emu))) {
    if (j._kind === 'datasetImportJob' && IN_FLIGHT.has(j.status ?? '')) runImportJob(emu, arn);
  }
  resumeTraining(emu);
  resumeSegmentJobs(emu);
}

/** Blobs Personalize state refers to (imported data). */
export function personalizeBlobs(state: EmulatorState): string[] {
  return Object.values(state.personalize.resources).flatMap((r) => (r._kind === 'dataset' ? ((r._data as string[] | undefined) ?? []) : []));
}
