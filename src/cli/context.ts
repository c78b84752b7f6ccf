import type { Readable, Writable } from 'node:stream';

/** Everything a command may touch of the outside world; only src/cli/ builds one (from process). */
export interface CommandContext {
  /** Arguments after the command name. */
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where confirmations are read from (a terminal). */
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** True when stdout is an interactive terminal (listr2 rendering, confirmation prompts). */
  isTTY: boolean;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly. */
  signal: AbortSignal;
}

export interface Command {
  name: string;
  /** One line for `segflow --help`. */
  summary: string;
  /** Usage lines for `segflow COMMAND --help`. */
  usage: string;
  run(ctx: CommandContext): Promise<number>;
}
