import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Plan } from '../src/plan/types.js';
import { sha256File } from '../src/util/hash.js';
import { REPO, removeWorkspaces, workspace, writeGrocerySample } from './e2e-support.js';
import { runCli } from './support/run-cli.js';

after(removeWorkspaces);

/**
 * An existing pipeline plans unchanged after an upgrade: every shipped pipeline's steps (id, deterministic name,
 * inputs hash) are those segflow 0.1 at 779e300 computed, recorded in test/fixtures/compat/ by planning each one on
 * a fresh directory with that version (the shipped Online Retail data; sample-data's Grocery files, whose sha256 are
 * recorded too). A state written by that version records the same names and hashes, so its plan is "No changes".
 */
const FIXTURES = join(REPO, 'test', 'fixtures', 'compat');

/**
 * Steps whose inputs changed on purpose since, updated in place on an existing pipeline (same resource name, nothing
 * re-created or re-run): buckets segflow created gain a lifecycle rule that aborts incomplete multipart uploads
 * (plan: "bucket lifecycle: (none) -> ... (updated in place)").
 */
const UPDATED_IN_PLACE = new Set(['bucket']);

test('every shipped pipeline has the steps, names and input hashes of the version before segmentations', { timeout: 600_000 }, async () => {
  const { dir } = await workspace();
  const data = join(dir, 'examples', 'data');
  await mkdir(join(dir, 'pipelines'));
  await mkdir(data, { recursive: true });
  await copyFile(join(REPO, 'examples', 'data', 'online-retail.csv.gz'), join(data, 'online-retail.csv.gz'));
  await writeGrocerySample(data);
  for (const line of (await readFile(join(FIXTURES, 'data.sha256'), 'utf8')).trim().split('\n')) {
    const [sha, file] = line.split(/\s+/) as [string, string];
    assert.equal(await sha256File(join(dir, file)), sha, `${file} is the data the fixtures were planned on`);
  }
  const fixtures = (await readdir(FIXTURES)).filter((f) => f.endsWith('.json')).sort();
  assert.deepEqual(fixtures, ['grocery-item-affinity.json', 'grocery-item-attribute-affinity.json', 'online-retail-uk.json', 'online-retail.json']);
  for (const fixture of fixtures) {
    const file = join('pipelines', fixture.replace(/\.json$/, '.yaml'));
    await copyFile(join(REPO, file), join(dir, file));
    const r = await runCli(dir, ['plan', file, '--target', 'local', '--format', 'json']);
    assert.equal(r.code, 0, `${file}: exit ${r.code}\n${r.stderr}`);
    const steps = (JSON.parse(r.stdout) as Plan).steps.map((s) => [s.id, s.name, UPDATED_IN_PLACE.has(s.id) ? '(updated in place)' : s.inputsHash]);
    const expected = (JSON.parse(await readFile(join(FIXTURES, fixture), 'utf8')) as string[][]).map(([id, name, hash]) => [
      id,
      name,
      UPDATED_IN_PLACE.has(id!) ? '(updated in place)' : hash,
    ]);
    assert.deepEqual(steps, expected, `${file}: steps, names or input hashes changed`);
  }
});
