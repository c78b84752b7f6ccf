import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { ROLE_FLAGS, type Role } from '../../data/inspect.js';
import { pipelineNameFor, renderPipeline } from '../../data/pipeline-template.js';
import { checkSpecFile } from '../../spec/load.js';
import { isS3 } from '../../spec/source-location.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { inputError, refusal, SegflowError } from '../../util/errors.js';
import { pipelineSchemaPath, segflowDir } from '../../util/paths.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import type { Command } from '../context.js';
import { engineDeps } from '../engine-deps.js';
import { estimateCost } from '../../cost/formulas.js';
import { resolvePrices } from '../../cost/prices.js';
import { estimateTrainingHours } from '../../cost/training-hours.js';
import { objectStoreOf } from '../../resources/object-store.js';

export const command: Command = {
  name: 'init',
  summary: 'look at a data file and write a commented pipeline that validates',
  usage: [
    'Usage: segflow init FILE [--out pipeline.yaml] [--name NAME] [--target local|aws] [--force]',
    '                         [--user-column C] [--item-column C] [--timestamp-column C] [--event-type-column C]',
    '',
    'Reads FILE (a local path or s3://bucket/key; csv, jsonl or parquet), prints its columns, types, row count and',
    'time range, guesses USER_ID, ITEM_ID, TIMESTAMP (and EVENT_TYPE) from the column names and types, proposes',
    'split.testStart at the 80% time quantile and a minInteractionsPerUser, and writes a commented pipeline.',
    'A column that cannot be guessed is an error naming the flag to pass.',
    '',
    '  --out FILE        the pipeline to write (default pipeline.yaml); never overwritten without --force',
    '  --name NAME       pipeline name (default: from the file name)',
    "  --target T        local (default) or aws; s3:// files are read with that target's clients",
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseCommandArgs('init', ctx.argv, {
      out: { type: 'string' },
      name: { type: 'string' },
      force: { type: 'boolean' },
      region: { type: 'string' },
      'user-column': { type: 'string' },
      'item-column': { type: 'string' },
      'timestamp-column': { type: 'string' },
      'event-type-column': { type: 'string' },
    });
    const [file, ...extra] = positionals;
    if (!file || extra.length) throw inputError('CLI_USAGE', 'init: name exactly one data file');
    const target = parseTargetOverride(values.target) ?? 'local';
    const out = resolve(ctx.cwd, values.out ?? 'pipeline.yaml');
    if (existsSync(out) && !values.force) throw refusal('INIT_EXISTS', `${relative(ctx.cwd, out) || out} exists; pass --force to overwrite it`);
    const name = values.name ?? pipelineNameFor(file);
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(name))
      throw inputError('CLI_USAGE', `--name ${name}: lower-case letters, digits and '-', starting with a letter, at most 40 characters`);
    const roles: Partial<Record<Role, string>> = {};
    for (const role of Object.keys(ROLE_FLAGS) as Role[]) {
      const v = values[ROLE_FLAGS[role].slice(2) as 'user-column'];
      if (v !== undefined) roles[role] = v;
    }

    const source = isS3(file) ? file : resolve(ctx.cwd, file);
    if (!isS3(file) && !existsSync(source)) throw inputError('INIT_FILE', `${file}: no such file`);
    const region = values.region ?? (target === 'aws' ? undefined : 'us-east-1');
    if (target === 'aws' && !region) throw inputError('CLI_USAGE', 'init --target aws needs --region REGION (e.g. eu-west-1)');
    const tempDir = await mkdtemp(join(tmpdir(), 'segflow-init-'));
    const { inspectSource } = await import('../../data/inspect.js');
    const connection = isS3(file)
      ? await (await import('../../engine/session.js')).connectTarget({ kind: target, region: region! }, ctx.cwd, engineDeps())
      : undefined;
    let inspection: Awaited<ReturnType<typeof inspectSource>>;
    try {
      const objects = connection ? objectStoreOf(connection.aws.s3, connection.aws.label) : undefined;
      inspection = await inspectSource(source, { roles, display: file, cacheDir: join(segflowDir(ctx.cwd), 'cache'), tempDir, ...(objects && { objects }) });
    } finally {
      await connection?.close();
      await rm(tempDir, { recursive: true, force: true });
    }
    const i = inspection;
    const width = Math.max(...i.columns.map((c) => c.name.length));
    const roleOf = new Map(Object.entries(i.roles).map(([r, c]) => [c, r]));
    ctx.stdout.write(
      [
        `${file}: ${i.format}, ${i.rows} rows, ${i.users} users, ${i.items} items, ${i.minTime} .. ${i.maxTime}`,
        ...i.columns.map((c) => `  ${c.name.padEnd(width)}  ${c.type.padEnd(9)}${roleOf.has(c.name) ? `  -> ${roleOf.get(c.name)}` : ''}`),
        `  split.testStart ${i.testStart} (80% of the interactions before it); minInteractionsPerUser ${i.minInteractionsPerUser}`,
        ...(i.timestampFormat ? [`  timestampFormat ${i.timestampFormat}`] : []),
        '',
      ].join('\n'),
    );
    const dir = dirname(out);
    const text = renderPipeline(i, {
      name,
      source: isS3(file) ? file : relative(dir, source) || source,
      file,
      target,
      ...(region && { region }),
      schemaPath: relative(dir, pipelineSchemaPath),
      budget: initialBudget(i, region ?? 'us-east-1'),
    });
    await writeFileAtomic(out, text);
    // The file must pass validate as written; anything else is segflow's bug, said plainly.
    const check = await checkSpecFile(out, { mode: 'validate', cwd: ctx.cwd });
    if (check.diagnostics.some((d) => d.severity === 'error')) {
      throw new SegflowError('INIT_INVALID', `the written ${check.displayFile} does not validate (a segflow bug)`, check.formatted);
    }
    ctx.stdout.write(`init: wrote ${check.displayFile} (pipeline ${name}); next: segflow plan ${check.displayFile}\n`);
    return 0;
  },
};

/**
 * A budget the first apply fits under, from what the file says (every user and row counted: the filters only
 * lower it): 500 item queries, the high end of training, and some headroom, rounded up to a round figure.
 */
export function initialBudget(i: { rows: number; users: number; items: number }, region: string): { maxUsd: number; estimateUsd: number; queries: number } {
  const queries = 500;
  const estimate = estimateCost(
    {
      ingestBytes: i.rows * 40,
      trainingHours: estimateTrainingHours({ interactions: i.rows, users: i.users, items: i.items }, 'aws-item-affinity'),
      segments: { users: i.users, queries },
    },
    resolvePrices(region, undefined),
  ).totalUsd;
  const step = estimate < 100 ? 5 : estimate < 1000 ? 50 : 500;
  return { maxUsd: Math.max(step, Math.ceil((estimate * 1.2) / step) * step), estimateUsd: estimate, queries };
}
