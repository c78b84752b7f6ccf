import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineSpec, useFakeEngine } from '../../test/support/engine-run.js';
import { withUsersAndFilter } from '../../test/support/spec.js';
import { isSegflowError } from '../util/errors.js';
import { readState } from '../state/store.js';
import { stateFile } from '../util/paths.js';

/**
 * A resource that someone else makes under segflow's name between apply's read and its create: the create answers
 * "already exists", and segflow must not take that resource for its own (it would train, replace or delete it).
 * Only one carrying this pipeline's ownership tag (an SDK retry of segflow's own create) is adopted.
 */
const engine = useFakeEngine();

/** The next create of this kind is beaten to the name by an untagged resource of someone else's. */
function beatenToTheName(kind: 'createSolution' | 'createFilter'): void {
  const port = engine.world.personalize as unknown as Record<string, (input: Record<string, unknown>) => Promise<string>>;
  const original = port[kind]!.bind(port);
  port[kind] = async (input) => {
    port[kind] = original;
    await original({ ...input, tags: { owner: 'someone-else' } });
    return original(input);
  };
}

for (const [kind, stepId, spec] of [
  ['createSolution', 'solution', engineSpec()],
  ['createFilter', 'filter', withUsersAndFilter(engineSpec(), 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("return")')],
] as const) {
  test(`${stepId}: a name taken between the read and the create by someone else's resource is refused, never adopted`, async () => {
    beatenToTheName(kind);
    await assert.rejects(engine.apply(spec), (e) => isSegflowError(e) && e.code === 'PLAN_FOREIGN_RESOURCE' && /was not created by segflow/.test(e.message));
    const state = await readState(stateFile(spec.name, engine.cwd));
    assert.notEqual(state?.steps[stepId]?.phase, 'done', `${stepId} must not be recorded as ours`);
  });
}
