/**
 * Build step (npm run build, last): bundles the CLI into dist/bundle/, the `segflow` that package.json's bin runs.
 * Unbundled, a command spends most of its start loading ~300 modules one by one (the AWS SDK's CommonJS files each
 * parsed again for their exports, every ES module resolved and checked): a plan on an unchanged pipeline took 0.72 s
 * of CPU, 0.44 s bundled. What a command does not use stays out of its start: every dynamic import() is a chunk.
 * DuckDB (a native addon) stays external. dist/src/ keeps the unbundled build, which the tests import.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { packageRoot } from '../util/paths.js';

const BUNDLE_DIR = join(packageRoot, 'dist', 'bundle');

await rm(BUNDLE_DIR, { recursive: true, force: true });
await build({
  // src/model/index.ts starts its worker as new URL('./worker.js', import.meta.url): in the bundle that is this
  // entry, beside the chunks (chunk names have no directory for that reason).
  entryPoints: { segflow: join(packageRoot, 'dist/src/cli/main.js'), worker: join(packageRoot, 'dist/src/model/worker.js') },
  outdir: BUNDLE_DIR,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  external: ['@duckdb/node-api'],
  // The SDK's CommonJS code calls require() for Node's own modules; an ES module has none unless given one.
  banner: { js: "import { createRequire as segflowCreateRequire } from 'node:module'; const require = segflowCreateRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
