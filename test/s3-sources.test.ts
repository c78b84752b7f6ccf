import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createSdkClients } from '../src/aws/sdk-clients.js';
import { startEmulator } from '../src/emulator/index.js';
import { generateInteractions, removeWorkspaces, workspace } from './e2e-support.js';
import { assertOk, runCli } from './support/run-cli.js';

after(removeWorkspaces);

const spec = (endpoint: string, source: string, name = 's3src') => `version: 1
name: ${name}
target: { kind: local, endpoint: ${endpoint} }
data:
  interactions:
    source: ${source}
    columns: { USER_ID: user, ITEM_ID: item, TIMESTAMP: ts }
    minInteractionsPerUser: 2
split: { testStart: 2021-06-01T00:00:00Z }
queries: { items: { sample: 20, seed: 1 } }
storage: { bucket: segflow-s3src, prefix: s3src/ }
recipe: aws-item-affinity
segments: { numResults: { count: 10 } }
budget: { maxUsd: 25 }
`;

test('s3:// sources on the emulator: prepare downloads once, a no-op plan downloads nothing, a changed object re-runs prepare and says why', async () => {
  const { dir } = await workspace();
  // The emulator's data lives where an in-process emulator of `segflow init` run in emuCwd finds it again.
  const emuCwd = await mkdtemp(join(tmpdir(), 'segflow-s3src-emu-'));
  const dataDir = join(emuCwd, '.segflow', 'local');
  const emu = await startEmulator({ dataDir, port: 0 });
  const aws = createSdkClients({ target: { kind: 'local', region: 'us-east-1' }, endpoint: emu.endpoint });
  const getObjects = () => emu.calls().services['s3']?.['GetObject'] ?? 0;
  try {
    const [header, ...rows] = generateInteractions().trim().split('\n');
    const half = Math.floor(rows.length / 2);
    const part = (r: string[]) => [header, ...r].join('\n') + '\n';
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'segflow-lake' }));
    const put = (key: string, body: string) => aws.s3.send(new PutObjectCommand({ Bucket: 'segflow-lake', Key: key, Body: body }));
    await put('events/part-1.csv', part(rows.slice(0, half)));
    await put('events/part-2.csv', part(rows.slice(half)));
    await writeFile(join(dir, 'p.yaml'), spec(emu.endpoint, 's3://segflow-lake/events/part-*.csv'));

    const first = await runCli(dir, ['prepare', 'p.yaml']);
    assertOk(first, 'prepare');
    assert.match(first.stdout, /downloaded \d+ bytes \(2 objects, 0 cached\)/);
    assert.equal(getObjects(), 2);
    const second = await runCli(dir, ['prepare', 'p.yaml']);
    assertOk(second, 'prepare again');
    assert.match(second.stdout, /^prepare: up to date .*; downloaded 0 bytes \(0 objects, 0 cached\)/);

    assertOk(await runCli(dir, ['apply', 'p.yaml', '--auto-approve']), 'apply');
    // (apply's own GetObject calls read the segment output; count around the plans only.)
    const before = getObjects();
    const noop = await runCli(dir, ['plan', 'p.yaml', '--detailed-exitcode']);
    assert.equal(noop.code, 0, noop.stdout + noop.stderr);
    assert.equal(getObjects(), before, 'a no-op plan downloads nothing');

    await put('events/part-2.csv', part(rows.slice(half, rows.length - 5)));
    const changed = await runCli(dir, ['plan', 'p.yaml']);
    assertOk(changed, 'plan after a change');
    assert.match(changed.stdout, /prepare[^\n]*\n?[^\n]*sources\.s3:\/\/segflow-lake\/events\/part-2\.csv: etag [0-9a-f]+ -> etag [0-9a-f]+/);
    assert.equal(getObjects(), before + 1, 'only the changed object is downloaded');

    await writeFile(join(dir, 'none.yaml'), spec(emu.endpoint, 's3://segflow-lake/nothing/*.parquet', 's3none'));
    const none = await runCli(dir, ['prepare', 'none.yaml']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /DATA_SOURCE_MISSING: data\.interactions\.source: s3:\/\/segflow-lake\/nothing\/\*\.parquet matches no object/);
  } finally {
    aws.destroy();
    await emu.close();
  }
  try {
    // init reads an s3:// file with the target's clients: here the in-process emulator on the same data.
    const init = await runCli(emuCwd, ['init', 's3://segflow-lake/events/part-1.csv', '--out', 'init.yaml']);
    assertOk(init, 'init on s3://');
    assert.match(init.stdout, /s3:\/\/segflow-lake\/events\/part-1\.csv: csv, \d+ rows/);
    assert.match(
      await readFile(join(emuCwd, 'init.yaml'), 'utf8'),
      /source: s3:\/\/segflow-lake\/events\/part-1\.csv\n[^]*columns: \{ USER_ID: user, ITEM_ID: item, TIMESTAMP: ts \}/,
    );
  } finally {
    await rm(emuCwd, { recursive: true, force: true });
  }
});
