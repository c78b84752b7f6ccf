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
  { name: 'init', summary: 'look at a data file and write a commented pipeline that validates', load: () => import('./commands/init.js') },
  {
    name: 'validate',
    summary: 'check pipeline files: schema and semantic rules, every problem located; contacts nothing',
    load: () => import('./commands/validate.js'),
  },
  { name: 'plan', summary: 'show what apply would change, with reasons and the cost estimate', load: () => import('./commands/plan.js') },
  { name: 'apply', summary: 'create, resume or update the pipeline; never pays twice', load: () => import('./commands/apply.js') },
  { name: 'status', summary: 'the state and live status of every resource', load: () => import('./commands/status.js') },
  { name: 'destroy', summary: 'stop training and delete everything the pipeline created', load: () => import('./commands/destroy.js') },
  {
    name: 'report',
    summary: "each segmentation's latest run: holdout vs baselines, or a production run's segments; writes report files",
    load: () => import('./commands/report.js'),
  },
  {
    name: 'segments',
    summary: 'export the latest delivered segments (csv or jsonl), with user columns joined, or their changes',
    load: () => import('./commands/segments.js'),
  },
  { name: 'unlock', summary: "release the pipeline's lock by hand after a crash (names the lock to remove)", load: () => import('./commands/unlock.js') },
  {
    name: 'state',
    summary: 'the state itself: history (every kept version) and migrate (move it where spec.state says)',
    load: () => import('./commands/state.js'),
  },
  { name: 'iam-policy', summary: 'the least-privilege IAM policy a CI role needs for this pipeline', load: () => import('./commands/iam-policy.js') },
  {
    name: 'prepare',
    summary: 'run the local data steps only (read, filter, split, sample queries) into .segflow/work/',
    load: () => import('./commands/prepare.js'),
  },
  { name: 'emulator', summary: 'run the local AWS-compatible endpoint (Personalize, S3, IAM, STS)', load: () => import('./commands/emulator.js') },
  { name: 'sample-data', summary: 'write synthetic Amazon-review-format data for trials and benchmarks', load: () => import('./commands/sample-data.js') },
];
