import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package's root (where package.json and schemas/ live), from dist/src/util/ or src/util/. */
export const packageRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'segflow') return dir;
    } catch {
      /* keep climbing */
    }
    dir = dirname(dir);
  }
  throw new Error('cannot locate the segflow package root');
})();

export const segflowVersion: string = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

export const pipelineSchemaPath = join(packageRoot, 'schemas', 'pipeline.schema.json');

/** Everything segflow keeps lives in `.segflow/` under the working directory, like `.terraform/`. */
export function segflowDir(cwd: string): string {
  return resolve(cwd, '.segflow');
}
export function workDir(pipeline: string, cwd: string): string {
  return join(segflowDir(cwd), 'work', pipeline);
}
export function stateFile(pipeline: string, cwd: string): string {
  return join(segflowDir(cwd), 'state', `${pipeline}.json`);
}
export function localEmulatorDir(cwd: string): string {
  return join(segflowDir(cwd), 'local');
}
export function reportsDir(pipeline: string, cwd: string): string {
  return join(segflowDir(cwd), 'reports', pipeline);
}
