import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'node:test';
import { applyPipeline, type ApplyOptions } from '../../src/engine/apply.js';
import { destroyPipeline } from '../../src/engine/destroy.js';
import type { EngineDeps } from '../../src/engine/deps.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { Plan } from '../../src/plan/types.js';
import type { Spec } from '../../src/spec/types.js';
import { FakeAws, type FakeAwsOptions } from './fake-aws.js';
import { fakeDeps } from './engine-fakes.js';
import { testSpec, type TestSpecOptions } from './spec.js';

/** The engine tests' pipeline: testSpec's `demo`, users with 2 interactions or more kept, no bad row allowed. */
export function engineSpec(o: TestSpecOptions = {}): Spec {
  return testSpec({ ...o, interactions: { minInteractionsPerUser: 2, maxBadRows: 0, ...o.interactions } });
}

/**
 * apply and destroy as the engine's unit tests run them: fast polls, auto-approved, events collected. `where`
 * is read at each call, so a test file can swap its fake world and working directory in beforeEach.
 */
export function engineRunner(where: () => { deps: EngineDeps; cwd: string }) {
  /** Applies; a run that did not all work rejects with its error (its summary attached for inspection). */
  async function apply(spec: Spec, extra: Partial<ApplyOptions> = {}) {
    const events: EngineEvent[] = [];
    const outcome = await applyPipeline({
      spec,
      ...where(),
      signal: new AbortController().signal,
      emit: (e) => events.push(e),
      autoApprove: true,
      approveCost: false,
      pollInitialMs: 1,
      pollMaxMs: 2,
      ...extra,
    });
    if (!outcome.ok) throw outcome.error;
    const plan = (events.find((e) => e.type === 'plan') as { plan: Plan }).plan;
    return { summary: outcome.summary, plan, events };
  }

  function destroy(spec: Spec, keepData = false) {
    return destroyPipeline({ spec, ...where(), signal: new AbortController().signal, emit: () => undefined, keepData, pollInitialMs: 1, pollMaxMs: 2 });
  }

  /** Each step's planned action by id. */
  function actions(plan: Plan): Record<string, string> {
    return Object.fromEntries(plan.steps.map((s) => [s.id, s.action]));
  }

  return { apply, destroy, actions };
}

/** What a test of the engine works on: the fake cloud, the engine's dependencies on it, a working directory. */
export interface FakeEngine {
  world: FakeAws;
  deps: EngineDeps;
  cwd: string;
}

/**
 * Registers, in the test file or describe block it is called in, a fresh fake world (with these options), its
 * engine dependencies and a temporary working directory before each test, the directory removed after it. The
 * fields are replaced for each test, so read them through the returned object (a test may replace them too); its
 * apply, destroy and actions run on whatever they hold at the call.
 */
export function useFakeEngine(options: FakeAwsOptions = {}): FakeEngine & ReturnType<typeof engineRunner> {
  const at = {} as FakeEngine;
  beforeEach(async () => {
    at.world = new FakeAws(options);
    at.deps = fakeDeps(at.world);
    at.cwd = await mkdtemp(join(tmpdir(), 'segflow-engine-'));
  });
  afterEach(() => rm(at.cwd, { recursive: true, force: true }));
  return Object.assign(
    at,
    engineRunner(() => ({ deps: at.deps, cwd: at.cwd })),
  );
}
