import { commands } from './commands.js';
import type { CommandContext } from './context.js';
import { isSegflowError, ExitCode } from '../util/errors.js';
import { segflowVersion } from '../util/paths.js';

const REPORT_URL = 'https://github.com/segflow/segflow/issues';

function globalHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `segflow ${segflowVersion}: Amazon Personalize user-segmentation pipelines as code`,
    '',
    'Usage: segflow COMMAND [FILE] [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --target local|aws to override the file and --help for its flags.',
    'Exit codes: 0 ok, 1 run failure, 2 invalid input, 3 refused, 4 plan has changes (--detailed-exitcode).',
  ].join('\n');
}

/**
 * The one top-level catch: expected failures (SegflowError) print their code and message and exit with their
 * code; anything else is a bug, printed as one line asking to report it, exit 1. Never a stack trace
 * (set SEGFLOW_DEBUG=1 to see one).
 */
export async function runCli(args: string[], ctx: Omit<CommandContext, 'argv'>): Promise<number> {
  const write = (s: string) => ctx.stdout.write(s + '\n');
  const [name, ...rest] = args;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      write(globalHelp());
      return name === undefined ? ExitCode.invalidInput : ExitCode.ok;
    }
    if (name === '--version' || name === '-v' || name === 'version') {
      write(segflowVersion);
      return ExitCode.ok;
    }
    const entry = commands.find((c) => c.name === name);
    if (!entry) {
      ctx.stderr.write(`segflow: unknown command '${name}'\n\n${globalHelp()}\n`);
      return ExitCode.invalidInput;
    }
    const { command } = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      write(`${command.summary}\n\n${command.usage}`);
      return ExitCode.ok;
    }
    return await command.run({ ...ctx, argv: rest });
  } catch (e) {
    if (isSegflowError(e)) {
      ctx.stderr.write(`error ${e.code}: ${e.message}\n`);
      for (const line of e.details) ctx.stderr.write(`${line}\n`);
      return e.exitCode;
    }
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    ctx.stderr.write(`segflow: unexpected error (a bug; please report it at ${REPORT_URL}): ${message}\n`);
    if (ctx.env['SEGFLOW_DEBUG'] && e instanceof Error) ctx.stderr.write(`${e.stack}\n`);
    return ExitCode.runFailure;
  }
}
