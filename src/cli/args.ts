import { parseArgs, type ParseArgsConfig } from 'node:util';
import { inputError } from '../util/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command takes. */
export const commonOptions = {
  help: { type: 'boolean', short: 'h' },
  target: { type: 'string' },
} as const satisfies Options;

/** parseArgs with segflow's error style: an unknown flag is invalid input (exit 2), not a crash. */
export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...commonOptions, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw inputError('CLI_USAGE', `${command}: ${(e as Error).message.replace(/\. To specify.*$/s, '')}`, [`  run 'segflow ${command} --help' for usage`]);
  }
}

export function parseTargetOverride(value: string | undefined): 'local' | 'aws' | undefined {
  if (value === undefined) return undefined;
  if (value === 'local' || value === 'aws') return value;
  throw inputError('CLI_USAGE', `--target must be local or aws, not '${value}'`);
}
