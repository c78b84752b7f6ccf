import type { Command } from './context.js';

/**
 * The command table. Each command lives in its own module under commands/ and is loaded only when used,
 * so `segflow validate` never pays for the AWS SDK or DuckDB.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<{ command: Command }>;
}

export const commands: CommandEntry[] = [
  // commands are registered here, one line each
  { name: 'emulator', summary: 'run the local AWS-compatible endpoint (Personalize, S3, IAM, STS)', load: () => import('./commands/emulator.js') },
];
