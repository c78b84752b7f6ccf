import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { removeWorkspaces, workspace } from './e2e-support.js';
import { runCli, UNBUNDLED_CLI } from './support/run-cli.js';

after(removeWorkspaces);

/**
 * docs/architecture.md: what a command does not use, it does not load. The built CLI runs with a module hook that
 * logs every import of DuckDB, the AWS SDK and ajv's compiler (the build precompiles the schema; only ajv's small
 * runtime helpers are imported); each test reads the log of one command. DuckDB stays outside the bundle, so its
 * import is watched on the bundle users run; the SDK and ajv are inside it, so they are watched on the unbundled
 * build, whose dynamic imports are the bundle's chunks (src/build/bundle.ts).
 */
const WATCHED = /^(@duckdb\/|@aws-sdk\/|ajv$)/;
let ws: Awaited<ReturnType<typeof workspace>>;
let register = '';

before(async () => {
  ws = await workspace({ name: 'lazy-loading' });
  const hooks = join(ws.dir, 'import-hooks.mjs');
  await writeFile(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (${WATCHED.toString()}.test(specifier)) appendFileSync(process.env.IMPORT_LOG, specifier + ' from ' + context.parentURL + '\\n');
  return next(specifier, context);
}
`,
  );
  register = join(ws.dir, 'import-register.mjs');
  await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
});

async function imports(command: string, entry?: string): Promise<string> {
  const log = join(ws.dir, `${command}${entry ? '-unbundled' : ''}-imports.log`);
  const env = { NODE_OPTIONS: `--import=${pathToFileURL(register).href}`, IMPORT_LOG: log };
  const r = await runCli(ws.dir, [command, ws.spec], { env, ...(entry && { entry }) });
  assert.equal(r.code, 0, `${command}: ${r.stderr}`);
  return readFile(log, 'utf8').catch(() => '');
}

test('plan on an unchanged pipeline never loads DuckDB', async () => {
  // The hook sees DuckDB when it is loaded: prepare logs it, the plan after it must not.
  assert.match(await imports('prepare'), /@duckdb\/node-api from .*\/dist\/bundle\//);
  assert.doesNotMatch(await imports('plan'), /@duckdb\//, 'plan on an unchanged pipeline loaded DuckDB');
});

test('validate loads neither the AWS SDK nor DuckDB, and does not compile the schema', async () => {
  // The hook sees the SDK when it is loaded: plan logs it.
  assert.match(await imports('plan', UNBUNDLED_CLI), /@aws-sdk\/client-personalize from /);
  assert.equal(await imports('validate', UNBUNDLED_CLI), '');
});
