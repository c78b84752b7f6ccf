import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeSolutionCommand,
  ListTagsForResourceCommand,
  paginateListBatchSegmentJobs,
  paginateListDatasetImportJobs,
  paginateListSolutionVersions,
} from '@aws-sdk/client-personalize';
import { GetBucketPolicyCommand, HeadBucketCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { createSdkClients, type SdkClients } from '../../src/aws/sdk-clients.js';
import type { Plan } from '../../src/plan/types.js';
import type { ApplySummary } from '../../src/engine/apply.js';
import type { PipelineState } from '../../src/state/types.js';
import { generateInteractions, itemsCsv, specYaml, usersCsv, type SpecOptions } from '../e2e-support.js';
import { listAll, startStandalone, type StandaloneEmulator } from '../reliability/support.js';
import { runCli, show, startCli, type CliResult } from '../support/run-cli.js';

/**
 * User stories through the built CLI against a strict standalone emulator: every list answers two items per page
 * and IAM changes reach Personalize one second later, as AWS may behave on any day. Each scenario reads back what
 * a user would check (exit codes, the plan, the world through the SDK, costly resources, calls made).
 */
export const ACCOUNT = '000000000000';
export const STRICT = ['--page-size', '2', '--iam-propagation-delay', '1'];

/** A standalone emulator at the scenarios' strictness, plus any extra flags (quotas, lifecycle). */
export function strictEmulator(extra: string[] = [], dataDir?: string): Promise<StandaloneEmulator> {
  return startStandalone({ args: [...STRICT, ...extra], ...(dataDir ? { dataDir } : {}) });
}

/**
 * For a describe block whose test stops the emulator and starts it again on the same endpoint and data (an outage,
 * other flags): `start` it, `stop` it, `start` it again; the emulator, its data and the working directories are
 * removed after the block.
 */
export function useRestartableEmulator(): { start(extra?: string[]): Promise<StandaloneEmulator>; stop(): Promise<void> } {
  let emu: StandaloneEmulator | undefined;
  let dataDir = '';
  let port: string | undefined;
  after(async () => {
    await emu?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await removePipelines();
  });
  return {
    async start(extra = []) {
      dataDir ||= await mkdtemp(join(tmpdir(), 'segflow-scenario-emu-'));
      emu = await strictEmulator(port ? [...extra, '--port', port] : extra, dataDir);
      port = new URL(emu.endpoint).port;
      return emu;
    },
    stop: async () => {
      await emu?.stop();
    },
  };
}

/** Polls (two minutes at most) until a training of the pipeline is CREATE IN_PROGRESS; its ARN. */
export async function trainingInProgress(emu: StandaloneEmulator, name: string): Promise<string> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(10)) {
    const arn = (await versionsOf(emu.aws, name)).find((v) => v.status === 'CREATE IN_PROGRESS')?.arn;
    if (arn) return arn;
  }
  return assert.fail(`no training of ${name} was seen in progress`);
}

/**
 * Registers, in the describe block it is called in, a strict emulator started before its tests and stopped (with
 * the working directories removed) after them; `use` receives it.
 */
export function useStrictEmulator(use: (emu: StandaloneEmulator) => void, extra: string[] = []): void {
  let emu: StandaloneEmulator | undefined;
  before(async () => {
    emu = await strictEmulator(extra);
    use(emu);
  });
  after(async () => {
    await emu?.stop();
    await removePipelines();
  });
}

export interface Pipeline {
  name: string;
  dir: string;
  spec: string;
  options: SpecOptions;
  /** Rewrites the spec with these options changed. */
  set(change: SpecOptions): Promise<void>;
  cli(args: string[], env?: Record<string, string>): Promise<CliResult>;
  /** Starts a command in the background (to act on the world while it runs, or to kill it). */
  start(args: string[]): { child: ChildProcess; done: Promise<CliResult> };
  /** apply --auto-approve; asserts the exit code (0 unless told). */
  apply(expect?: number): Promise<CliResult>;
  /** apply --auto-approve --json: the summary (SDK calls per operation). */
  applyJson(expect?: number): Promise<{ run: CliResult; summary: ApplySummary }>;
  plan(): Promise<Plan>;
  destroy(): Promise<CliResult>;
  state(): Promise<PipelineState>;
  /** Edits the state file as a test of the engine would (e.g. to age a step's updatedAt). */
  editState(edit: (s: PipelineState) => void): Promise<void>;
}

const dirs: string[] = [];
/** Short polls (the emulator's fast lifecycle), plain output. */
const CLI_ENV = { CI: '1', NODE_NO_WARNINGS: '1', SEGFLOW_POLL_MS: '20,200' };

/** A working directory with the generated purchase log and a pipeline file that targets the emulator. */
export async function pipeline(emu: StandaloneEmulator, options: SpecOptions & { users?: number }): Promise<Pipeline> {
  const dir = await mkdtemp(join(tmpdir(), 'segflow-scenario-'));
  dirs.push(dir);
  const { users, ...spec } = options;
  await writeFile(join(dir, 'data.csv'), generateInteractions(1, users));
  await writeFile(join(dir, 'items.csv'), itemsCsv());
  await writeFile(join(dir, 'users.csv'), usersCsv(users));
  const file = join(dir, 'pipeline.yaml');
  const stateFile = join(dir, '.segflow', 'state', `${spec.name}.json`);
  const p: Pipeline = {
    name: spec.name!,
    dir,
    spec: file,
    options: { ...spec, endpoint: emu.endpoint },
    async set(change) {
      p.options = { ...p.options, ...change };
      await writeFile(file, specYaml(p.options));
    },
    cli: (args, env) => runCli(dir, args, { env: { ...CLI_ENV, ...env } }),
    start: (args) => startCli(dir, args, { env: CLI_ENV }),
    async apply(expect = 0) {
      const r = await p.cli(['apply', file, '--auto-approve']);
      assert.equal(r.code, expect, show(r));
      return r;
    },
    async applyJson(expect = 0) {
      const run = await p.cli(['apply', file, '--auto-approve', '--json']);
      assert.equal(run.code, expect, show(run));
      return { run, summary: JSON.parse(run.stdout) as ApplySummary };
    },
    async plan() {
      const r = await p.cli(['plan', file, '--json']);
      assert.equal(r.code, 0, show(r));
      return JSON.parse(r.stdout) as Plan;
    },
    async destroy() {
      const r = await p.cli(['destroy', file, '--auto-approve']);
      assert.equal(r.code, 0, show(r));
      return r;
    },
    async state() {
      return JSON.parse(await readFile(stateFile, 'utf8')) as PipelineState;
    },
    async editState(edit) {
      const s = await p.state();
      edit(s);
      await writeFile(stateFile, JSON.stringify(s, null, 2));
    },
  };
  await p.set({});
  return p;
}

/** Removes every working directory made so far (call from an after() hook). */
export async function removePipelines(): Promise<void> {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** The plan's changes: step id -> action and reasons, for every step that is not noop. */
export function changes(plan: Plan): Record<string, { action: string; reasons: string[] }> {
  return Object.fromEntries(plan.steps.filter((s) => s.action !== 'noop').map((s) => [s.id, { action: s.action, reasons: s.reasons }]));
}

/**
 * The plan changes exactly these steps, each with this action and a reason containing the substring (an empty
 * expectation: no change at all).
 */
export function assertChanges(plan: Plan, expected: Record<string, [action: string, reason: string]>): void {
  const got = changes(plan);
  const summary = JSON.stringify(got, null, 1);
  assert.deepEqual(Object.keys(got).sort(), Object.keys(expected).sort(), `steps that change:\n${summary}`);
  for (const [id, [action, reason]] of Object.entries(expected)) {
    assert.equal(got[id]!.action, action, `${id}:\n${summary}`);
    assert.ok(
      got[id]!.reasons.some((r) => r.includes(reason)),
      `${id}: no reason with "${reason}":\n${summary}`,
    );
  }
}

/** SDK clients for another region of the same emulator. */
export function clientsIn(emu: StandaloneEmulator, region: string): SdkClients {
  return createSdkClients({ target: { kind: 'local', region }, endpoint: emu.endpoint });
}

export interface Job {
  name: string;
  status: string;
}

/** The pipeline's import and batch segment jobs (every page; AWS can delete neither). */
export async function jobsOf(aws: SdkClients, name: string): Promise<{ imports: Job[]; segments: Job[] }> {
  const client = { client: aws.personalize, pageSize: 100 };
  const mine = (j: { jobName?: string; status?: string }) => (j.jobName?.startsWith(`${name}-`) ? [{ name: j.jobName, status: j.status ?? '' }] : []);
  return {
    imports: (await listAll(paginateListDatasetImportJobs(client, {}), (p) => p.datasetImportJobs)).flatMap(mine),
    segments: (await listAll(paginateListBatchSegmentJobs(client, {}), (p) => p.batchSegmentJobs)).flatMap(mine),
  };
}

export interface Version {
  arn: string;
  status: string;
  /** The segflow:inputs tag: which inputs it was trained on. */
  inputs: string;
}

/** Every solution version (training) of the pipeline's solution, every page; none when the solution is absent. */
export async function versionsOf(aws: SdkClients, name: string, region = 'us-east-1'): Promise<Version[]> {
  const solutionArn = `arn:aws:personalize:${region}:${ACCOUNT}:solution/${name}-solution`;
  try {
    await aws.personalize.send(new DescribeSolutionCommand({ solutionArn }));
  } catch {
    return [];
  }
  const out: Version[] = [];
  for (const v of await listAll(paginateListSolutionVersions({ client: aws.personalize, pageSize: 100 }, { solutionArn }), (p) => p.solutionVersions)) {
    const tags = (await aws.personalize.send(new ListTagsForResourceCommand({ resourceArn: v.solutionVersionArn }))).tags ?? [];
    out.push({ arn: v.solutionVersionArn!, status: v.status ?? '', inputs: tags.find((t) => t.tagKey === 'segflow:inputs')?.tagValue ?? '' });
  }
  return out;
}

export type Statement = Record<string, unknown> & { Sid?: string };

/** The bucket policy's statements ([] without a policy). */
export async function bucketStatements(aws: SdkClients, bucket: string): Promise<Statement[]> {
  try {
    const text = (await aws.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '';
    const doc = JSON.parse(text) as { Statement: Statement | Statement[] };
    return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchBucketPolicy') return [];
    throw e;
  }
}

/** Every object version and delete marker under a prefix (every page), as "key" or "key (delete marker)". */
export async function objectVersions(aws: SdkClients, bucket: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const page = await aws.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker, VersionIdMarker }));
    for (const v of page.Versions ?? []) out.push(v.Key!);
    for (const m of page.DeleteMarkers ?? []) out.push(`${m.Key!} (delete marker)`);
    if (!page.IsTruncated) return out.sort();
    KeyMarker = page.NextKeyMarker;
    VersionIdMarker = page.NextVersionIdMarker;
  }
}

export async function bucketExists(aws: SdkClients, bucket: string): Promise<boolean> {
  try {
    await aws.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (e) {
    if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw e;
  }
}

/** Requests the emulator answered for one operation since the last reset (errors included). */
export async function emulatorCalls(emu: StandaloneEmulator, service: string, operation: string): Promise<number> {
  const calls = (await emu.calls()) as { services?: Record<string, Record<string, number>> };
  return calls.services?.[service]?.[operation] ?? 0;
}

export async function resetCalls(emu: StandaloneEmulator): Promise<void> {
  const r = await fetch(`${emu.endpoint}/_emulator/calls`, { method: 'DELETE' });
  assert.ok(r.ok, `DELETE /_emulator/calls: ${r.status}`);
}

/** The role segflow names for a pipeline in a region. */
export function roleArn(name: string, region = 'us-east-1'): string {
  return `arn:aws:iam::${ACCOUNT}:role/${name}-personalize-${region}`;
}

/** A state whose role and bucket were last changed long ago (past the IAM propagation window). */
export function aged(ms: number): (s: PipelineState) => void {
  const at = new Date(Date.now() - ms).toISOString();
  return (s) => {
    for (const id of ['role', 'bucket']) if (s.steps[id]) s.steps[id].updatedAt = at;
  };
}
