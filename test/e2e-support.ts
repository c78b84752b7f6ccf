import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSdkClients, type SdkClients } from '../src/aws/sdk-clients.js';
import { localEmulatorDir } from '../src/util/paths.js';
import { mulberry32 } from '../src/util/prng.js';
import { startEmulator } from '../src/emulator/index.js';
import { runCli } from './support/run-cli.js';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The repository root (dist/test/ -> ../..): pipelines/ and examples/ live there. */
export const REPO = resolve(here, '..', '..');

/** A small deterministic purchase log: ~300 users, ~100 items, ~3k interactions over 2021 (more with `users`). */
export function generateInteractions(seed = 1, users = 300): string {
  const rand = mulberry32(seed);
  const rows = ['user,item,ts'];
  const start = Date.UTC(2021, 0, 1);
  for (let u = 0; u < users; u++) {
    const n = 2 + Math.floor(rand() * 13);
    for (let j = 0; j < n; j++) {
      const item = `i${(u % 10) * 7 + Math.floor(rand() * 30)}`;
      const t = new Date(start + Math.floor(rand() * 200 * 86400_000));
      rows.push(`u${u},${item},${t.toISOString()}`);
    }
  }
  return rows.join('\n') + '\n';
}

export interface SpecOptions {
  name?: string;
  /** aws-item-attribute-affinity with an items file and two attribute queries. */
  attributes?: boolean;
  minInteractionsPerUser?: number;
  count?: number;
  maxUsd?: number;
  /** target.endpoint: a running (standalone) emulator; target.region (default: none, i.e. us-east-1). */
  endpoint?: string;
  region?: string;
  /** storage (defaults: bucket segflow-<name>, prefix <name>/). */
  bucket?: string;
  prefix?: string;
  kmsKeyArn?: string;
  tags?: Record<string, string>;
  hiddenDimension?: number;
  testStart?: string;
  trainStart?: string;
  /** queries.items.sample (default 20). */
  sample?: number;
  /** No split: a production run on all the data. */
  production?: boolean;
  /** The value of `queries:` as YAML (instead of the sample or the attribute queries). */
  queries?: string;
  /** A `segmentations:` list as YAML lines (instead of the top-level recipe, queries, training and segments). */
  segmentations?: string[];
  /** data.interactions.lastDays; storage.keepRuns. */
  lastDays?: number;
  keepRuns?: number;
  /** data.users from users.csv (columns user, email, country) with the attribute COUNTRY. */
  usersData?: boolean;
  /** data.interactions.source (default data.csv). */
  source?: string;
  /** target.profile: sign with this profile's credentials (a standalone emulator's --account or --role-session). */
  profile?: string;
  /** spec.iam: an existing role, or the boundary of the role segflow creates. */
  iam?: { roleArn: string } | { permissionsBoundary: string };
}

export function specYaml(o: SpecOptions = {}): string {
  const name = o.name ?? 'e2e';
  const target = [
    `kind: local`,
    ...(o.endpoint ? [`endpoint: "${o.endpoint}"`] : []),
    ...(o.region ? [`region: ${o.region}`] : []),
    ...(o.profile ? [`profile: ${o.profile}`] : []),
  ].join(', ');
  const prefix = o.prefix ?? `${name}/`;
  const storage = [`bucket: ${o.bucket ?? `segflow-${name}`}`, `prefix: ${/^[\w/-]*$/.test(prefix) ? prefix : JSON.stringify(prefix)}`];
  if (o.kmsKeyArn) storage.push(`kmsKeyArn: "${o.kmsKeyArn}"`);
  if (o.keepRuns) storage.push(`keepRuns: ${o.keepRuns}`);
  const split = [`testStart: ${o.testStart ?? '2021-06-01T00:00:00Z'}`, ...(o.trainStart ? [`trainStart: ${o.trainStart}`] : []), 'warmUsersOnly: true'];
  return [
    'version: 1',
    `name: ${name}`,
    `target: { ${target} }`,
    'data:',
    '  interactions:',
    `    source: ${o.source ?? 'data.csv'}`,
    '    columns: { USER_ID: user, ITEM_ID: item, TIMESTAMP: ts }',
    `    minInteractionsPerUser: ${o.minInteractionsPerUser ?? 2}`,
    ...(o.lastDays ? [`    lastDays: ${o.lastDays}`] : []),
    ...(o.attributes || o.segmentations
      ? ['  items:', '    source: items.csv', '    columns: { ITEM_ID: item }', '    attributes: [ { name: CATEGORY, column: category } ]']
      : []),
    ...(o.usersData ? ['  users:', '    source: users.csv', '    columns: { USER_ID: user }', '    attributes: [ { name: COUNTRY, column: country } ]'] : []),
    ...(o.production ? [] : [`split: { ${split.join(', ')} }`]),
    ...(o.segmentations
      ? [`storage: { ${storage.join(', ')} }`, 'segmentations:', ...o.segmentations]
      : [
          `queries: ${o.queries ?? (o.attributes ? `{ attributes: ['ITEMS.CATEGORY = "Tea"', 'ITEMS.CATEGORY = "Candy"'] }` : `{ items: { sample: ${o.sample ?? 20}, seed: 1 } }`)}`,
          `storage: { ${storage.join(', ')} }`,
          `recipe: ${o.attributes ? 'aws-item-attribute-affinity' : 'aws-item-affinity'}`,
          ...(o.hiddenDimension ? [`training: { hiddenDimension: ${o.hiddenDimension} }`] : []),
          `segments: { numResults: { count: ${o.count ?? 10} } }`,
        ]),
    `budget: { maxUsd: ${o.maxUsd ?? 25} }`,
    ...(o.tags ? [`tags: ${JSON.stringify(o.tags)}`] : []),
    ...(o.iam ? [`iam: ${JSON.stringify(o.iam)}`] : []),
    '',
  ].join('\n');
}

/** Items i0..i99 of generateInteractions with a CATEGORY each (Candy, Tea, Coffee|Tea, Snacks in turn). */
export function itemsCsv(): string {
  const categories = ['Candy', 'Tea', 'Coffee|Tea', 'Snacks'];
  return ['item,category', ...Array.from({ length: 100 }, (_, i) => `i${i},${categories[i % 4]}`)].join('\n') + '\n';
}

/** Users u0..u(n-1) of generateInteractions with an e-mail address (never sent to Personalize) and a country. */
export function usersCsv(users = 300): string {
  return ['user,email,country', ...Array.from({ length: users }, (_, u) => `u${u},u${u}@example.com,${['GB', 'FR', 'DE'][u % 3]}`)].join('\n') + '\n';
}

const workspaces: string[] = [];

/** Removes every workspace made so far (call from an after() hook). */
export async function removeWorkspaces(): Promise<void> {
  for (const dir of workspaces.splice(0)) await rm(dir, { recursive: true, force: true });
}

export async function workspace(o: SpecOptions = {}): Promise<{ dir: string; spec: string; setSpec(o: SpecOptions): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'segflow-e2e-'));
  workspaces.push(dir);
  await writeFile(join(dir, 'data.csv'), generateInteractions());
  await writeFile(join(dir, 'items.csv'), itemsCsv());
  const spec = join(dir, 'pipeline.yaml');
  await writeFile(spec, specYaml(o));
  return { dir, spec, setSpec: (next) => writeFile(spec, specYaml({ ...o, ...next })) };
}

/** Starts the emulator on a workspace's data dir (after the CLI exited) and returns SDK clients for list checks. */
export async function inspect(dir: string): Promise<{ aws: SdkClients; close: () => Promise<void> }> {
  const emu = await startEmulator({ dataDir: localEmulatorDir(dir), port: 0 });
  const aws = createSdkClients({ target: { kind: 'local', region: 'us-east-1' }, endpoint: emu.endpoint });
  return {
    aws,
    close: async () => {
      aws.destroy();
      await emu.close();
    },
  };
}

/** The Amazon Grocery files the grocery pipelines read (40,000 generated reviews and their items), in `dataDir`. */
export async function writeGrocerySample(dataDir: string): Promise<void> {
  const gen = await runCli(dataDir, [
    'sample-data',
    '--out',
    join(dataDir, 'Grocery_and_Gourmet_Food.json.gz'),
    '--reviews',
    '40000',
    '--items-out',
    join(dataDir, 'meta_Grocery_and_Gourmet_Food.json.gz'),
  ]);
  assert.equal(gen.code, 0, gen.stderr);
}
