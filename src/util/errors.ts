/**
 * Expected failures are values with a code; the CLI's single top-level catch maps them to exit codes.
 * Codes are grouped by prefix: SPEC_* (the pipeline file), DATA_* (input data), PLAN_*, RUN_*, STATE_*, AWS_*.
 */
export const ExitCode = {
  ok: 0,
  runFailure: 1,
  invalidInput: 2,
  refused: 3,
  planHasChanges: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class SegflowError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode = ExitCode.runFailure,
    /** Extra lines printed under the message (e.g. located diagnostics, examples of bad rows). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'SegflowError';
  }
}

export function isSegflowError(e: unknown): e is SegflowError {
  return e instanceof SegflowError;
}

/** Invalid input from the user (spec, data, flags): exit 2. */
export function inputError(code: string, message: string, details: readonly string[] = []): SegflowError {
  return new SegflowError(code, message, ExitCode.invalidInput, details);
}

/** A refusal (budget, lock held, confirmation declined): exit 3. */
export function refusal(code: string, message: string, details: readonly string[] = []): SegflowError {
  return new SegflowError(code, message, ExitCode.refused, details);
}
