import type { AwsPorts } from '../aws/ports.js';
import type { DataPort, EvalPort } from '../resources/types.js';
import type { Target } from '../spec/types.js';

/** A running local emulator (src/emulator), as the engine sees it. */
export interface EmulatorHandle {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * What the engine is given rather than imports: the leaves (data preparation, evaluation, the emulator) and the
 * AWS ports. src/cli wires the real ones (loading each lazily, so that `plan` on an unchanged pipeline never
 * pays for DuckDB); the engine's unit tests wire in-memory fakes.
 */
export interface EngineDeps {
  data: DataPort;
  evaluation: EvalPort;
  /** Starts the in-process emulator (local target without target.endpoint). `options` are the emulator's own. */
  startEmulator(opts: { dataDir: string; options?: Record<string, unknown> }): Promise<EmulatorHandle>;
  /** The ports for a target: for the local target, pointed at the emulator's endpoint. */
  ports(target: Target, endpoint?: string): AwsPorts;
}

/** Knobs for tests and trials: poll delays, wait timeout, the in-process emulator's options. */
export interface EngineTuning {
  pollInitialMs?: number;
  pollMaxMs?: number;
  waitTimeoutMs?: number;
  /** Passed to the in-process emulator (fault injection, lifecycle speed, ...). */
  emulatorOptions?: Record<string, unknown>;
  /** The lease of a shared state's lock (default 120 s), renewed every quarter lease while a command runs. */
  lockLeaseMs?: number;
}
