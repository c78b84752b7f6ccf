import { test } from 'node:test';
import assert from 'node:assert/strict';
import { census, endpointWorkspace, jobFingerprint, leftovers, readState, startStandalone, worldArns } from './support.js';
import { runCli, show, type CliResult } from '../support/run-cli.js';
import { inputsHashOf } from '../../src/resources/naming.js';
import { mulberry32 } from '../../src/util/prng.js';

/**
 * Chaos: repeated applies of a small pipeline against a standalone emulator that throttles 20% and fails 5% of
 * requests with HTTP 500, while the runner (the built CLI) is SIGKILLed at random moments. The spec alternates
 * between variants so that several input fingerprints exist. Afterwards: the pipeline completes, each costly
 * resource exists exactly once per fingerprint, the state matches the world, and destroy leaves nothing.
 *
 * SEGFLOW_CHAOS_KILLS (default 6, `npm run test:chaos`: 36) and SEGFLOW_CHAOS_SEED choose the run.
 */
const KILLS = Number(process.env['SEGFLOW_CHAOS_KILLS'] ?? 6);
const SEED = Number(process.env['SEGFLOW_CHAOS_SEED'] ?? Date.now() % 100000);
const NAME = 'chaos';
const variants = [{ count: 10 }, { count: 12 }, { count: 10, minInteractionsPerUser: 3 }];

test(`chaos: ${KILLS} SIGKILLs of the runner under 20% throttling and 5% HTTP 500s (seed ${SEED})`, { timeout: 60 * 60_000 }, async () => {
  const random = mulberry32(SEED);
  const emu = await startStandalone({ faults: `throttle=0.2,error=0.05,seed=${SEED}` });
  // What each apply was (variant, kill moment, outcome, the lines it printed about costly steps): printed with a
  // duplicate, so a rare wall-clock interleaving can be read back without replaying it.
  const history: string[] = [];
  const costlyLines = (r: CliResult) =>
    (r.stdout + r.stderr)
      .split('\n')
      .filter((l) => /import-|training|segments|imp-int|seg-/.test(l))
      .slice(0, 40)
      .map((l) => `    ${l}`)
      .join('\n');
  // Each import fingerprint's full input hash and the solution's, from the state after every apply: the census then
  // knows which training reads which import's rows (the versions' segflow:inputs tags).
  const importHashes = new Map<string, string>();
  let solutionHash: string | undefined;
  const noteState = async (dir: string) => {
    const s = await readState(dir, NAME).catch(() => undefined);
    const imp = s?.steps['import-interactions'];
    if (imp?.name && imp.inputsHash) importHashes.set(jobFingerprint(imp.name), imp.inputsHash);
    const solution = s?.steps['solution']?.inputsHash;
    if (solution) solutionHash = solution;
  };
  const trainingTagOf = (fp: string) => {
    const interactions = importHashes.get(fp);
    return interactions && solutionHash ? inputsHashOf({ solution: solutionHash, interactions }) : undefined;
  };
  const figures = {
    seed: SEED,
    kills: 0,
    applies: 0,
    completedApplies: 0,
    failedApplies: 0,
    variants: new Set<number>(),
    duplicates: -1,
    stateMismatches: -1,
    leftAfterDestroy: -1,
  };
  try {
    const w = await endpointWorkspace(emu.endpoint, { name: NAME, ...variants[0] });
    // Kill moments spread over a whole run (~5 s here); some land in planning, some in waits, some in creates.
    while (figures.kills < KILLS) {
      const v = Math.floor(random() * variants.length);
      figures.variants.add(v);
      await w.setSpec({ name: NAME, ...variants[v] });
      const killAfterMs = 150 + Math.floor(random() * 5000);
      const r = await runCli(w.dir, ['apply', w.spec, '--auto-approve'], { killAfterMs });
      figures.applies++;
      history.push(`apply ${figures.applies}: variant ${v}, kill after ${killAfterMs} ms: ${r.signal ?? `exit ${r.code}`}\n${costlyLines(r)}`);
      await noteState(w.dir);
      if (r.signal === 'SIGKILL') figures.kills++;
      else if (r.code === 0) figures.completedApplies++;
      else {
        // Exit 1 is allowed (a run failure the next apply retries); anything else is a bug (stack trace, exit 2/3).
        assert.equal(r.code, 1, show(r));
        assert.doesNotMatch(r.stderr, /^\s+at .+\(.*:\d+:\d+\)$/m, `a stack trace:\n${show(r)}`);
        figures.failedApplies++;
      }
    }
    // The final variant must complete: an apply may still fail on a retried fault, never more than a few times.
    await w.setSpec({ name: NAME, ...variants[0] });
    let final: CliResult | undefined;
    for (let i = 0; i < 4 && final?.code !== 0; i++) {
      final = await runCli(w.dir, ['apply', w.spec, '--auto-approve']);
      figures.applies++;
      history.push(`apply ${figures.applies}: variant 0, final: exit ${final.code}\n${costlyLines(final)}`);
      await noteState(w.dir);
      if (final.code === 0) figures.completedApplies++;
      else figures.failedApplies++;
    }
    assert.equal(final?.code, 0, show(final!));
    assert.match(final.stdout, /Apply complete/);

    // A second look must find nothing to do (plan with --detailed-exitcode: 0 = no changes).
    await emu.setFaults({});
    const plan = await runCli(w.dir, ['plan', w.spec, '--detailed-exitcode']);
    assert.equal(plan.code, 0, show(plan));

    const c = await census(emu.aws, NAME, { trainingTagOf });
    figures.duplicates = c.duplicates.length;
    assert.deepEqual(
      c.duplicates,
      [],
      `a costly resource exists twice for the same inputs:\n${c.duplicateDetails.join('\n')}\n--- applies\n${history.join('\n')}`,
    );
    assert.ok(c.imports.size >= 1 && c.versions.size >= 1 && c.segments.size >= 1, JSON.stringify([...c.imports, ...c.versions, ...c.segments]));

    // The state matches the world: every recorded ARN exists and is ACTIVE; every live resource of ours is recorded
    // (or is an older fingerprint's job, which AWS never deletes).
    const state = await readState(w.dir, NAME);
    const world = await worldArns(emu.aws);
    const mismatches: string[] = [];
    for (const [id, s] of Object.entries(state.steps)) {
      assert.equal(s.phase, 'done', `step ${id} is ${s.phase}`);
      if (!s.arn) continue;
      const status = world.get(s.arn);
      if (status !== 'ACTIVE') mismatches.push(`${id}: ${s.arn} is ${status ?? 'absent'}`);
    }
    const recorded = new Set(Object.values(state.steps).map((s) => s.arn));
    for (const [arn] of world) {
      if (/dataset-import-job|batch-segment-job|solution\/[^/]+\/[^/]+$/.test(arn)) continue; // history of other fingerprints
      if (!recorded.has(arn)) mismatches.push(`unrecorded in state: ${arn}`);
    }
    figures.stateMismatches = mismatches.length;
    assert.deepEqual(mismatches, []);

    // Destroy under the same faults, then list: nothing deletable is left.
    await emu.setFaults({ throttleRate: 0.2, errorRate: 0.05, seed: SEED + 1 });
    let d: CliResult | undefined;
    for (let i = 0; i < 4 && d?.code !== 0; i++) d = await runCli(w.dir, ['destroy', w.spec, '--auto-approve']);
    assert.equal(d?.code, 0, show(d!));
    await emu.setFaults({});
    const left = await leftovers(emu.aws);
    figures.leftAfterDestroy = left.length;
    assert.deepEqual(left, []);
  } finally {
    console.log(
      `chaos figures: seed ${figures.seed}, kills survived ${figures.kills}, applies ${figures.applies} (${figures.completedApplies} completed, ${figures.failedApplies} exited 1), ` +
        `spec variants ${figures.variants.size}, duplicates found ${figures.duplicates}, state mismatches ${figures.stateMismatches}, resources left after destroy ${figures.leftAfterDestroy}`,
    );
    await emu.stop();
  }
});
