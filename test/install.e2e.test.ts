/**
 * segflow outside its clone, as the README's "Install" says: the tarball `npm pack` makes, installed with
 * `npm install -g` into an empty prefix, runs `segflow --version` and a whole local apply in an empty directory;
 * on an older Node.js it stops at once with a message naming the version it needs. Dependencies come from npm's
 * cache (`npm ci` filled it), so the install reads the registry only for what the cache lacks.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { withTempDir } from './support/data-fixtures.js';
import { ratingsLog } from './support/own-data.js';
import { packageRoot } from '../src/util/paths.js';

const run = promisify(execFile);
const quiet = ['--no-audit', '--no-fund', '--no-update-notifier', '--prefer-offline'];

/**
 * `npm install -g` of the tarball. npm 11.19 was once seen hanging right after "fetch manifest segflow@file:...tgz"
 * on a loaded machine (no socket open, no CPU, still waiting after 5 minutes), while the same install takes ~5 s: a
 * hung npm is not segflow's package failing to install, so it is stopped after 2 minutes and tried once more. An
 * install that fails is not retried.
 */
async function npmInstallGlobal(prefix: string, tarball: string, cwd: string): Promise<void> {
  const install = () => run('npm', ['install', '-g', '--prefix', prefix, tarball, ...quiet], { cwd, maxBuffer: 16 << 20, timeout: 120_000 });
  await install().catch((e: { killed?: boolean; signal?: string }) => {
    if (!(e.killed && e.signal === 'SIGTERM')) throw e;
    return install();
  });
}

test('installed from `npm pack` into an empty prefix: segflow --version, init and a local apply in an empty directory', { timeout: 300_000 }, async () => {
  await withTempDir(async (dir) => {
    const pkg = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
    // --ignore-scripts: `npm test` has just built dist/; the package ships it as it is.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir, ...quiet], {
      cwd: packageRoot,
      maxBuffer: 16 << 20,
    });
    const tarball = join(dir, stdout.trim().split('\n').pop()!);
    const prefix = join(dir, 'prefix');
    const home = join(dir, 'empty');
    await mkdir(home);
    await npmInstallGlobal(prefix, tarball, home);
    const segflow = join(prefix, 'bin', 'segflow');
    const env = { ...process.env, CI: '1', NODE_NO_WARNINGS: '1' };

    const version = await run(segflow, ['--version'], { cwd: home, env });
    assert.equal(version.stdout.trim(), pkg.version);

    await writeFile(join(home, 'ratings.csv'), ratingsLog().text);
    const init = await run(segflow, ['init', 'ratings.csv'], { cwd: home, env });
    assert.match(init.stdout, /init: wrote pipeline\.yaml/);
    assert.match(
      await readFile(join(home, 'pipeline.yaml'), 'utf8'),
      /\$schema=.*\/segflow\/schemas\/pipeline\.schema\.json$/m,
      'the schema of the installed package',
    );
    const applied = await run(segflow, ['apply', 'pipeline.yaml', '--auto-approve'], { cwd: home, env, maxBuffer: 16 << 20 });
    assert.match(applied.stdout, /Apply complete/);
    assert.match(applied.stdout, /holdout \(K = \d+ of \d+ train users/);

    // An older Node.js: the installed CLI names the version it needs (package.json's engines) before loading anything.
    const old = join(dir, 'node-18.cjs');
    await writeFile(old, "Object.defineProperty(process.versions, 'node', { value: '18.19.0' });\n");
    const main = join(prefix, 'lib', 'node_modules', 'segflow', 'dist', 'bundle', 'segflow.js');
    const refused = await run(process.execPath, ['--require', old, main, '--version'], { cwd: home, env }).then(
      () => assert.fail('segflow ran on Node.js 18'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^segflow needs Node\.js 20 or later; this is Node\.js 18\.19\.0 /);
    assert.equal(pkg.engines.node, `>=${/needs Node\.js (\d+)/.exec(refused.stderr)![1]}`, 'the check and package.json "engines" agree');
  });
});
