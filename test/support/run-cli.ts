import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runCli } from '../../src/cli/run.js';
import { packageRoot } from '../../src/util/paths.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** Runs the CLI's entry function in this process: the same code path as the bin, minus process startup. */
export async function runInProcess(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stdout = new Collector();
  const stderr = new Collector();
  const code = await runCli(args, { cwd, env, stdin: Readable.from([]), stdout, stderr, isTTY: false, signal: new AbortController().signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export const cliPath = join(packageRoot, 'dist', 'src', 'cli', 'main.js');

/** Runs the built CLI as a user would: a separate node process. */
export function runBuiltCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The source fixtures (test files run from dist/, fixtures stay in the source tree). */
export const fixturesDir = join(packageRoot, 'test', 'fixtures');
