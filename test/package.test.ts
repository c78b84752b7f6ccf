/**
 * What `npm publish` would ship: the CLI and what it reads (schemas, pipelines, examples, docs), and no tests or
 * test support. Runs `npm pack --dry-run` on the tree `npm test` has just built, so a compiled *.test.js that the
 * package.json `files` list lets through fails here. Offline: a dry-run pack of a directory fetches nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { packageRoot } from '../src/util/paths.js';

/** Paths no published file may have: compiled or source tests and their maps, test trees, test support. */
const FORBIDDEN: Array<[string, (path: string) => boolean]> = [
  ['a test file or its map', (p) => /\.test\.(js|ts|map)/.test(p)],
  ['under test/', (p) => p.startsWith('test/')],
  ['under dist/test/', (p) => p.startsWith('dist/test/')],
  ['a /testing/ folder', (p) => p.includes('/testing/')],
  ['test support', (p) => p.includes('test-support')],
  ['a fixture', (p) => p.includes('fixture')],
];

const REQUIRED = ['dist/bundle/segflow.js', 'dist/bundle/worker.js', 'schemas/pipeline.schema.json', 'pipelines/online-retail.yaml'];

async function packedFiles(): Promise<string[]> {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--offline', '--no-update-notifier'], {
    cwd: packageRoot,
    maxBuffer: 64 << 20,
  });
  const [pack] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
  assert.ok(pack, `npm pack printed no package: ${stdout.slice(0, 200)}`);
  return pack.files.map((f) => f.path);
}

function compiledModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return compiledModules(path);
    return e.name.endsWith('.js') && !e.name.endsWith('.test.js') ? [relative(packageRoot, path).split('\\').join('/')] : [];
  });
}

test('the published package holds the CLI and what it reads, and no tests or test support', { timeout: 120_000 }, async () => {
  const files = await packedFiles();
  const shipped = new Set(files);
  const forbidden = files.flatMap((p) => FORBIDDEN.filter(([, bad]) => bad(p)).map(([why]) => `${p} (${why})`));
  assert.deepEqual(forbidden, [], 'package.json "files" lets these through');
  assert.deepEqual(
    REQUIRED.filter((p) => !shipped.has(p)),
    [],
    'missing from the package',
  );
  // Every module the build made for the CLI (the bundle) and for programs that import segflow's modules (dist/src)
  // ships, but the build's own steps: an exclusion pattern that matches too much shows here.
  const built = [...compiledModules(join(packageRoot, 'dist', 'bundle')), ...compiledModules(join(packageRoot, 'dist', 'src'))];
  assert.deepEqual(
    built.filter((p) => !shipped.has(p) && !p.startsWith('dist/src/build/')),
    [],
    'compiled modules missing from the package',
  );
  assert.deepEqual(
    files.filter((p) => p.startsWith('dist/src/build/')),
    [],
    'the build steps ship',
  );
});
