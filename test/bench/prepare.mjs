#!/usr/bin/env node
// npm run bench:prepare [-- --reviews N] [-- --scale 10] [-- --no-pandas] [-- --no-parquet] [-- --threads N]
//
// Builds a seed-scale review file with `segflow sample-data`, runs `segflow prepare` on it, then on the same
// reviews converted once to Parquet (outside the timing: a data lake's format), and, when
// /usr/bin/python3 has pandas, the seed article's pandas preparation (seed_prep_pandas.py) on the same file in the
// same run. Prints wall time and peak RSS of both and the ratio, and checks that both produce the same counts and
// the same interactions.csv rows (as a set). Run it under the machine's heavy-job lock:
//   flock /tmp/segflow-heavy.lock npm run bench:prepare
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    reviews: { type: 'string', default: '5074160' },
    scale: { type: 'string', default: '1' },
    seed: { type: 'string', default: '7' },
    threads: { type: 'string' },
    runs: { type: 'string', default: '3' },
    'memory-limit': { type: 'string' },
    'no-pandas': { type: 'boolean', default: false },
    'no-parquet': { type: 'boolean', default: false },
    dir: { type: 'string', default: '/tmp/segflow-bench' },
    'pandas-script': { type: 'string', default: process.env.SEGFLOW_SEED_PREP ?? join(root, '..', 'shared', 'bench', 'seed_prep_pandas.py') },
  },
});
const reviews = Number(values.reviews) * Number(values.scale);
const dir = resolve(values.dir);
mkdirSync(dir, { recursive: true });
const cli = join(root, 'dist/bundle/segflow.js');
const data = join(dir, `reviews-${reviews}-s${values.seed}.json.gz`);
const log = (s) => process.stdout.write(s + '\n');

/** Runs a command under GNU time: wall seconds and peak RSS (kB) of the process. */
function timed(cmd, args, opts = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %M %U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  const m = /__TIME__ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
  }
  return { wall: Number(m[1]), rssKb: Number(m[2]), cpu: Number(m[3]) + Number(m[4]), stdout: r.stdout, stderr: r.stderr };
}
const gib = (kb) => (kb / 1024 / 1024).toFixed(2) + ' GiB';

if (!existsSync(data)) {
  log(`sample-data: ${reviews} reviews -> ${data}`);
  const g = timed('node', [cli, 'sample-data', '--out', data, '--reviews', String(reviews), '--seed', values.seed]);
  log(`  ${g.stdout.trim()} (peak RSS ${gib(g.rssKb)})`);
}

const work = join(dir, `cwd-${reviews}`);
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const specText = (source, format) => `version: 1
name: bench-prepare
data:
  interactions:
    source: ${JSON.stringify(source)}
    format: ${format}
    columns: { USER_ID: reviewerID, ITEM_ID: asin, TIMESTAMP: unixReviewTime }
    dedupe: true
    minInteractionsPerUser: 4
split:
  testStart: 2018-02-01T00:00:00Z
  warmUsersOnly: true
queries:
  items: { sample: 500, seed: 10 }
storage: { bucket: segflow-bench-prepare }
recipe: aws-item-affinity
segments:
  numResults: { fractionOfUsers: 0.01 }
budget: { maxUsd: 100 }
`;
const spec = join(work, 'bench.yaml');
writeFileSync(spec, specText(data, 'jsonl'));
const extra = [...(values.threads ? ['--threads', values.threads] : []), ...(values['memory-limit'] ? ['--memory-limit', values['memory-limit']] : [])];
// The machine is shared: segflow's run is short enough for a burst of other work to double it, so it runs
// `--runs` times from scratch and the median is compared (every run is printed).
let ok = true;
const runs = [];
for (let k = 0; k < Math.max(1, Number(values.runs)); k++) {
  rmSync(join(work, '.segflow'), { recursive: true, force: true });
  log(`segflow prepare (${reviews} reviews), run ${k + 1}`);
  const run = timed('node', [cli, 'prepare', spec, '--json', ...extra], { cwd: work });
  log(`  wall ${run.wall.toFixed(1)} s, CPU ${run.cpu.toFixed(1)} s, peak RSS ${gib(run.rssKb)}`);
  runs.push(run);
}
const median = (rs) => {
  const byWall = [...rs].sort((a, b) => a.wall - b.wall);
  return { ...byWall[Math.floor((byWall.length - 1) / 2)], rssKb: Math.max(...rs.map((r) => r.rssKb)), min: byWall[0].wall };
};
const ours = median(runs);
const byWall = [...runs].sort((a, b) => a.wall - b.wall);
const stats = JSON.parse(ours.stdout).stats;
log(`  median wall ${ours.wall.toFixed(1)} s (min ${byWall[0].wall.toFixed(1)} s), max peak RSS ${gib(ours.rssKb)}`);
log(`  ${stats.interactions} interactions, ${stats.users} users, ${stats.items} items; ${stats.trainRows} train rows`);
const again = timed('node', [cli, 'prepare', spec], { cwd: work });
log(`  re-run: ${again.stdout.trim()} (${again.wall.toFixed(1)} s)`);

// The same reviews as Parquet: converted once with DuckDB (not timed), then prepared like the JSON file.
let parquet;
if (!values['no-parquet']) {
  const pq = data.replace(/\.json\.gz$/, '.parquet');
  if (!existsSync(pq)) {
    log(`converting ${data} to Parquet (once, not timed)`);
    execFileSync(
      'node',
      [
        '--input-type=module',
        '-e',
        `
      import { DuckDBInstance } from '@duckdb/node-api';
      const c = await (await DuckDBInstance.create(':memory:', { memory_limit: '2GB', preserve_insertion_order: 'false' })).connect();
      await c.run("COPY (SELECT * FROM read_json(" + ${JSON.stringify(JSON.stringify(data).replace(/"/g, "'"))} + ", format = 'newline_delimited')) TO " + ${JSON.stringify(JSON.stringify(pq + '.tmp').replace(/"/g, "'"))} + " (FORMAT parquet)");`,
      ],
      { cwd: root, stdio: 'inherit' },
    );
    renameSync(pq + '.tmp', pq);
  }
  const pqSpec = join(work, 'bench-parquet.yaml');
  writeFileSync(pqSpec, specText(pq, 'parquet'));
  const pqRuns = [];
  for (let k = 0; k < Math.max(1, Number(values.runs)); k++) {
    rmSync(join(work, '.segflow'), { recursive: true, force: true });
    log(`segflow prepare (${reviews} reviews as Parquet, ${(statSync(pq).size / 1e6).toFixed(0)} MB), run ${k + 1}`);
    const run = timed('node', [cli, 'prepare', pqSpec, '--json', ...extra], { cwd: work });
    log(`  wall ${run.wall.toFixed(1)} s, CPU ${run.cpu.toFixed(1)} s, peak RSS ${gib(run.rssKb)}`);
    pqRuns.push(run);
  }
  parquet = median(pqRuns);
  const pqStats = JSON.parse(parquet.stdout).stats;
  for (const k of ['interactions', 'users', 'items', 'trainRows', 'testRows', 'queries']) {
    if (pqStats[k] !== stats[k]) {
      ok = false;
      log(`  MISMATCH ${k}: JSON ${stats[k]} vs Parquet ${pqStats[k]}`);
    }
  }
  log('');
  log('| source | wall (median) | CPU | peak RSS |');
  log('|---|---|---|---|');
  log(`| JSON lines, gzipped (${(statSync(data).size / 1e6).toFixed(0)} MB) | ${ours.wall.toFixed(1)} s | ${ours.cpu.toFixed(1)} s | ${gib(ours.rssKb)} |`);
  log(`| Parquet (${(statSync(pq).size / 1e6).toFixed(0)} MB) | ${parquet.wall.toFixed(1)} s | ${parquet.cpu.toFixed(1)} s | ${gib(parquet.rssKb)} |`);
  log(`Parquet / JSON: wall ${(parquet.wall / ours.wall).toFixed(3)}, RSS ${(parquet.rssKb / ours.rssKb).toFixed(3)}; same counts: ${ok ? 'yes' : 'NO'}`);
  log('');
}

const hasPandas = !values['no-pandas'] && spawnSync('/usr/bin/python3', ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0;
if (values['no-pandas']) {
  log('pandas: skipped (--no-pandas)');
} else if (!hasPandas) {
  log('pandas: skipped (no /usr/bin/python3 with pandas: apt-get install -y python3-pandas python3-scipy)');
} else if (!existsSync(values['pandas-script'])) {
  log(`pandas: skipped (${values['pandas-script']} not found; set SEGFLOW_SEED_PREP)`);
} else {
  const out = join(dir, `pandas-${reviews}`);
  rmSync(out, { recursive: true, force: true });
  log('pandas: seed_prep_pandas.py on the same file');
  const p = timed('/usr/bin/python3', [values['pandas-script'], data, out, '2018-02-01']);
  const a = /total interactions:(\d+) num users:(\d+) num items:(\d+)/.exec(p.stdout);
  const b = /train rows:(\d+)/.exec(p.stdout);
  const theirs = { interactions: +a[1], users: +a[2], items: +a[3], trainRows: +b[1] };
  log(`  wall ${p.wall.toFixed(1)} s, CPU ${p.cpu.toFixed(1)} s, peak RSS ${gib(p.rssKb)}`);
  log(`  ${theirs.interactions} interactions, ${theirs.users} users, ${theirs.items} items; ${theirs.trainRows} train rows`);
  for (const k of Object.keys(theirs)) {
    if (theirs[k] !== stats[k]) {
      ok = false;
      log(`  MISMATCH ${k}: segflow ${stats[k]} vs pandas ${theirs[k]}`);
    }
  }
  // Same rows as a set: DuckDB compares the two interactions.csv files (both directions of EXCEPT ALL).
  const diff = execFileSync(
    'node',
    [
      '--input-type=module',
      '-e',
      `
    import { DuckDBInstance } from '@duckdb/node-api';
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    const r = (f) => "read_csv('" + f + "', header = true, columns = {'USER_ID': 'VARCHAR', 'ITEM_ID': 'VARCHAR', 'TIMESTAMP': 'BIGINT'})";
    const a = ${JSON.stringify(join(work, '.segflow/work/bench-prepare/interactions.csv'))}, b = ${JSON.stringify(join(out, 'interactions.csv'))};
    const q = await c.runAndReadAll('SELECT (SELECT count(*) FROM (SELECT * FROM ' + r(a) + ' EXCEPT ALL SELECT * FROM ' + r(b) + ')) + (SELECT count(*) FROM (SELECT * FROM ' + r(b) + ' EXCEPT ALL SELECT * FROM ' + r(a) + ')) AS n');
    console.log(String(q.getRows()[0][0]));`,
    ],
    { cwd: root, encoding: 'utf8' },
  ).trim();
  if (diff !== '0') ok = false;
  log(`  interactions.csv rows differing from pandas (as a multiset): ${diff}`);
  log('');
  log('| step | wall | CPU | peak RSS |');
  log('|---|---|---|---|');
  log(`| pandas (seed_prep_pandas.py) | ${p.wall.toFixed(1)} s | ${p.cpu.toFixed(1)} s | ${gib(p.rssKb)} |`);
  log(`| segflow prepare (median of ${runs.length}) | ${ours.wall.toFixed(1)} s | ${ours.cpu.toFixed(1)} s | ${gib(ours.rssKb)} |`);
  log(`| ratio (segflow / pandas) | ${(ours.wall / p.wall).toFixed(3)} | ${(ours.cpu / p.cpu).toFixed(3)} | ${(ours.rssKb / p.rssKb).toFixed(3)} |`);
  log(`wall-time ratio of the fastest segflow run: ${(byWall[0].wall / p.wall).toFixed(3)}`);
  log(`counts ${ok ? 'identical' : 'DIFFERENT'}: interactions, users, items, train rows${ok ? '' : ' (see MISMATCH above)'}`);
}
writeFileSync(
  join(dir, `result-${reviews}.json`),
  JSON.stringify(
    {
      reviews,
      segflow: { walls: runs.map((r) => r.wall), rssKb: ours.rssKb, stats },
      ...(parquet ? { parquet: { wall: parquet.wall, rssKb: parquet.rssKb } } : {}),
    },
    null,
    2,
  ),
);
process.exitCode = ok ? 0 : 1;
