import type { PrepareStats } from '../../data/artifacts.js';
import { loadSpecWithWarnings } from '../../spec/load.js';
import { inputError } from '../../util/errors.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import type { Command } from '../context.js';
import { engineDeps } from '../engine-deps.js';
import { objectStoreOf } from '../../resources/object-store.js';

export const command: Command = {
  name: 'prepare',
  summary: 'run the local data steps only: read, filter, split, sample queries; writes .segflow/work/<name>/',
  usage: [
    'Usage: segflow prepare FILE [--json] [--threads N] [--memory-limit SIZE] [--target local|aws]',
    '',
    'Reads data.interactions (and data.items, data.users), applies where, dedupe and the minimums, splits at',
    'split.testStart and writes interactions.csv, batch-input.jsonl, ground-truth.json, items.csv, users.csv,',
    'stats.json and manifest.json to .segflow/work/<name>/. An unchanged re-run does no work. s3:// sources',
    "are read with the target's clients (local: the emulator's S3) into .segflow/cache/, keyed by ETag.",
    '',
    '  --threads N          DuckDB threads (default: all cores); outputs are identical for any N',
    '  --memory-limit SIZE  DuckDB buffer pool, e.g. 1GB (default) or 3GB; larger data spills to disk',
    '  --json               print stats.json to stdout',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseCommandArgs('prepare', ctx.argv, {
      json: { type: 'boolean' },
      threads: { type: 'string' },
      'memory-limit': { type: 'string' },
    });
    const [file, ...extra] = positionals;
    if (!file || extra.length) throw inputError('CLI_USAGE', 'prepare: name exactly one pipeline file');
    const target = parseTargetOverride(values.target);
    const threads = values.threads === undefined ? undefined : Number(values.threads);
    if (threads !== undefined && (!Number.isInteger(threads) || threads < 1))
      throw inputError('CLI_USAGE', `--threads must be a positive integer, not '${values.threads}'`);
    const memoryLimit = values['memory-limit'];
    if (memoryLimit !== undefined && !/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit))
      throw inputError('CLI_USAGE', `--memory-limit must look like 1GB or 512MB, not '${memoryLimit}'`);

    const { spec, warnings } = await loadSpecWithWarnings(file, { mode: 'run', cwd: ctx.cwd, ...(target && { target }) });
    for (const w of warnings) ctx.stderr.write(w + '\n');
    const { prepareData } = await import('../../data/index.js');
    const started = Date.now();
    // Only a spec with s3:// sources needs clients (and, for the local target, the emulator).
    const s3 = Object.values(spec.data).some((d) => d?.source.some((e) => e.startsWith('s3://')));
    const connection = s3 ? await (await import('../../engine/session.js')).connectTarget(spec.target, ctx.cwd, engineDeps()) : undefined;
    let result: Awaited<ReturnType<typeof prepareData>>;
    try {
      const objects = connection ? objectStoreOf(connection.aws.s3, connection.aws.label) : undefined;
      result = await prepareData(spec, {
        cwd: ctx.cwd,
        signal: ctx.signal,
        onProgress: (m) => ctx.stderr.write(`prepare: ${m}\n`),
        ...(threads !== undefined && { threads }),
        ...(memoryLimit !== undefined && { memoryLimit }),
        ...(objects && { objects }),
      });
    } finally {
      await connection?.close();
    }
    const s = result.stats;
    const d = result.download;
    const fetched = s3 ? `; downloaded ${d.bytes} bytes (${d.objects} objects, ${d.cached} cached)` : '';
    if (values.json) {
      ctx.stdout.write(
        JSON.stringify(
          { upToDate: result.upToDate, fingerprint: result.fingerprint, workDir: result.workDir, download: d, changes: result.changes, stats: s },
          null,
          2,
        ) + '\n',
      );
      return 0;
    }
    if (result.upToDate) {
      ctx.stdout.write(`prepare: up to date (fingerprint ${result.fingerprint.slice(0, 12)}); nothing to do${fetched}\n`);
      return 0;
    }
    // What changed in the sources (added, removed, changed) was said once already, as progress, when it was found.
    const lines = [
      `prepare: ${s.rowsRead} rows read -> ${s.interactions} interactions (${s.users} users, ${s.items} items)`,
      ...s.dropped.map((d) => `  dropped ${d.rows} (${d.step}: ${d.why})`),
      s.mode === 'production'
        ? `  train ${s.trainRows} rows (${s.trainUsers} users, ${s.trainItems} items): every interaction (a production run, no split)`
        : `  train ${s.trainRows} rows (${s.trainUsers} users, ${s.trainItems} items); test ${s.testRows} rows (${s.warmTestUsers} warm users, ${s.testItems} items)`,
      ...queryLines(s),
      ...(s.usersSource ? [`  users.csv: ${s.usersSource.written} of ${s.usersSource.users} users (those in train)`] : []),
      ...s.warnings.map((w) => `warning: ${w}`),
      `prepare: wrote ${result.workDir} in ${((Date.now() - started) / 1000).toFixed(1)} s (fingerprint ${result.fingerprint.slice(0, 12)})${fetched}`,
    ];
    ctx.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};

/** Each segmentation's queries: how many, cold, in how many jobs, K (one line for a file with top-level keys). */
function queryLines(s: PrepareStats): string[] {
  const segs = s.segmentations ?? [];
  if (segs.length === 0) return [`  ${s.queries} queries (${s.coldQueries} cold); K = ${s.k}`];
  return segs.flatMap((g) => {
    const who = segs.length > 1 ? `${g.name}: ` : '';
    const jobs = g.chunks.length > 1 ? ` in ${g.chunks.length} jobs (${g.chunks.map((c) => c.queries).join(' + ')})` : '';
    return [
      `  ${who}${g.queries} queries${jobs} (${g.coldQueries} cold); K = ${g.k}`,
      ...(g.generatedQueries ? [`  ${who}queries chosen from the training data: ${g.generatedQueries.join('; ')}`] : []),
    ];
  });
}
