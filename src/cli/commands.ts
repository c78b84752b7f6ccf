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
  { name: 'validate', summary: 'check pipeline files: schema and semantic rules, every problem located; contacts nothing', load: () => import('./commands/validate.js') },
];
