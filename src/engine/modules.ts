import type { Spec } from '../spec/types.js';
import type { PrepareStats } from '../data/artifacts.js';
import type { AwsClients } from '../aws/clients.js';

/**
 * The engine's view of the modules other parts provide (data prep, evaluation, the emulator). Loaded lazily so
 * that `plan` on an unchanged pipeline never pays for DuckDB, and so the contracts are written down in one place.
 */
export interface PrepareResult {
  upToDate: boolean;
  fingerprint: string;
  stats: PrepareStats;
  workDir: string;
}

export interface DataModule {
  prepareFingerprint(spec: Spec): Promise<string>;
  prepareData(
    spec: Spec,
    opts: { cwd: string; onProgress?: (p: { message?: string; fraction?: number } | string) => void; signal?: AbortSignal },
  ): Promise<PrepareResult>;
}

export interface EvalModule {
  evaluateRun(workDir: string, spec: Spec): Promise<unknown>;
  summarizeReport?(report: unknown): string[];
}

export interface EmulatorHandle {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export interface EmulatorModule {
  startEmulator(opts: { dataDir: string; port: number; lifecycle?: unknown; faults?: unknown }): Promise<EmulatorHandle>;
}

// Specifiers held in variables keep these optional at compile time while the other parts land.
const dataPath = '../data/index.js';
const evalPath = '../eval/index.js';
const emulatorPath = '../emulator/index.js';

/** In-memory replacements for fast unit tests of the engine (never used by the CLI). */
export const moduleOverrides: {
  data?: DataModule;
  eval?: EvalModule;
  emulator?: EmulatorModule;
  clients?: (endpoint: string | undefined) => AwsClients;
} = {};

export async function loadData(): Promise<DataModule> {
  return moduleOverrides.data ?? ((await import(dataPath)) as DataModule);
}

export async function loadEval(): Promise<EvalModule> {
  return moduleOverrides.eval ?? ((await import(evalPath)) as EvalModule);
}

export async function loadEmulator(): Promise<EmulatorModule> {
  return moduleOverrides.emulator ?? ((await import(emulatorPath)) as EmulatorModule);
}

