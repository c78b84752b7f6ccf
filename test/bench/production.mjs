// bench:production: a local production run at the seed's scale, beside the experiment on the same data, in one run.
//
//   flock /tmp/segflow-heavy.lock npm run bench:production [-- --reviews N --queries Q]
//
// The data: `segflow sample-data --reviews 5074160` (Amazon-review format, cached under /tmp/segflow-bench). Two
// pipelines on it, each applied from scratch on the local target (the in-process emulator really trains and
// segments): the anchor, the seed's experiment (split 2018-02-01, 500 sampled test items, one job), and the
// production run (no split: all interactions; 5,000 chosen items from a file: 10 jobs of 500). For each: the plan's
// AWS cost, wall time and peak RSS of `apply` (GNU time), the apply of an unchanged pipeline, and the delivered
// segments; then the ratios production / experiment.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { reviews: { type: 'string', default: '5074160' }, queries: { type: 'string', default: '5000' } } });
const REVIEWS = Number(values.reviews);
const QUERIES = Number(values.queries);
const CLI = resolve('dist/bundle/segflow.js');
const SCRATCH = '/tmp/segflow-bench';
const log = (s) => process.stdout.write(s + '\n');
const gib = (kb) => `${(kb / 1024 / 1024).toFixed(2)} GiB`;

function run(cmd, args, cwd) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', cmd, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, CI: '1', NODE_NO_WARNINGS: '1' },
  });
  const m = /(\d+\.\d+) (\d+) (\d+\.\d+) (\d+\.\d+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return { wall: Number(m[1]), rssKb: Number(m[2]), cpu: Number(m[3]) + Number(m[4]), stdout: r.stdout };
}

mkdirSync(SCRATCH, { recursive: true });
const data = join(SCRATCH, `production-${REVIEWS}.json.gz`);
if (!existsSync(data)) {
  log(`generating ${REVIEWS.toLocaleString('en-US')} reviews (segflow sample-data) ...`);
  run(process.execPath, [CLI, 'sample-data', '--out', data, '--reviews', String(REVIEWS)], SCRATCH);
}
log(`data: ${data} (${(statSync(data).size / 1e6).toFixed(0)} MB gzipped, ${REVIEWS.toLocaleString('en-US')} reviews)`);

const common = (name) => [
  'version: 1',
  `name: ${name}`,
  'target: { kind: local }',
  'data:',
  '  interactions:',
  `    source: ${data}`,
  '    format: jsonl',
  '    columns: { USER_ID: reviewerID, ITEM_ID: asin, TIMESTAMP: unixReviewTime }',
  '    minInteractionsPerUser: 4',
  `storage: { bucket: segflow-${name}, prefix: ${name}/ }`,
  'recipe: aws-item-affinity',
  'segments: { numResults: { fractionOfUsers: 0.01 } }',
  'budget: { maxUsd: 100000 }',
];

/** The most-reviewed items are what a marketer would query; picked once with the experiment's own prepared data. */
function chooseItems(workDir, n) {
  const counts = new Map();
  for (const line of readFileSync(join(workDir, 'interactions.csv'), 'utf8').split('\n').slice(1)) {
    const item = line.split(',')[1];
    if (item) counts.set(item, (counts.get(item) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([i]) => i);
}

function pipelineRun(name) {
  const dir = join(SCRATCH, `run-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function measure(name, dir, yaml) {
  writeFileSync(join(dir, 'pipeline.yaml'), yaml.join('\n') + '\n');
  const plan = JSON.parse(run(process.execPath, [CLI, 'plan', 'pipeline.yaml', '--format', 'json'], dir).stdout);
  const applied = run(process.execPath, [CLI, 'apply', 'pipeline.yaml', '--auto-approve'], dir);
  const again = run(process.execPath, [CLI, 'apply', 'pipeline.yaml', '--auto-approve'], dir);
  if (!/No changes|0 step\(s\) applied|up to date/.test(again.stdout))
    throw new Error(`${name}: a second apply changed something:\n${again.stdout.slice(-2000)}`);
  const jobs = plan.steps.filter((s) => s.kind === 'segments').length;
  const seg = plan.cost.lines.find((l) => l.item === 'batch segments');
  log(
    `${name}: ${jobs} job(s); AWS estimate $${plan.cost.lowUsd.toFixed(2)}-$${plan.cost.totalUsd.toFixed(2)} (batch segments ${seg.quantity}: $${seg.usd.toFixed(2)})`,
  );
  log(
    `  apply: wall ${applied.wall.toFixed(1)} s, CPU ${applied.cpu.toFixed(1)} s, peak RSS ${gib(applied.rssKb)}; unchanged apply ${again.wall.toFixed(1)} s`,
  );
  return { plan, jobs, applied, again };
}

log('');
const expDir = pipelineRun('experiment');
const experiment = measure('experiment (anchor: split 2018-02-01, 500 sampled test items)', expDir, [
  ...common('bench-experiment'),
  'split: { testStart: 2018-02-01T00:00:00Z }',
  'queries: { items: { sample: 500, seed: 10 } }',
]);
const prodDir = pipelineRun('production');
const items = chooseItems(join(expDir, '.segflow', 'work', 'bench-experiment'), QUERIES);
writeFileSync(join(prodDir, 'queries.csv'), ['ITEM_ID', ...items].join('\n') + '\n');
const production = measure(`production (no split, ${items.length.toLocaleString('en-US')} chosen items)`, prodDir, [
  ...common('bench-production'),
  'queries: { items: { source: queries.csv } }',
]);
const delivered = join(prodDir, '.segflow', 'work', 'bench-production', 'segments.csv');
const rows = readFileSync(delivered, 'utf8').split('\n').length - 2;
log(`  delivered segments.csv: ${rows.toLocaleString('en-US')} rows, ${(statSync(delivered).size / 1e6).toFixed(0)} MB`);

log('');
log('| run | jobs | queries | AWS estimate | apply wall | CPU | peak RSS | unchanged apply |');
log('|---|---|---|---|---|---|---|---|');
for (const [label, r] of [
  ['experiment (anchor)', experiment],
  ['production', production],
]) {
  log(
    `| ${label} | ${r.jobs} | ${r.plan.cost.segments.queries.toLocaleString('en-US')} | $${r.plan.cost.lowUsd.toFixed(2)}-$${r.plan.cost.totalUsd.toFixed(2)} | ${r.applied.wall.toFixed(1)} s | ${r.applied.cpu.toFixed(1)} s | ${gib(r.applied.rssKb)} | ${r.again.wall.toFixed(1)} s |`,
  );
}
log(
  `| ratio production / experiment | | ${(production.plan.cost.segments.queries / experiment.plan.cost.segments.queries).toFixed(1)}x | ${(production.plan.cost.totalUsd / experiment.plan.cost.totalUsd).toFixed(2)}x | ${(production.applied.wall / experiment.applied.wall).toFixed(2)}x | ${(production.applied.cpu / experiment.applied.cpu).toFixed(2)}x | ${(production.applied.rssKb / experiment.applied.rssKb).toFixed(2)}x | |`,
);
