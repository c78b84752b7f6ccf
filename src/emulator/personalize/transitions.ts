import { rm } from 'node:fs/promises';
import type { Emu } from '../context.js';
import type { PzRecord } from '../store/state.js';
import { find, forget, resources, setStatus } from './resources.js';
import { modelDirOf } from './data-files.js';

/**
 * Status walks of resources that do no real work (dataset groups, datasets, solutions, filters, deletions):
 * one status step per lifecycle tick, each persisted. A step only applies if the resource is still in the
 * status the previous step left, so a concurrent delete or stop wins.
 */
export function walk(emu: Emu, arn: string, from: string, steps: string[], done?: (r: PzRecord) => Promise<void> | void): void {
  const [next, ...rest] = steps;
  if (next === undefined) return;
  emu.lifecycle.after(1, async () => {
    const r = resources(emu)[arn];
    if (!r || r.status !== from) return;
    setStatus(r, next);
    await emu.store.commit();
    if (rest.length > 0) walk(emu, arn, next, rest, done);
    else if (done) await done(r);
  });
}

export const FORCED_FAILURE = (op: string) => `Injected failure: the emulator was started with --faults fail=${op}.`;

/** A create that fault injection turns into CREATE FAILED after the usual first step. */
export function walkToFailure(emu: Emu, arn: string, op: string): void {
  emu.lifecycle.after(1, async () => {
    const r = resources(emu)[arn];
    if (!r || r.status !== 'CREATE PENDING') return;
    setStatus(r, 'CREATE FAILED', FORCED_FAILURE(op));
    await emu.store.commit();
  });
}

/** Create walk of a simple resource: CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE (or forced failure). */
export function walkCreate(emu: Emu, arn: string, op: string): void {
  if (emu.faults.forcesFailure(op)) walkToFailure(emu, arn, op);
  else walk(emu, arn, 'CREATE PENDING', ['CREATE IN_PROGRESS', 'ACTIVE']);
}

/** Starts an asynchronous delete: DELETE PENDING [-> DELETE IN_PROGRESS] -> gone (with dependents). */
export function startDelete(emu: Emu, r: PzRecord, arn: string): void {
  setStatus(r, 'DELETE PENDING');
  continueDelete(emu, arn, r);
}

export function continueDelete(emu: Emu, arn: string, r: PzRecord): void {
  // Dataset groups list no DELETE IN_PROGRESS status in the model; datasets and solutions do.
  const viaInProgress = r._kind === 'dataset' || r._kind === 'solution';
  if (r.status === 'DELETE PENDING' && viaInProgress) {
    walk(emu, arn, 'DELETE PENDING', ['DELETE IN_PROGRESS'], () => finishDeleteLater(emu, arn));
  } else {
    finishDeleteLater(emu, arn);
  }
}

function finishDeleteLater(emu: Emu, arn: string): void {
  emu.lifecycle.after(1, async () => {
    const r = resources(emu)[arn];
    if (!r || !r.status?.startsWith('DELETE')) return;
    const blobs = await removeWithDependents(emu, arn, r);
    await emu.store.commit();
    for (const b of blobs) await emu.blobs.remove(b);
  });
}

/** Forgets the resource and what goes with it; returns blobs that are no longer referenced. */
async function removeWithDependents(emu: Emu, arn: string, r: PzRecord): Promise<string[]> {
  const blobs: string[] = [];
  if (r._kind === 'solution') {
    for (const [vArn, v] of Object.entries(resources(emu))) {
      if (v._kind === 'solutionVersion' && v.solutionArn === arn) {
        forget(emu, vArn);
        await rm(modelDirOf(emu, vArn), { recursive: true, force: true });
      }
    }
  }
  if (r._kind === 'datasetGroup') {
    for (const [fArn, f] of Object.entries(resources(emu))) {
      if (f._kind === 'filter' && f.datasetGroupArn === arn) forget(emu, fArn);
    }
  }
  if (r._kind === 'dataset') {
    // Import jobs cannot be deleted and stay listed; the imported rows go with the dataset.
    for (const b of (r._data as string[] | undefined) ?? []) blobs.push(b);
  }
  forget(emu, arn);
  return blobs;
}

/** After a restart: simple walks continue where they were. Jobs are resumed by their own modules. */
export function resumeWalks(emu: Emu): void {
  for (const [arn, r] of Object.entries(resources(emu))) {
    if (!['datasetGroup', 'dataset', 'solution', 'filter'].includes(r._kind)) continue;
    if (r.status === 'CREATE PENDING') walk(emu, arn, 'CREATE PENDING', ['CREATE IN_PROGRESS', 'ACTIVE']);
    else if (r.status === 'CREATE IN_PROGRESS') walk(emu, arn, 'CREATE IN_PROGRESS', ['ACTIVE']);
    else if (r.status?.startsWith('DELETE')) continueDelete(emu, arn, r);
    const update = r.latestSolutionUpdate as { status?: string } | undefined;
    if (r._kind === 'solution' && update && update.status !== 'ACTIVE' && update.status !== 'CREATE FAILED') {
      emu.lifecycle.after(1, async () => {
        const s = find(emu, arn, 'solution');
        const u = s?.latestSolutionUpdate as { status?: string; lastUpdatedDateTime?: number } | undefined;
        if (!u) return;
        u.status = 'ACTIVE';
        u.lastUpdatedDateTime = Date.now();
        await emu.store.commit();
      });
    }
  }
}
