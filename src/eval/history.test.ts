import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outputLine, writeFixtureWorkDir } from '../../test/support/eval-fixtures.js';
import { evalSpec } from '../../test/support/eval-spec.js';
import { writeProductionWorkDir } from '../../test/support/production-fixtures.js';
import { evaluateRun } from './evaluate.js';
import { loadHistory, renderHistory } from './history.js';
import { reportRun } from './index.js';

/** A version 1 report.json as segflow wrote it before segmentations: the v2 experiment minus the new fields. */
async function versionOneReport(root: string): Promise<Record<string, unknown>> {
  const work = await writeFixtureWorkDir({
    dir: join(root, 'v1-work'),
    activity: { a: 3, b: 2, c: 1 },
    queries: [{ itemId: 'i1', truth: ['a'] }],
    k: 2,
    segmentFiles: { 'o.out': outputLine({ itemId: 'i1' }, ['a', 'b']) },
    runInfo: { runId: 'run-v1', finishedAt: '2026-10-01T10:00:00.000Z' },
  });
  const { mode, segmentation, segments, changes, inputs, ...rest } = JSON.parse(
    JSON.stringify(await evaluateRun(work, evalSpec({ file: join(root, 'p.yaml') }), { resamples: 10 })),
  ) as Record<string, unknown>;
  void [mode, segmentation, segments, changes];
  const { segmentationDir, ...v1Inputs } = inputs as Record<string, unknown>;
  void segmentationDir;
  return { ...rest, version: 1, inputs: v1Inputs };
}

test('history reads version 1 and version 2 reports, experiments and production runs, in one table', async () => {
  const root = await mkdtemp(join(tmpdir(), 'segflow-history-'));
  const reports = join(root, 'reports');
  try {
    await mkdir(join(reports, 'run-v1'), { recursive: true });
    await writeFile(join(reports, 'run-v1', 'report.json'), JSON.stringify(await versionOneReport(root)));
    const prod = await writeProductionWorkDir({
      dir: join(root, 'prod'),
      asked: [{ itemId: 'i1' }, { itemId: 'i2' }],
      k: 2,
      users: 5,
      segmentFiles: { 'o.out': [outputLine({ itemId: 'i1' }, ['a', 'b']), outputLine({ itemId: 'i2' }, ['b', 'c'])].join('\n') },
      changes: { previousRunId: 'run-v1', entered: 3, stayed: 1, left: 1, queriesAdded: 1, queriesRemoved: 0 },
      changesCsv: 'query,entered,stayed,left\ni1,1,1,1\ni2,2,0,0\n',
    });
    await reportRun(prod, evalSpec({ file: join(root, 'p.yaml'), production: true }), reports);
    // a future version is skipped with its reason; the other segmentations' roots are not runs
    await mkdir(join(reports, 'run-v9'));
    await writeFile(join(reports, 'run-v9', 'report.json'), JSON.stringify({ version: 9 }));
    await mkdir(join(reports, 'segmentations', 'categories'), { recursive: true });

    const { entries, skipped } = await loadHistory(reports);
    assert.deepEqual(
      entries.map((e) => [e.runId, e.mode, e.segmentation]),
      [
        ['run-v1', 'experiment', 'demo'],
        ['2026-12-01T10-00-00Z-prod01', 'production', 'demo'],
      ],
    );
    const [v1, v2] = entries;
    assert.equal(v1!.model?.hitsAtK, 1);
    assert.deepEqual([v1!.distinctUsers, v1!.meanOverlap, v1!.entered], [null, null, null]);
    assert.deepEqual([v2!.model, v2!.popularity, v2!.liftOverPopularity], [null, null, null]);
    assert.deepEqual([v2!.k, v2!.queries, v2!.distinctUsers, v2!.meanOverlap, v2!.entered, v2!.left], [2, 2, 3, 0.5, 3, 1]);
    assert.equal(skipped.length, 1);
    assert.match(skipped[0]!, /run-v9.*report version 9, expected 1 or 2/);

    const table = renderHistory(entries);
    assert.match(table[0]!, /^run\s+finished\s+mode\s+spec.*users\s+overlap\s+entered\s+left/);
    assert.match(table[1]!, /^run-v1\s+\S+\s+exp\s.*\s1\.00\s+1\.000\s/);
    assert.match(table[2]!, /^2026-12-01T10-00-00Z-prod01\s+\S+\s+prod\s.*\s3\s+0\.5000\s+\+3\s+-1\s/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
