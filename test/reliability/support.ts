import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  paginateListBatchSegmentJobs,
  paginateListDatasetImportJobs,
  paginateListSolutionVersions,
  paginateListSolutions,
  ListBatchSegmentJobsCommand,
  ListDatasetGroupsCommand,
  ListDatasetImportJobsCommand,
  ListDatasetsCommand,
  ListSchemasCommand,
  ListSolutionVersionsCommand,
  ListSolutionsCommand,
  ListTagsForResourceCommand,
  ListFiltersCommand,
} from '@aws-sdk/client-personalize';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { createSdkClients, type SdkClients } from '../../src/aws/sdk-clients.js';
import { generateInteractions, specYaml, type SpecOptions } from '../e2e-support.js';
import { CLI } from '../support/run-cli.js';

/** A standalone `segflow emulator` process: killing the runner leaves this "cloud" running. */
export interface StandaloneEmulator {
  endpoint: string;
  dataDir: string;
  aws: SdkClients;
  setFaults(f: { throttleRate?: number; errorRate?: number; latencyMs?: number; seed?: number; trainingDelayMs?: number }): Promise<void>;
  calls(): Promise<Record<string, unknown>>;
  /** SIGKILL, as a crash would end it; resolves once it has exited (its data directory stays). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStandalone(opts: { faults?: string; dataDir?: string; args?: string[] } = {}): Promise<StandaloneEmulator> {
  const owned = !opts.dataDir;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'segflow-rel-emu-')));
  const args = [
    CLI,
    'emulator',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--lifecycle',
    'fast',
    ...(opts.faults ? ['--faults', opts.faults] : []),
    ...(opts.args ?? []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  let out = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`emulator exited ${code}:\n${out}`)));
  });
  const aws = createSdkClients({ target: { kind: 'local', region: 'us-east-1' }, endpoint });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    endpoint,
    dataDir,
    aws,
    async setFaults(f) {
      const r = await fetch(`${endpoint}/_emulator/faults`, {
        method: 'PUT',
        body: JSON.stringify({ throttleRate: 0, errorRate: 0, latencyMs: 0, failOperations: [], seed: 1, ...f }),
      });
      if (!r.ok) throw new Error(`PUT /_emulator/faults: ${r.status} ${await r.text()}`);
    },
    async calls() {
      return (await (await fetch(`${endpoint}/_emulator/calls`)).json()) as Record<string, unknown>;
    },
    async kill() {
      aws.destroy();
      if (exited()) return;
      const exit = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exit;
    },
    async stop() {
      aws.destroy();
      if (!exited()) {
        const exit = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(t);
      }
      // The emulator's data (trained models, blobs) is only scratch for these tests.
      if (owned) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A workspace whose pipeline targets a running emulator (target.endpoint). */
export async function endpointWorkspace(endpoint: string, o: SpecOptions = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'segflow-rel-'));
  await writeFile(join(dir, 'data.csv'), generateInteractions());
  const spec = join(dir, 'pipeline.yaml');
  const yaml = (x: SpecOptions) => specYaml({ ...o, ...x, endpoint });
  await writeFile(spec, yaml({}));
  return { dir, spec, setSpec: (x: SpecOptions) => writeFile(spec, yaml(x)) };
}

export interface Census {
  /**
   * costly resources by kind -> fingerprint -> live (not failed/stopped) count. Imports of one fingerprint may be
   * live more than once (see `repeatedImports`); versions and segment jobs may not.
   */
  imports: Map<string, number>;
  versions: Map<string, number>;
  segments: Map<string, number>;
  duplicates: string[];
  /** Every live job and version behind a duplicate: name, status, creation time (to tell how it came about). */
  duplicateDetails: string[];
}

const live = (status?: string) => !/FAILED|STOPPED/.test(status ?? '');
/**
 * Job names are `<pipeline>-<role>-<8 hex of the input hash>`, then `-2`, `-3`... for a next attempt. Only that
 * suffix goes: a hash of 8 digits (`-59571602`) is not an attempt number.
 */
export const jobFingerprint = (name: string) => name.replace(/^(.*-[0-9a-f]{8})-\d+$/, '$1');

/**
 * Imports paid for twice: live imports of one fingerprint that follow each other in their dataset's history (the
 * second read rows the dataset already held), counted per fingerprint as the longest such run (x2, x3...). A FULL
 * import replaces the dataset's rows, so the same file imported again after another one is not a duplicate: it is
 * how a training of those inputs gets its rows back, and segflow makes it only for a training that reads them
 * (src/resources/import-job.test.ts). Jobs are ordered by creation time; each dataset (the job name's role:
 * imp-int, imp-itm, imp-usr) is its own history.
 */
export function repeatedImports(jobs: Array<{ name: string; status?: string; createdAt?: Date }>): Map<string, number> {
  const ordered = jobs
    .filter((j) => live(j.status))
    .map((j) => ({ fp: jobFingerprint(j.name), at: j.createdAt?.getTime() ?? 0, name: j.name }))
    .sort((a, b) => a.at - b.at || a.name.localeCompare(b.name, 'en', { numeric: true }));
  const repeated = new Map<string, number>();
  const last = new Map<string, { fp: string; run: number }>();
  for (const j of ordered) {
    const dataset = j.fp.replace(/-[0-9a-f]{8}$/, '');
    const before = last.get(dataset);
    const run = before?.fp === j.fp ? before.run + 1 : 1;
    last.set(dataset, { fp: j.fp, run });
    if (run > 1) repeated.set(j.fp, Math.max(run, repeated.get(j.fp) ?? 0));
  }
  return repeated;
}

/** Every item of a paginated Personalize list (the emulator's --page-size makes every list page). */
export async function listAll<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}

export interface CensusOptions {
  /**
   * The segflow:inputs tag of the training that learns from an import fingerprint's rows (the test knows it from the
   * state files it read). With it, an import made again although that training already existed is needless: nothing
   * read the rows it paid for (segflow imports them again only for a training that has to be made).
   */
  trainingTagOf?: (importFingerprint: string) => string | undefined;
}

/**
 * Costly resources of a pipeline read with List* calls (every page): each solution version and segment job must
 * exist live at most once per fingerprint, and no import may repeat the one before it in its dataset.
 */
export async function census(aws: SdkClients, name: string, opts: CensusOptions = {}): Promise<Census> {
  const client = { client: aws.personalize, pageSize: 100 };
  const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const imports = new Map<string, number>();
  const versions = new Map<string, number>();
  const segments = new Map<string, number>();
  const seen: Array<{ key: string; what: string }> = [];
  const at = (d?: Date) => d?.toISOString() ?? '?';
  const importJobs: Array<{ name: string; status?: string; createdAt?: Date }> = [];
  const liveVersions: Array<{ tag: string; at: number }> = [];
  for (const j of await listAll(paginateListDatasetImportJobs(client, {}), (p) => p.datasetImportJobs)) {
    if (!j.jobName?.startsWith(`${name}-`)) continue;
    seen.push({ key: jobFingerprint(j.jobName), what: `${j.jobName} ${j.status} created ${at(j.creationDateTime)}` });
    importJobs.push({ name: j.jobName, ...(j.status ? { status: j.status } : {}), ...(j.creationDateTime ? { createdAt: j.creationDateTime } : {}) });
    if (live(j.status)) count(imports, jobFingerprint(j.jobName));
  }
  for (const s of await listAll(paginateListSolutions(client, {}), (p) => p.solutions)) {
    if (!s.name?.startsWith(`${name}-`)) continue;
    for (const v of await listAll(paginateListSolutionVersions(client, { solutionArn: s.solutionArn }), (p) => p.solutionVersions)) {
      if (!live(v.status)) continue;
      const tags = (await aws.personalize.send(new ListTagsForResourceCommand({ resourceArn: v.solutionVersionArn }))).tags ?? [];
      const tag = tags.find((t) => t.tagKey === 'segflow:inputs')?.tagValue ?? 'untagged';
      const key = `${s.name}:${tag}`;
      liveVersions.push({ tag, at: v.creationDateTime?.getTime() ?? 0 });
      seen.push({ key, what: `${v.solutionVersionArn} ${v.status} created ${at(v.creationDateTime)}` });
      count(versions, key);
    }
  }
  for (const j of await listAll(paginateListBatchSegmentJobs(client, {}), (p) => p.batchSegmentJobs)) {
    if (!j.jobName?.startsWith(`${name}-`)) continue;
    seen.push({ key: jobFingerprint(j.jobName), what: `${j.jobName} ${j.status} created ${at(j.creationDateTime)}` });
    if (live(j.status)) count(segments, jobFingerprint(j.jobName));
  }
  const dup = [...repeatedImports(importJobs), ...[...versions, ...segments].filter(([, n]) => n > 1)];
  const duplicates = [...dup.map(([k, n]) => `${k} x${n}`), ...needlessReimports(importJobs, liveVersions, opts.trainingTagOf)];
  const duplicateDetails = seen.filter((s) => dup.some(([k]) => k === s.key)).map((s) => s.what);
  // Every import job of the pipeline too: a duplicate import is explained by what else was imported in between.
  if (dup.length > 0) duplicateDetails.push(...seen.filter((s) => s.key.includes('-imp-')).map((s) => `(import) ${s.what}`));
  return { imports, versions, segments, duplicates, duplicateDetails };
}

/**
 * Imports made again (a fingerprint imported before) when the training that reads their rows already existed (live,
 * created before the import): paid for, never read.
 */
export function needlessReimports(
  jobs: Array<{ name: string; status?: string; createdAt?: Date }>,
  versions: Array<{ tag: string; at: number }>,
  trainingTagOf: ((importFingerprint: string) => string | undefined) | undefined,
): string[] {
  if (!trainingTagOf) return [];
  const ordered = jobs.filter((j) => live(j.status)).sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
  const out: string[] = [];
  const imported = new Set<string>();
  for (const j of ordered) {
    const fp = jobFingerprint(j.name);
    const tag = trainingTagOf(fp);
    const at = j.createdAt?.getTime() ?? 0;
    if (imported.has(fp) && tag && versions.some((v) => v.tag === tag && v.at < at)) {
      out.push(`${j.name} imported again although the training of its rows (segflow:inputs ${tag}) existed`);
    }
    imported.add(fp);
  }
  return out;
}

/** Every deletable resource left in the emulator (import and segment jobs cannot be deleted, on AWS either). */
export async function leftovers(aws: SdkClients): Promise<string[]> {
  const p = aws.personalize;
  const out: string[] = [];
  for (const g of (await p.send(new ListDatasetGroupsCommand({}))).datasetGroups ?? []) {
    out.push(`dataset group ${g.name}`);
    for (const f of (await p.send(new ListFiltersCommand({ datasetGroupArn: g.datasetGroupArn }))).Filters ?? []) out.push(`filter ${f.name}`);
  }
  for (const d of (await p.send(new ListDatasetsCommand({}))).datasets ?? []) out.push(`dataset ${d.name}`);
  for (const s of (await p.send(new ListSolutionsCommand({}))).solutions ?? []) out.push(`solution ${s.name}`);
  for (const s of (await p.send(new ListSchemasCommand({}))).schemas ?? []) out.push(`schema ${s.name}`);
  for (const b of (await aws.s3.send(new ListBucketsCommand({}))).Buckets ?? []) out.push(`bucket ${b.Name}`);
  for (const r of (await aws.iam.send(new ListRolesCommand({}))).Roles ?? []) out.push(`role ${r.RoleName}`);
  return out;
}

export interface StateFile {
  steps: Record<string, { phase: string; name?: string; arn?: string; inputsHash?: string }>;
}

export async function readState(dir: string, name: string): Promise<StateFile> {
  return JSON.parse(await readFile(join(dir, '.segflow', 'state', `${name}.json`), 'utf8')) as StateFile;
}

/** ARNs of everything in the emulator, read with list calls (S3 buckets and IAM roles included). */
export async function worldArns(aws: SdkClients): Promise<Map<string, string>> {
  const p = aws.personalize;
  const arns = new Map<string, string>();
  for (const g of (await p.send(new ListDatasetGroupsCommand({ maxResults: 100 }))).datasetGroups ?? []) arns.set(g.datasetGroupArn!, g.status ?? '');
  for (const d of (await p.send(new ListDatasetsCommand({ maxResults: 100 }))).datasets ?? []) arns.set(d.datasetArn!, d.status ?? '');
  for (const s of (await p.send(new ListSchemasCommand({ maxResults: 100 }))).schemas ?? []) arns.set(s.schemaArn!, 'ACTIVE');
  for (const s of (await p.send(new ListSolutionsCommand({ maxResults: 100 }))).solutions ?? []) {
    arns.set(s.solutionArn!, s.status ?? '');
    for (const v of (await p.send(new ListSolutionVersionsCommand({ solutionArn: s.solutionArn, maxResults: 100 }))).solutionVersions ?? []) {
      arns.set(v.solutionVersionArn!, v.status ?? '');
    }
  }
  for (const j of (await p.send(new ListDatasetImportJobsCommand({ maxResults: 100 }))).datasetImportJobs ?? [])
    arns.set(j.datasetImportJobArn!, j.status ?? '');
  for (const j of (await p.send(new ListBatchSegmentJobsCommand({ maxResults: 100 }))).batchSegmentJobs ?? []) arns.set(j.batchSegmentJobArn!, j.status ?? '');
  for (const b of (await aws.s3.send(new ListBucketsCommand({}))).Buckets ?? []) arns.set(`arn:aws:s3:::${b.Name}`, 'ACTIVE');
  for (const r of (await aws.iam.send(new ListRolesCommand({}))).Roles ?? []) arns.set(r.Arn!, 'ACTIVE');
  return arns;
}
