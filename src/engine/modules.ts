import type { Spec } from '../spec/types.js';
import type { PrepareStats } from '../data/artifacts.js';
import type { DownloadStats, ObjectStore } from '../data/object-store.js';
import type { AwsClients } from '../aws/clients.js';
import type { FaultSpec } from '../emulator/index.js';

/**
 * The engine's view of the modules other parts provide (data prep, evaluation, the emulator). Loaded lazily so
 * that `plan` on an unchanged pipeline never pays for DuckDB, and so the contracts are written down in one place.
 */
export interface PrepareResult {
  upToDate: boolean;
  fingerprint: string;
  stats: PrepareStats;
  workDir: string;
  /** S3 bytes fetched by this run; why the sources changed; every source file's version. */
  download?: DownloadStats;
  changes?: string[];
  sources?: Array<{ name: string; sha256: string } | { name: string; etag: string; size: number }>;
}

export interface DataModule {
  prepareFingerprint(spec: Spec, opts?: { cwd?: string; objects?: ObjectStore }): Promise<string>;
  prepareData(
    spec: Spec,
    opts: { cwd: string; onProgress?: (message: string) => void; signal?: AbortSignal; objects?: ObjectStore; cacheDir?: string },
  ): Promise<PrepareResult>;
}

export interface EvalModule {
  /** Evaluates the run in workDir and writes the report files; returns the report and where it went. */
  reportRun(workDir: string, spec: Spec): Promise<{ report: unknown; dir: string; files: string[] }>;
  summarizeReport(report: never): string[];
}

export interface EmulatorHandle {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export interface EmulatorModule {
  startEmulator(opts: { dataDir: string; port: number; lifecycle?: 'fast' | 'realistic'; faults?: FaultSpec }): Promise<EmulatorHandle>;
}


/** In-memory replacements for fast unit tests of the engine (never used by the CLI). */
export const moduleOverrides: {
  data?: DataModule;
  eval?: EvalModule;
  emulator?: EmulatorModule;
  clients?: (endpoint: string | undefined) => AwsClients;
} = {};

export async function loadData(): Promise<DataModule> {
  return moduleOverrides.data ?? (await import('../data/index.js'));
}

export async function loadEval(): Promise<EvalModule> {
  return moduleOverrides.eval ?? (await import('../eval/index.js'));
}

export async function loadEmulator(): Promise<EmulatorModule> {
  return moduleOverrides.emulator ?? (await import('../emulator/index.js'));
}

