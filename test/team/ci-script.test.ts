import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO } from '../e2e-support.js';
import { CLI, runProcess, show, type CliResult } from '../support/run-cli.js';
import { commentMarker } from '../../src/ui/plan-markdown.js';
import { withTeam } from './support.js';

/**
 * examples/ci/segflow-ci.sh, the steps both CI examples run, against a standalone emulator: the pull request's plan
 * on one runner, the merge's apply of that reviewed plan on another (sharing only the S3 state and the plan file, as
 * an artifact), then the nightly drift check. No network: without a token the script posts nothing.
 */
const SCRIPT = join(REPO, 'examples', 'ci', 'segflow-ci.sh');

/** Runs the CI script with the built CLI as its segflow, outside any CI (no token, no pull request to comment on). */
function script(cwd: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  const outsideCi = Object.fromEntries(
    ['GITHUB_TOKEN', 'GITHUB_EVENT_PATH', 'GITHUB_REPOSITORY', 'GITHUB_STEP_SUMMARY', 'GITLAB_TOKEN', 'CI_MERGE_REQUEST_IID', 'CI_API_V4_URL'].map((k) => [
      k,
      undefined,
    ]),
  );
  return runProcess('bash', [SCRIPT, ...args], cwd, {
    env: { ...outsideCi, NODE_NO_WARNINGS: '1', SEGFLOW: `${process.execPath} ${CLI}`, SEGFLOW_POLL_MS: '20,200', ...env },
  });
}

test('the CI script: plan on the pull request runner, apply of the reviewed plan on the merge runner, nightly drift', async () => {
  await withTeam('ci', async (team) => {
    const [pr, merge] = [await team.machine(), await team.machine()];
    const summary = join(pr, 'job-summary.md');

    const validated = await script(pr, ['validate', 'pipeline.yaml'], {});
    assert.equal(validated.code, 0, validated.stderr);

    const planned = await script(pr, ['plan', 'pipeline.yaml'], { GITHUB_STEP_SUMMARY: summary });
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(planned.stderr, /pipeline\.yaml: changes planned, saved to \.segflow-ci\/pipeline\.plan\.json/);
    assert.match(planned.stderr, /no GITHUB_TOKEN or GITLAB_TOKEN for a request: the plan is in \.segflow-ci\/pipeline\.plan\.md, not posted/);
    const md = await readFile(join(pr, '.segflow-ci/pipeline.plan.md'), 'utf8');
    assert.ok(md.startsWith(commentMarker('ci')), md.slice(0, 200));
    assert.match(md, /\| `training` \| run \|/);
    assert.match(md, /Apply exactly this plan: `segflow apply \.segflow-ci\/pipeline\.plan\.json`/);
    assert.equal(await readFile(summary, 'utf8'), md, 'the markdown went to the job summary');

    // The merge runner gets the reviewed plan as an artifact, nothing else (its own checkout, the shared state).
    await mkdir(join(merge, '.segflow-ci'));
    await copyFile(join(pr, '.segflow-ci/pipeline.plan.json'), join(merge, '.segflow-ci/pipeline.plan.json'));
    const applied = await script(merge, ['apply', 'pipeline.yaml'], {});
    assert.equal(applied.code, 0, show(applied));
    assert.match(applied.stdout, /Apply complete/);

    // The same reviewed plan cannot be applied twice: the state moved on.
    const again = await script(pr, ['apply', 'pipeline.yaml'], {});
    assert.equal(again.code, 3, again.stderr);
    assert.match(again.stderr, /PLAN_STALE: the state changed since the plan was saved/);

    const nightly = await script(pr, ['drift', 'pipeline.yaml'], {});
    assert.equal(nightly.code, 0, show(nightly));
    assert.match(nightly.stderr, /pipeline\.yaml: no drift/);

    // Someone deletes the uploaded data by hand: the nightly check fails and says what drifted.
    await team.ports.s3.deleteObject('segflow-ci', 'ci/input/interactions.csv');
    const drifted = await script(merge, ['drift', 'pipeline.yaml'], {});
    assert.equal(drifted.code, 1, drifted.stderr);
    assert.match(drifted.stderr, /DRIFT/);
    assert.match(drifted.stdout, /drifted: s3:\/\/segflow-ci\/ci\/input\/interactions\.csv deleted/);
  });
});

test('the CI script: the weekly refresh plans, applies within budget and publishes; an unchanged week runs nothing', async () => {
  await withTeam('weekly', async (team) => {
    const runner = await team.machine();
    const spec = join(runner, 'pipeline.yaml');
    // The production variant of the team pipeline: no split, the items the marketer chose.
    const production = (await readFile(spec, 'utf8')).replace(/^split: .*\n/m, '').replace(/^queries: .*$/m, 'queries: { items: { ids: [i3, i10, i17] } }');
    await writeFile(spec, production);
    const summary = join(runner, 'job-summary.md');

    const first = await script(runner, ['refresh', 'pipeline.yaml'], { GITHUB_STEP_SUMMARY: summary });
    assert.equal(first.code, 0, show(first));
    assert.match(first.stderr, /pipeline\.yaml: refreshing \(plan in \.segflow-ci\/pipeline\.refresh\.json\)/);
    assert.match(first.stdout, /Apply complete/);
    assert.match(await readFile(join(runner, '.segflow-ci/pipeline.report.txt'), 'utf8'), /run /);
    assert.match(await readFile(summary, 'utf8'), /segflow plan/);
    const latest = await team.ports.s3.getObjectText('segflow-weekly', 'weekly/segments/weekly/latest/segments.csv');
    assert.deepEqual(
      [
        ...new Set(
          latest!.text
            .trim()
            .split('\n')
            .slice(1)
            .map((l) => l.split(',')[0]),
        ),
      ],
      ['i3', 'i10', 'i17'],
    );

    const unchanged = await script(runner, ['refresh', 'pipeline.yaml'], {});
    assert.equal(unchanged.code, 0, unchanged.stderr);
    assert.match(unchanged.stderr, /pipeline\.yaml: no new data, nothing to refresh/);
    assert.doesNotMatch(unchanged.stdout, /Apply/);

    await appendFile(join(runner, 'data.csv'), 'u900,i3,2021-07-20T00:00:00Z\nu900,i10,2021-07-21T00:00:00Z\n');
    const next = await script(runner, ['refresh', 'pipeline.yaml'], {});
    assert.equal(next.code, 0, show(next));
    assert.match(next.stdout, /Apply complete/);
    assert.ok(await team.ports.s3.headObject('segflow-weekly', 'weekly/segments/weekly/latest/changes.csv'), 'the second run delivers its changes');

    // A budget below the run's estimate: the refresh is refused (exit 3) before anything runs.
    await writeFile(spec, production.replace(/maxUsd: \d+/, 'maxUsd: 0.01'));
    await appendFile(join(runner, 'data.csv'), 'u901,i3,2021-07-22T00:00:00Z\nu901,i17,2021-07-23T00:00:00Z\n');
    const refused = await script(runner, ['refresh', 'pipeline.yaml'], {});
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /PLAN_OVER_BUDGET/);
  });
});
