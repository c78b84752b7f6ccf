import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { findDelivered, type DeliveredCopy } from '../../engine/segments.js';
import { connectTarget, type TargetConnection } from '../../engine/session.js';
import type { ExportResult, UserColumns } from '../../eval/index.js';
import { objectStoreOf } from '../../resources/object-store.js';
import { suggestion } from '../../spec/did-you-mean.js';
import type { Segmentation, Spec } from '../../spec/types.js';
import { tempPathFor } from '../../util/atomic-write.js';
import { ExitCode, inputError } from '../../util/errors.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { engineDeps } from '../engine-deps.js';
import { loadSpecForState } from './engine-io.js';
import { chooseSegmentation } from './segmentation-arg.js';

/** Columns segments.csv has itself: a users column may not take their names. */
const OWN_COLUMNS = ['query', 'rank', 'user'];

export const command: Command = {
  name: 'segments',
  summary: 'export the latest delivered segments (or their changes), optionally with columns of data.users joined',
  usage: [
    'Usage: segflow segments FILE [--segmentation NAME] [--query Q] [--format csv|jsonl] [--out PATH]',
    '                             [--with-users COL,...] [--changes] [--target local|aws]',
    '',
    "Exports a segmentation's latest delivered segments.csv (query,rank,user): the work dir's copy when it is the",
    'run the state names, else s3://<bucket>/<prefix>segments/<segmentation>/runs/<run-id>/ (or latest/).',
    '  --segmentation NAME  which segmentation (required when the pipeline has several)',
    '  --query Q            only the rows of one query: an item id or an attribute expression, exactly',
    '  --format csv|jsonl   csv (default, RFC 4180) or one JSON object per line (rank and counts as numbers)',
    '  --out PATH           write to PATH (atomically) instead of stdout',
    "  --with-users COL,... append columns of data.users' source, joined on the user id (columns never sent",
    '                       to Personalize, e.g. an e-mail address); a user without a row gets empty values',
    '  --changes            the per-query changes of the latest run instead: query,entered,stayed,left',
    'Exit 0 on success; 1 when nothing was delivered yet (RUN_NO_RUN); 2 for an invalid file or flag value.',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseCommandArgs('segments', ctx.argv, {
      segmentation: { type: 'string' },
      query: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      'with-users': { type: 'string' },
      changes: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw inputError('CLI_USAGE', 'segments: name exactly one pipeline file');
    const format = values.format ?? 'csv';
    if (format !== 'csv' && format !== 'jsonl') throw inputError('CLI_USAGE', `--format must be csv or jsonl, not '${format}'`);
    const columns = userColumns(values['with-users'], values.changes === true);
    const spec = await loadSpecForState(ctx, positionals[0], parseTargetOverride(values.target), 'segments');
    const segmentation = chooseSegmentation(spec, values.segmentation);
    if (columns.length && !spec.data.users) {
      throw inputError('CLI_USAGE', `--with-users: ${positionals[0]} has no data.users, the source user columns are read from`, [
        'add data.users (source, columns: { USER_ID: ... }); its other columns can then be joined without being sent to Personalize',
      ]);
    }
    const connection = lazyConnection(ctx, spec);
    try {
      const file = values.changes ? 'changes' : 'segments';
      const copy = await findDelivered({ spec, cwd: ctx.cwd, deps: engineDeps(), segmentation, file, connection: connection.get });
      if (!copy) {
        ctx.stderr.write(`segments: the latest run of ${segmentation.name} is its first delivered run: there is no previous run to compare with\n`);
        if (format === 'csv') await writeTo(ctx, values.out, async (w) => w('query,entered,stayed,left\n'));
        return ExitCode.ok;
      }
      try {
        const users = columns.length ? await readUsers(ctx, spec, columns, copy, values.query, connection) : undefined;
        const o = { format, ...(values.query !== undefined ? { query: values.query } : {}), ...(users ? { users } : {}) } as const;
        const { exportRows } = await import('../../eval/index.js');
        const result = await writeTo(
          ctx,
          values.out,
          (w) => exportRows(copy.path, o, w),
          (r) => checkQuery(r, values.query, copy, segmentation),
        );
        const where = values.out ? relative(ctx.cwd, resolve(ctx.cwd, values.out)) || values.out : 'stdout';
        ctx.stderr.write(`segments: ${result.rows} row(s) of run ${copy.runId} (${segmentation.name}, from ${copy.origin}) to ${where}\n`);
      } finally {
        await copy.release();
      }
      return ExitCode.ok;
    } finally {
      await connection.close();
    }
  },
};

/** --with-users COL,...: the columns, in order, once each. */
function userColumns(flag: string | undefined, changes: boolean): string[] {
  if (flag === undefined) return [];
  if (changes) throw inputError('CLI_USAGE', '--with-users joins user columns to segments; --changes lists queries, not users');
  const cols = [
    ...new Set(
      flag
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== ''),
    ),
  ];
  if (cols.length === 0) throw inputError('CLI_USAGE', '--with-users needs at least one column name, e.g. --with-users email');
  const taken = cols.filter((c) => OWN_COLUMNS.includes(c));
  if (taken.length)
    throw inputError('CLI_USAGE', `--with-users: ${taken.map((c) => `'${c}'`).join(', ')} is a column of segments.csv itself; name other columns`);
  return cols;
}

function lazyConnection(ctx: CommandContext, spec: Spec): { get: () => Promise<TargetConnection>; close: () => Promise<void> } {
  let opened: Promise<TargetConnection> | undefined;
  return {
    get: () => (opened ??= connectTarget(spec.target, ctx.cwd, engineDeps(), { onInfo: (m) => ctx.stderr.write(`${m}\n`) })),
    close: async () => {
      if (opened) await (await opened).close();
    },
  };
}

async function readUsers(
  ctx: CommandContext,
  spec: Spec,
  columns: string[],
  copy: DeliveredCopy,
  query: string | undefined,
  connection: ReturnType<typeof lazyConnection>,
): Promise<UserColumns> {
  const { readUserColumns } = await import('../../data/index.js');
  const s3 = spec.data.users!.source.some((e) => e.startsWith('s3://'));
  const objects = s3 ? objectStoreOf((await connection.get()).aws.s3, (await connection.get()).aws.label) : undefined;
  return readUserColumns(spec, columns, { cwd: ctx.cwd, segmentsCsv: copy.path, ...(query !== undefined ? { query } : {}), ...(objects ? { objects } : {}) });
}

/** --query Q that matched no row: the queries the run has, with the closest one. */
function checkQuery(r: ExportResult, query: string | undefined, copy: DeliveredCopy, seg: Segmentation): void {
  if (query === undefined || r.rows > 0) return;
  throw inputError(
    'CLI_USAGE',
    `--query: run ${copy.runId} of ${seg.name} has no query '${query}'${suggestion(query, r.queries)} (${r.queries.length} queries)`,
  );
}

/**
 * Writes through `produce` to stdout (with backpressure) or to --out PATH (a temporary sibling renamed into place
 * once `check` passed, so a failed export never leaves half a file).
 */
async function writeTo<T>(
  ctx: CommandContext,
  out: string | undefined,
  produce: (write: (chunk: string) => Promise<void>) => Promise<T>,
  check: (result: T) => void = () => undefined,
): Promise<T> {
  if (out === undefined) {
    const result = await produce((chunk) => writeChunk(ctx.stdout, chunk));
    check(result);
    return result;
  }
  const target = resolve(ctx.cwd, out);
  await mkdir(dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  const ws = createWriteStream(tmp);
  try {
    const result = await produce((chunk) => writeChunk(ws, chunk));
    ws.end();
    await once(ws, 'finish');
    check(result);
    await rename(tmp, target);
    return result;
  } finally {
    ws.destroy();
    await rm(tmp, { force: true });
  }
}

async function writeChunk(w: Writable, chunk: string): Promise<void> {
  if (!w.write(chunk)) await once(w, 'drain');
}
