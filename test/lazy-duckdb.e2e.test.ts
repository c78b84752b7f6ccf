import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { removeWorkspaces, workspace } from './e2e-support.js';
import { runCli } from './support/run-cli.js';

after(removeWorkspaces);

/**
 * docs/architecture.md: "plan on an unchanged pipeline never loads DuckDB". The built CLI runs with a module hook
 * that logs every import of @duckdb/*; `prepare` must log one (the hook sees DuckDB when it is loaded), the plan
 * after it none.
 */
test('plan on an unchanged pipeline never loads DuckDB', async () => {
  const ws = await workspace({ name: 'lazy-duckdb' });
  const hooks = join(ws.dir, 'duckdb-hooks.mjs');
  await writeFile(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@duckdb/')) appendFileSync(process.env.DUCKDB_IMPORT_LOG, specifier + ' from ' + context.parentURL + '\\n');
  return next(specifier, context);
}
`,
  );
  const register = join(ws.dir, 'duckdb-register.mjs');
  await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const run = async (command: string) => {
    const log = join(ws.dir, `${command}-duckdb.log`);
    const r = await runCli(ws.dir, [command, ws.spec], { env: { NODE_OPTIONS: `--import=${pathToFileURL(register).href}`, DUCKDB_IMPORT_LOG: log } });
    assert.equal(r.code, 0, `${command}: ${r.stderr}`);
    return readFile(log, 'utf8').catch(() => '');
  };

  assert.match(await run('prepare'), /@duckdb\/node-api from .*\/data\/duckdb\.js/);
  assert.equal(await run('plan'), '', 'plan on an unchanged pipeline loaded DuckDB');
});
