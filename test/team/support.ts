/**
 * Test support for the team set-up: a standalone emulator (an HTTP endpoint that outlives every command, as a
 * team's S3 and Personalize do), its state bucket, and working directories standing for separate machines.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createPorts } from '../../src/aws/create-ports.js';
import type { AwsPorts } from '../../src/aws/ports.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { generateInteractions } from '../e2e-support.js';

export const STATE_BUCKET = 'team-state';
export const REGION = 'us-east-1';

export interface Team {
  emulator: RunningEmulator;
  ports: AwsPorts;
  /** A new working directory (a machine) with the pipeline file and its data. */
  machine(): Promise<string>;
  close(): Promise<void>;
}

export function specYaml(endpoint: string, name: string): string {
  return [
    'version: 1',
    `name: ${name}`,
    `target: { kind: local, endpoint: ${endpoint} }`,
    'data:',
    '  interactions:',
    '    source: data.csv',
    '    columns: { USER_ID: user, ITEM_ID: item, TIMESTAMP: ts }',
    '    minInteractionsPerUser: 2',
    'split: { testStart: 2021-06-01T00:00:00Z, warmUsersOnly: true }',
    'queries: { items: { sample: 20, seed: 1 } }',
    `storage: { bucket: segflow-${name}, prefix: ${name}/ }`,
    'recipe: aws-item-affinity',
    'segments: { numResults: { count: 10 } }',
    'budget: { maxUsd: 25 }',
    `state: { backend: s3, bucket: ${STATE_BUCKET}, key: segflow/${name}.json }`,
    '',
  ].join('\n');
}

export async function startTeam(name: string): Promise<Team> {
  const dirs: string[] = [];
  const dataDir = await mkdtemp(join(tmpdir(), 'segflow-team-emu-'));
  dirs.push(dataDir);
  const emulator = await startEmulator({ dataDir, port: 0 });
  const ports = createPorts({ target: { kind: 'local', region: REGION }, endpoint: emulator.endpoint });
  await ports.s3.createBucket(STATE_BUCKET);
  return {
    emulator,
    ports,
    async machine() {
      const dir = await mkdtemp(join(tmpdir(), 'segflow-machine-'));
      dirs.push(dir);
      await writeFile(join(dir, 'data.csv'), generateInteractions());
      await writeFile(join(dir, 'pipeline.yaml'), specYaml(emulator.endpoint, name));
      return dir;
    },
    async close() {
      ports.close();
      await emulator.close();
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    },
  };
}

/** A team set-up for one test: started, handed to `fn`, always closed. */
export async function withTeam<T>(name: string, fn: (team: Team) => Promise<T>): Promise<T> {
  const team = await startTeam(name);
  try {
    return await fn(team);
  } finally {
    await team.close();
  }
}

/** Costly resources of a pipeline that are not failed or stopped: imports, trainings, segment jobs. */
export async function costly(ports: AwsPorts, name: string): Promise<{ imports: number; versions: number; segments: number }> {
  const p = ports.personalize;
  const groups = (await p.listDatasetGroups()).filter((g) => g.name === `${name}-dsg`);
  let imports = 0;
  for (const g of groups) for (const d of await p.listDatasets(g.arn)) imports += live(await p.listDatasetImportJobs(d.arn));
  let versions = 0;
  for (const g of groups) for (const s of await p.listSolutions(g.arn)) versions += live(await p.listSolutionVersions(s.arn));
  const segments = live((await p.listBatchSegmentJobs()).filter((j) => j.name.startsWith(`${name}-`)));
  return { imports, versions, segments };
}

const live = (xs: Array<{ status: string }>) => xs.filter((x) => !/FAILED|STOPPED/.test(x.status)).length;

// ---------------------------------------------------------------- child processes

const CONTENDER = join(fileURLToPath(new URL('.', import.meta.url)), 'contender.js');

export interface Child {
  proc: ChildProcessWithoutNullStreams;
  /** Resolves with the next line the child prints. */
  line(): Promise<string>;
  send(line: string): void;
  exited: Promise<number | null>;
}

/** A real node process running test/team/contender.ts (`lock` or `write` mode). */
export function contender(args: string[]): Child {
  const proc = spawn(process.execPath, [CONTENDER, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const queue: string[] = [];
  const waiting: Array<(l: string) => void> = [];
  createInterface({ input: proc.stdout }).on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else queue.push(l);
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    line: () =>
      new Promise((resolve, reject) => {
        const l = queue.shift();
        if (l !== undefined) return resolve(l);
        waiting.push(resolve);
        void exited.then((code) => reject(new Error(`contender exited (${code}) before printing: ${stderr}`)));
      }),
    send: (l) => proc.stdin.write(l + '\n'),
    exited,
  };
}
