import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { GroundTruthFile } from '../src/data/artifacts.js';
import { REPO, removeWorkspaces, workspace, writeGrocerySample } from './e2e-support.js';
import { runCli } from './support/run-cli.js';

after(removeWorkspaces);

// The shipped attribute-affinity pipeline, byte for byte, on `segflow sample-data` output written where the
// pipeline expects Amazon's files: the metadata's shape (asin, category as a list, brand) is what it reads.
test('pipelines/grocery-item-attribute-affinity.yaml runs offline as shipped with --target local on sample-data output', async () => {
  const { dir } = await workspace();
  await mkdir(join(dir, 'pipelines'));
  await mkdir(join(dir, 'examples', 'data'), { recursive: true });
  const spec = join('pipelines', 'grocery-item-attribute-affinity.yaml');
  await copyFile(join(REPO, spec), join(dir, spec));
  const data = join(dir, 'examples', 'data');
  await writeGrocerySample(data);
  const applied = await runCli(dir, ['apply', spec, '--target', 'local', '--auto-approve']);
  assert.equal(applied.code, 0, `apply exited ${applied.code}\n${applied.stdout}\n${applied.stderr}`);
  const work = join(dir, '.segflow', 'work', 'grocery-item-attribute-affinity');
  const truth = JSON.parse(await readFile(join(work, 'ground-truth.json'), 'utf8')) as GroundTruthFile;
  assert.deepEqual(
    truth.queries.map((q) => q.query),
    [
      { itemAttributes: 'ITEMS.CATEGORY = "Candy & Chocolate"' },
      { itemAttributes: 'ITEMS.CATEGORY = "Dried Vegetables"' },
      { itemAttributes: 'ITEMS.BRAND = "Starbucks"' },
    ],
  );
  for (const q of truth.queries) assert.ok(q.users.length > 0, `${JSON.stringify(q.query)} has test users`);
  const items = (await readFile(join(work, 'items.csv'), 'utf8')).split('\n');
  assert.equal(items[0], 'ITEM_ID,CATEGORY,BRAND');
  assert.match(items[1]!, /^B\d{9},Grocery & Gourmet Food\|[^,]+,[^,]+$/);
});
