/**
 * Test support: running segflow as the tests need it. `runCli` and `startCli` run the built CLI as a user would, a
 * separate node process (e2e tests run exactly what users run); `runInProcess` calls the CLI's entry function in
 * this process; `show` puts a run's outcome in an assertion message.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runCli as cliEntry } from '../../src/cli/run.js';
import { packageRoot } from '../../src/util/paths.js';

export interface CliResult {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to this process's environment; a key set to undefined is removed from the child's. */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's standard input, which is then closed (default: no standard input). */
  stdin?: string;
  /** SIGKILL after this many milliseconds: a crash at a random moment. */
  killAfterMs?: number;
  /** SIGKILL as soon as the standard output so far satisfies this: a crash at a chosen step. */
  killWhen?: (stdout: string) => boolean;
  /** The CLI file to run: the bundle by default, UNBUNDLED_CLI for a test that watches segflow's own modules. */
  entry?: string;
}

/** The built CLI, as package.json's bin runs it: the bundle (src/build/bundle.ts). */
export const CLI = join(packageRoot, 'dist', 'bundle', 'segflow.js');
/** The same CLI as tsc built it, one module per source file. */
export const UNBUNDLED_CLI = join(packageRoot, 'dist', 'src', 'cli', 'main.js');

/** The source fixtures (test files run from dist/, fixtures stay in the source tree). */
export const fixturesDir = join(packageRoot, 'test', 'fixtures');

/** Plain progress lines, short polls (the emulator's fast lifecycle), no Node.js warnings in the output. */
const CLI_ENV: NodeJS.ProcessEnv = { CI: '1', SEGFLOW_POLL_MS: '50,500', NODE_NO_WARNINGS: '1' };

/** Starts any program in `cwd`; `done` resolves with its outcome once it has exited and its output is read. */
export function startProcess(command: string, args: string[], cwd: string, opts: RunOptions = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...opts.env }, stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    child.kill('SIGKILL');
  };
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!killed && opts.killWhen?.(stdout)) kill();
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  const timer = opts.killAfterMs === undefined ? undefined : setTimeout(kill, opts.killAfterMs);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** Runs any program in `cwd` to its end. */
export function runProcess(command: string, args: string[], cwd: string, opts: RunOptions = {}): Promise<CliResult> {
  return startProcess(command, args, cwd, opts).done;
}

/** Newest modification time of the compiled modules under dir. */
function newestModule(dir: string): number {
  const modules = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
  return Math.max(0, ...modules.map((f) => statSync(join(dir, f)).mtimeMs));
}

let bundleChecked = false;
/** A bare `tsc` rebuilds dist/src but not the bundle: the tests would then run yesterday's CLI. */
function assertBundleFresh(): void {
  if (bundleChecked) return;
  const built = newestModule(join(packageRoot, 'dist', 'src', 'cli'));
  assert.ok(statSync(CLI).mtimeMs >= built, `${CLI} is older than dist/src/cli: run \`npm run build\`, which bundles after tsc`);
  bundleChecked = true;
}

/** Starts the built CLI in the background (to act on the world while it runs, or to kill it). */
export function startCli(cwd: string, args: string[], opts: RunOptions = {}): { child: ChildProcess; done: Promise<CliResult> } {
  if (!opts.entry) assertBundleFresh();
  return startProcess(process.execPath, [opts.entry ?? CLI, ...args], cwd, { ...opts, env: { ...CLI_ENV, ...opts.env } });
}

/** Runs the built CLI to its end. */
export function runCli(cwd: string, args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return startCli(cwd, args, opts).done;
}

class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** Runs the CLI's entry function in this process: the same code path as the bin, minus process startup. */
export async function runInProcess(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stdout = new Collector();
  const stderr = new Collector();
  const code = await cliEntry(args, { cwd, env, stdin: Readable.from([]), stdout, stderr, isTTY: false, signal: new AbortController().signal });
  return { code, signal: null, stdout: stdout.text, stderr: stderr.text };
}

/** A run's outcome in an assertion message: how it ended and the end of each output. */
export function show(r: CliResult): string {
  return `exit ${r.code}${r.signal ? ` signal ${r.signal}` : ''}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}

/** Asserts that a run exited 0; the message names `what` ran and shows the run. */
export function assertOk(r: CliResult, what: string): void {
  assert.equal(r.code, 0, `${what}: ${show(r)}`);
}
