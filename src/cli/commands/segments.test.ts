import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { productionPipelineYaml } from '../../../test/support/production-fixtures.js';
import { runInProcess } from '../../../test/support/run-cli.js';
import { createPorts } from '../../aws/create-ports.js';
import { startEmulator } from '../../emulator/index.js';

const RUN = '2026-12-01T10-00-00Z-run002';
const SEGMENTS = 'query,rank,user\ni1,1,a\ni1,2,b\ni2,1,c\ni2,2,"d,x"\n';
const CHANGES = 'query,entered,stayed,left\ni1,1,1,1\ni2,2,0,0\n';
const USERS = 'CustomerID,email,Country\na,a@example.com,UK\nb,b@example.com,France\n"d,x",d@example.com,UK\n';

/** A project whose state says segmentation `products` delivered RUN (after run-001), with the work dir's copies. */
async function project(o: { localRun?: string; endpoint?: string } = {}): Promise<string> {
  const cwd = await mkdtemp(join(tmpdir(), 'segflow-segments-cli-'));
  await writeFile(join(cwd, 'pipeline.yaml'), productionPipelineYaml({ users: true, ...(o.endpoint ? { endpoint: o.endpoint } : {}) }));
  await writeFile(join(cwd, 'users.csv'), USERS);
  const seg = join(cwd, '.segflow', 'work', 'shop', 'segmentations', 'products');
  await mkdir(seg, { recursive: true });
  await writeFile(join(seg, 'run-info.json'), JSON.stringify({ version: 1, runId: o.localRun ?? RUN }));
  await writeFile(join(seg, 'segments.csv'), SEGMENTS);
  await writeFile(join(seg, 'changes.csv'), CHANGES);
  await mkdir(join(cwd, '.segflow', 'state'), { recursive: true });
  const download = { phase: 'done', outputs: { runId: RUN, previousRunId: '2026-11-24T10-00-00Z-run001', runs: [RUN] }, updatedAt: '2026-12-01T10:00:00.000Z' };
  const state = {
    version: 1,
    pipeline: 'shop',
    target: { kind: 'local', region: 'us-east-1' },
    steps: { 'download:products': download },
    updatedAt: '2026-12-01T10:00:00.000Z',
  };
  await writeFile(join(cwd, '.segflow', 'state', 'shop.json'), JSON.stringify(state));
  return cwd;
}

const segments = (cwd: string, ...args: string[]) => runInProcess(cwd, ['segments', 'pipeline.yaml', ...args]);

test('segflow segments exports the latest delivered segments: csv, --query, --format jsonl, --out', async () => {
  const cwd = await project();
  try {
    const all = await segments(cwd, '--segmentation', 'products');
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, SEGMENTS);
    assert.match(all.stderr, new RegExp(`4 row\\(s\\) of run ${RUN} \\(products, from .*segments\\.csv\\) to stdout`));

    const one = await segments(cwd, '--segmentation', 'products', '--query', 'i2');
    assert.equal(one.stdout, 'query,rank,user\ni2,1,c\ni2,2,"d,x"\n');

    const jsonl = await segments(cwd, '--segmentation', 'products', '--query', 'i1', '--format', 'jsonl');
    assert.equal(jsonl.code, 0, jsonl.stderr);
    assert.deepEqual(
      jsonl.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
      [
        { query: 'i1', rank: 1, user: 'a' },
        { query: 'i1', rank: 2, user: 'b' },
      ],
    );

    const written = await segments(cwd, '--segmentation', 'products', '--out', 'export/products.csv');
    assert.equal(written.code, 0, written.stderr);
    assert.equal(written.stdout, '');
    assert.equal(await readFile(join(cwd, 'export', 'products.csv'), 'utf8'), SEGMENTS);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('segflow segments --with-users joins source columns of data.users on the user id; an unknown column is named with the closest', async () => {
  const cwd = await project();
  try {
    const csv = await segments(cwd, '--segmentation', 'products', '--with-users', 'email,Country');
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(csv.stdout, 'query,rank,user,email,Country\ni1,1,a,a@example.com,UK\ni1,2,b,b@example.com,France\ni2,1,c,,\ni2,2,"d,x",d@example.com,UK\n');

    const jsonl = await segments(cwd, '--segmentation', 'products', '--with-users', 'email', '--query', 'i2', '--format', 'jsonl');
    assert.deepEqual(
      jsonl.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
      [
        { query: 'i2', rank: 1, user: 'c', email: null },
        { query: 'i2', rank: 2, user: 'd,x', email: 'd@example.com' },
      ],
    );

    const typo = await segments(cwd, '--segmentation', 'products', '--with-users', 'emial');
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /--with-users: data\.users' source .*users\.csv has no column 'emial'; did you mean 'email'\?/);
    assert.match(typo.stderr, /its columns: CustomerID, email, Country/);
    assert.equal(typo.stdout, '');

    assert.equal((await segments(cwd, '--segmentation', 'products', '--with-users', 'user')).code, 2, "a users column may not take segments.csv's own names");
    assert.equal((await segments(cwd, '--segmentation', 'products', '--with-users', 'email', '--changes')).code, 2);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('segflow segments --changes prints the latest run per-query entered/stayed/left; --query must name a query of the run', async () => {
  const cwd = await project();
  try {
    const changes = await segments(cwd, '--segmentation', 'products', '--changes');
    assert.equal(changes.code, 0, changes.stderr);
    assert.equal(changes.stdout, CHANGES);
    const jsonl = await segments(cwd, '--segmentation', 'products', '--changes', '--format', 'jsonl', '--query', 'i2');
    assert.deepEqual(JSON.parse(jsonl.stdout), { query: 'i2', entered: 2, stayed: 0, left: 0 });

    const missing = await segments(cwd, '--segmentation', 'products', '--query', 'i9');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--query: run \S+ of products has no query 'i9'; did you mean 'i1'\?/);
    assert.equal(missing.stdout, '');
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('segflow --help lists segments; segflow segments --help gives its flags', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'segflow-segments-help-'));
  try {
    const all = await runInProcess(cwd, ['--help']);
    assert.match(all.stdout, /^\s+segments\s+export the latest delivered segments/m);
    const own = await runInProcess(cwd, ['segments', '--help']);
    assert.equal(own.code, 0);
    for (const flag of ['--segmentation NAME', '--query Q', '--format csv|jsonl', '--out PATH', '--with-users COL,...', '--changes'])
      assert.ok(own.stdout.includes(flag), flag);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('segflow segments: several segmentations need --segmentation; unknown names, formats and no delivery yet are clear errors', async () => {
  const cwd = await project();
  try {
    const which = await segments(cwd);
    assert.equal(which.code, 2);
    assert.match(which.stderr, /shop has 2 segmentations: name one with --segmentation \(products, shop\)/);
    const typo = await segments(cwd, '--segmentation', 'prodcts');
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /no segmentation 'prodcts'; did you mean 'products'\?/);
    assert.equal((await segments(cwd, '--segmentation', 'products', '--format', 'xml')).code, 2);
    const none = await segments(cwd, '--segmentation', 'shop');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /RUN_NO_RUN: no segments of segmentation shop were delivered yet/);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('segflow segments downloads the delivered copy from S3 when the work dir holds another run', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'segflow-segments-emu-'));
  const emu = await startEmulator({ dataDir, port: 0 });
  const ports = createPorts({ target: { kind: 'local', region: 'us-east-1' }, endpoint: emu.endpoint });
  const cwd = await project({ localRun: '2026-11-24T10-00-00Z-run001', endpoint: emu.endpoint });
  try {
    const delivered = 'query,rank,user\ni1,1,z\n';
    await ports.s3.createBucket('segflow-shop-test');
    await ports.s3.putObject('segflow-shop-test', `shop/segments/products/runs/${RUN}/segments.csv`, { data: delivered }, { contentType: 'text/csv' });
    const r = await segments(cwd, '--segmentation', 'products');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, delivered);
    assert.match(r.stderr, new RegExp(`from s3://segflow-shop-test/shop/segments/products/runs/${RUN}/segments\\.csv`));
    // the run had a previous one, so its changes.csv must have been delivered: its absence is an error, not "first run"
    const changes = await segments(cwd, '--segmentation', 'products', '--changes');
    assert.equal(changes.code, 1);
    assert.match(changes.stderr, /RUN_NO_RUN: the delivered changes of run .* are not in s3:\/\/segflow-shop-test\/shop\/segments\/products\/runs\//);
  } finally {
    ports.close();
    await emu.close();
    await rm(cwd, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
});
