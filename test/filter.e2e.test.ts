import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, generateInteractions } from './e2e-support.js';
import { assertOk, runCli } from './support/run-cli.js';
import type { Report } from '../src/eval/report-types.js';

/**
 * Users datasets and segment filters end to end: the built CLI against the emulator, checked on what a user sees
 * (the downloaded segments, the prepared users and interactions files, the report, plan and destroy output).
 */
const dirs: string[] = [];
after(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const UK = 'INCLUDE UserID WHERE Users.COUNTRY IN ("UK")';
/** "Amazon Personalize ignores case only when matching event types": the data says purchase, the filter PURCHASE. */
const NO_BUYERS = 'EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("PURCHASE")';

/** The e2e purchase log with an event column: every third user's first row is a purchase, the rest views. */
function interactionsWithEvents(): string {
  const [header, ...rows] = generateInteractions().trim().split('\n');
  const seen = new Set<string>();
  const out = rows.map((r) => {
    const user = r.split(',')[0]!;
    const first = !seen.has(user);
    seen.add(user);
    return `${r},${first && Number(user.slice(1)) % 3 === 0 ? 'purchase' : 'view'}`;
  });
  return [`${header},event`, ...out].join('\n') + '\n';
}

/** users.csv of the source: even users in the UK, odd ones in France. */
const users = ['user,country', ...Array.from({ length: 300 }, (_, i) => `u${i},${i % 2 === 0 ? 'UK' : 'France'}`)].join('\n') + '\n';

function yaml(name: string, filter: string): string {
  return `version: 1
name: ${name}
target: { kind: local }
data:
  interactions:
    source: data.csv
    columns: { USER_ID: user, ITEM_ID: item, TIMESTAMP: ts, EVENT_TYPE: event }
    minInteractionsPerUser: 2
  users:
    source: users.csv
    columns: { USER_ID: user }
    attributes: [{ name: COUNTRY, column: country }]
split: { testStart: 2021-06-01T00:00:00Z, warmUsersOnly: true }
queries: { items: { sample: 20, seed: 1 } }
storage: { bucket: segflow-${name}, prefix: ${name}/ }
recipe: aws-item-affinity
segments:
  numResults: { count: 10 }
  filter: '${filter}'
budget: { maxUsd: 25 }
`;
}

async function workspace(name: string, filter: string) {
  const dir = await mkdtemp(join(tmpdir(), 'segflow-e2e-filter-'));
  dirs.push(dir);
  await writeFile(join(dir, 'data.csv'), interactionsWithEvents());
  await writeFile(join(dir, 'users.csv'), users);
  const spec = join(dir, 'pipeline.yaml');
  await writeFile(spec, yaml(name, filter));
  return { dir, spec, work: join(dir, '.segflow/work', name), setFilter: (f: string) => writeFile(spec, yaml(name, f)) };
}

/** Every user of the downloaded segments. */
async function segmentMembers(work: string): Promise<Set<string>> {
  const info = JSON.parse(await readFile(join(work, 'run-info.json'), 'utf8')) as { segmentFiles: string[] };
  const members = new Set<string>();
  for (const f of info.segmentFiles) {
    for (const line of (await readFile(join(work, f), 'utf8')).trim().split('\n')) {
      for (const u of (JSON.parse(line) as { output: { usersList: string[] } }).output.usersList) members.add(u);
    }
  }
  return members;
}

/** A prepared CSV file as rows of objects. */
async function csvRows(path: string): Promise<Array<Record<string, string>>> {
  const [header, ...rows] = (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

async function report(dir: string, spec: string): Promise<Report> {
  const r = await runCli(dir, ['report', spec, '--json']);
  assertOk(r, 'report');
  return JSON.parse(r.stdout) as Report;
}

describe('users datasets and segment filters: the built CLI against the emulator', () => {
  test('a country filter: every segment member has that country; the report says which filter and filters the baselines', async () => {
    const w = await workspace('uk', UK);
    const applied = await runCli(w.dir, ['apply', w.spec, '--auto-approve', '--json']);
    assertOk(applied, 'apply');
    const summary = JSON.parse(applied.stdout) as { steps: Array<{ id: string; outcome: string }>; report: string[] };
    for (const id of ['schema-users', 'dataset-users', 'import-users', 'filter', 'segments'])
      assert.ok(
        summary.steps.some((s) => s.id === id && s.outcome === 'done'),
        id,
      );
    assert.ok(
      summary.report.some((l) => l.includes(`Segment filter ${UK}`)),
      summary.report.join('\n'),
    );

    const country = new Map((await csvRows(join(w.work, 'users.csv'))).map((r) => [r['USER_ID']!, r['COUNTRY']!]));
    const members = await segmentMembers(w.work);
    assert.ok(members.size > 0);
    assert.deepEqual(
      [...members].filter((u) => country.get(u) !== 'UK'),
      [],
    );

    const r = await report(w.dir, w.spec);
    const uk = [...country.values()].filter((c) => c === 'UK').length;
    assert.equal(r.holdout!.filter?.expression, UK);
    assert.match(r.holdout!.filter?.arn ?? '', /:filter\/uk-flt-[0-9a-f]{8}$/);
    assert.equal(r.holdout!.filter?.eligibleUsers, uk);
    assert.equal(r.holdout!.filter?.trainUsers, country.size);
    assert.equal(r.holdout!.filter?.segmentUsersOutside, 0);
    assert.equal(r.holdout!.trainUsers, uk, 'coverage, cutoffs and baselines are over the UK users');
    assert.ok((r.holdout!.filter?.truthUsersRemoved ?? 0) > 0, 'French test users are left out of the truth');
    assert.match(
      await readFile(join(w.dir, '.segflow/reports/uk', r.runId, 'report.md'), 'utf8'),
      /Segment filter INCLUDE UserID WHERE Users\.COUNTRY IN \(\\?"UK\\?"\)/,
    );

    // A changed filter: a new filter and the old one deleted; only the filter and what follows it re-run.
    await w.setFilter('EXCLUDE UserID WHERE Users.COUNTRY IN ("UK")');
    const plan = await runCli(w.dir, ['plan', w.spec, '--json']);
    assertOk(plan, 'plan');
    const steps = (JSON.parse(plan.stdout) as { steps: Array<{ id: string; action: string; reasons: string[] }> }).steps;
    assert.deepEqual(
      steps.filter((s) => s.action !== 'noop').map((s) => s.id),
      ['filter', 'segments', 'download', 'evaluate'],
    );
    assert.ok(steps.find((s) => s.id === 'segments')!.reasons.includes(`filter: ${UK} -> EXCLUDE UserID WHERE Users.COUNTRY IN ("UK")`));
    const again = JSON.parse((await runCli(w.dir, ['apply', w.spec, '--auto-approve', '--json'])).stdout) as { steps: Array<{ id: string; note?: string }> };
    assert.match(again.steps.find((s) => s.id === 'filter')?.note ?? '', /deleted the old filter uk-flt-/);
    assert.deepEqual(
      [...(await segmentMembers(w.work))].filter((u) => country.get(u) === 'UK'),
      [],
    );

    const destroyed = await runCli(w.dir, ['destroy', w.spec, '--auto-approve', '--json']);
    assertOk(destroyed, 'destroy');
    const gone = JSON.parse(destroyed.stdout) as { deleted: string[] };
    assert.ok(gone.deleted.some((d) => /^filter uk-flt-/.test(d)) && gone.deleted.includes('dataset uk-users'), gone.deleted.join('|'));
  });

  test('an EVENT_TYPE exclusion ignores case as Personalize does: a filter on "PURCHASE" keeps every user with a "purchase" out', async () => {
    const w = await workspace('buyers', NO_BUYERS);
    assertOk(await runCli(w.dir, ['apply', w.spec, '--auto-approve']), 'apply');
    const buyers = new Set((await csvRows(join(w.work, 'interactions.csv'))).filter((r) => r['EVENT_TYPE'] === 'purchase').map((r) => r['USER_ID']!));
    assert.ok(buyers.size > 10, `the data has buyers (${buyers.size})`);
    const members = await segmentMembers(w.work);
    assert.ok(members.size > 0);
    assert.deepEqual(
      [...members].filter((u) => buyers.has(u)),
      [],
    );
    const r = await report(w.dir, w.spec);
    assert.equal(r.holdout!.filter?.expression, NO_BUYERS);
    assert.equal(r.holdout!.filter.trainUsers - r.holdout!.filter.eligibleUsers, buyers.size);
    assert.equal(r.holdout!.filter?.segmentUsersOutside, 0);
  });

  test('the shipped pipelines/online-retail-uk.yaml applies as shipped: every segment member is a UK customer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'segflow-e2e-filter-'));
    dirs.push(dir);
    const pipeline = join(REPO, 'pipelines', 'online-retail-uk.yaml');
    assertOk(await runCli(dir, ['apply', pipeline, '--auto-approve']), 'apply');
    const work = join(dir, '.segflow/work/online-retail-uk');
    const country = new Map((await csvRows(join(work, 'users.csv'))).map((r) => [r['USER_ID']!, r['COUNTRY']!]));
    const members = await segmentMembers(work);
    assert.ok(members.size > 100);
    assert.deepEqual(
      [...members].filter((u) => country.get(u) !== 'United Kingdom'),
      [],
    );
    assertOk(await runCli(dir, ['destroy', pipeline, '--auto-approve']), 'destroy');
  });
});
