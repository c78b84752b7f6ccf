/**
 * Expected failures are values with a code; the CLI's single top-level catch maps them to exit codes.
 * Every code is in ERRORS below, with its exit code and what it means (docs/errors.md lists the same, and a test
 * keeps the two in step). Codes are grouped by prefix: CLI_, SPEC_ (the pipeline file), DATA_ (input data),
 * INIT_, PLAN_, APPLY_/DESTROY_ (confirmations), RUN_, STATE_, AWS_, EMU_ (the emulator).
 */
export const ExitCode = {
  ok: 0,
  runFailure: 1,
  invalidInput: 2,
  refused: 3,
  planHasChanges: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const input = ExitCode.invalidInput;
const run = ExitCode.runFailure;
const refused = ExitCode.refused;

export const ERRORS = {
  CLI_USAGE: { exit: input, meaning: 'a command line that does not parse: unknown flag, missing FILE, bad value' },
  SPEC_FILE: { exit: input, meaning: 'the pipeline file cannot be read' },
  SPEC_IAM_REQUIRED: {
    exit: input,
    meaning: 'iam-policy: the spec has neither iam.permissionsBoundary nor iam.roleArn, so a CI role that creates the role could escalate',
  },
  SPEC_INVALID: { exit: input, meaning: 'the pipeline file has errors; each is listed as FILE:LINE:COL with its own SPEC_ code' },
  DATA_ATTRIBUTE_TOO_LONG: { exit: input, meaning: 'a categorical attribute value longer than Personalize allows (1,000 characters)' },
  DATA_BAD_HEADER: { exit: input, meaning: 'a CSV header that cannot be read' },
  DATA_BAD_HYPERPARAMETER: { exit: input, meaning: 'a training hyperparameter the local model cannot use' },
  DATA_BAD_NUM_RESULTS: { exit: input, meaning: 'numResults outside what Personalize accepts for the data' },
  DATA_BAD_ROWS: { exit: input, meaning: 'bad data rows with onBadRows: fail; the first ones are listed by file and line' },
  DATA_EMPTY: { exit: input, meaning: 'no interaction is left after the filters' },
  DATA_EVENT_TYPES: { exit: input, meaning: 'more distinct event types than Personalize allows' },
  DATA_ITEMS_REQUIRED: { exit: input, meaning: 'aws-item-attribute-affinity (or queries.items.where) without data.items' },
  DATA_LINE_TOO_LONG: { exit: input, meaning: 'a line longer than the reader accepts, named by its number' },
  DATA_MISSING_COLUMN: { exit: input, meaning: 'a column the spec names is not in the source' },
  DATA_NO_QUERIES: { exit: input, meaning: "a segmentation's chosen items (ids, source, where) select no item the model knows" },
  DATA_PREFLIGHT: { exit: input, meaning: "the prepared data is below Personalize's minimums (1,000 interactions, 25 users with 2)" },
  DATA_QUERY_COLUMN: { exit: input, meaning: 'a queries.items.source with several columns and none named ITEM_ID (name it with column)' },
  DATA_READ: { exit: input, meaning: 'a data file DuckDB cannot read' },
  DATA_SOURCE: { exit: input, meaning: 'a source location that is not usable (glob matching nothing, not a file)' },
  DATA_SOURCE_ACCESS: { exit: input, meaning: 'an s3:// source the credentials may not read: names bucket and key' },
  DATA_SOURCE_CHANGED: { exit: run, meaning: 'an s3:// source was replaced between the listing and the download (its ETag changed): run again' },
  DATA_SOURCE_COLUMNS: { exit: input, meaning: 'the files of one source do not have the same columns' },
  DATA_SOURCE_MISSING: { exit: input, meaning: 'a source file, S3 object or bucket that does not exist' },
  DATA_SOURCE_MIXED_FORMATS: { exit: input, meaning: 'one source mixes formats (csv, jsonl, parquet)' },
  DATA_SOURCE_READ: { exit: run, meaning: "reading an s3:// source failed for another reason (names the object and AWS's error)" },
  DATA_SOURCE_S3: { exit: input, meaning: 'an s3:// source where the command has no S3 client' },
  DATA_SOURCE_UNREADABLE: { exit: input, meaning: 'a source file that exists but cannot be opened' },
  DATA_TOO_MANY_BAD_ROWS: { exit: input, meaning: 'more bad rows than maxBadRows with onBadRows: skip' },
  DATA_UNREADABLE: { exit: input, meaning: 'a data file that is not valid for its format (truncated gzip, invalid UTF-8)' },
  INIT_COLUMN: { exit: input, meaning: 'segflow init: a column named with a flag does not exist' },
  INIT_EXISTS: { exit: refused, meaning: 'segflow init: the output file exists (pass --force)' },
  INIT_FILE: { exit: input, meaning: 'segflow init: the data file cannot be read' },
  INIT_GUESS: { exit: input, meaning: 'segflow init: a column cannot be guessed; the message names the flag to pass' },
  INIT_INVALID: { exit: run, meaning: 'segflow init wrote a file that does not validate (a bug)' },
  INIT_TIMESTAMP: { exit: input, meaning: 'segflow init: the timestamp column cannot be parsed' },
  PLAN_BUCKET_FORBIDDEN: { exit: input, meaning: 'storage.bucket exists and this identity may not use it (another account owns the name)' },
  PLAN_KMS_KEY: {
    exit: input,
    meaning: 'storage.kmsKeyArn is missing, disabled, or its key policy does not let Personalize and the role use it (the statement to add is printed)',
  },
  PLAN_FOREIGN_RESOURCE: {
    exit: input,
    meaning:
      'a resource with the name segflow would give it exists and was not created by segflow for this pipeline (no ownership tag): segflow will not adopt, change or delete it',
  },
  PLAN_ROLE: { exit: input, meaning: 'iam.roleArn does not exist, or does not trust Personalize or allow what the pipeline needs (what is missing is named)' },
  PLAN_ROLE_FOREIGN: {
    exit: input,
    meaning: 'the IAM role segflow would create exists and was not created by segflow for this pipeline: rename the pipeline or use it as iam.roleArn',
  },
  PLAN_OVER_BUDGET: { exit: refused, meaning: 'the estimate exceeds budget.maxUsd (and --approve-cost was not given); the cheaper runs are listed' },
  PLAN_STALE: { exit: refused, meaning: 'a saved plan whose spec or world moved since it was saved' },
  APPLY_NOT_CONFIRMED: { exit: refused, meaning: 'apply needs a confirmation and there is no terminal' },
  APPLY_DECLINED: { exit: refused, meaning: 'the plan was not confirmed' },
  DESTROY_NOT_CONFIRMED: { exit: refused, meaning: 'destroy needs a confirmation and there is no terminal' },
  DESTROY_DECLINED: { exit: refused, meaning: 'destroy was not confirmed' },
  RUN_CANCELLED: { exit: run, meaning: 'interrupted (Ctrl-C, SIGTERM); the state is consistent, apply again resumes' },
  RUN_EVAL_INPUT: { exit: run, meaning: 'an input of the evaluation is missing or malformed (prepare or apply again)' },
  RUN_INTERRUPTED: { exit: run, meaning: 'prepare was interrupted; the previous outputs are unchanged' },
  RUN_MODEL_FAILED: { exit: run, meaning: 'the local model failed to train or segment' },
  RUN_NO_RUN: { exit: run, meaning: 'report, segments: nothing has been applied (or delivered) yet' },
  RUN_NO_SEGMENTS: { exit: run, meaning: 'the batch segment job wrote no output file' },
  RUN_RESOURCE_FAILED: { exit: run, meaning: "a resource or job ended FAILED; AWS's reason is given" },
  RUN_RESOURCE_VANISHED: { exit: run, meaning: 'a resource disappeared while segflow waited for it' },
  RUN_WAIT_TIMEOUT: { exit: run, meaning: 'a resource stayed in progress longer than the wait timeout; apply again re-attaches' },
  STATE_CORRUPT: { exit: run, meaning: 'the state file cannot be read' },
  STATE_LOCKED: { exit: refused, meaning: "another apply or destroy holds the pipeline's lock (names who, host, pid, run, since and the lock id)" },
  STATE_TARGET_MISMATCH: { exit: input, meaning: 'the state belongs to the other target (local vs aws)' },
  STATE_ACCESS: { exit: run, meaning: "reading or writing the shared state, its lock or history failed (names the object and AWS's error)" },
  STATE_BUCKET_FORBIDDEN: { exit: input, meaning: 'state.bucket exists but these credentials may not use it' },
  STATE_BUCKET_MISSING: { exit: input, meaning: 'state.bucket does not exist (segflow never creates it; see docs/team.md)' },
  STATE_CONFLICT: {
    exit: run,
    meaning: 'a state write kept losing races to other writers and gave up (each attempt re-read the state; nothing was overwritten)',
  },
  STATE_LOCK_LOST: { exit: run, meaning: 'the lock was taken from a running command (its lease ran out or someone ran unlock); it stopped' },
  STATE_MIGRATE_REFUSED: { exit: refused, meaning: 'state migrate: nothing to migrate, or the destination already holds a state' },
  STATE_MIGRATION_NEEDED: {
    exit: refused,
    meaning: "the spec names a state location that is empty while the pipeline's state is elsewhere: run segflow state migrate",
  },
  STATE_MOVED: { exit: input, meaning: 'the state at this location was migrated elsewhere (names where): point spec.state there' },
  STATE_UNLOCK_MISMATCH: { exit: refused, meaning: 'unlock: no lock is held, or the lock held is not the LOCK_ID given' },
  AWS_CALL_FAILED: { exit: run, meaning: "an AWS call failed: names the step, the resource and AWS's error code and message" },
  AWS_CREDENTIALS: { exit: run, meaning: 'no usable AWS credentials for the aws target' },
  AWS_CREDENTIALS_EXPIRED: {
    exit: run,
    meaning: 'the credentials expired during the command; refresh them and run it again (apply re-attaches to work in flight)',
  },
  AWS_QUOTA: { exit: run, meaning: 'an AWS quota was reached: names the quota as AWS words it; not retried' },
  AWS_ACCESS_DENIED: {
    exit: run,
    meaning:
      'Personalize cannot use the role or bucket (names the policies to check), or the caller lacks a permission; not retried once IAM has had time to propagate',
  },
  EMU_DATA_DIR_LOCKED: { exit: refused, meaning: 'another emulator uses the same data directory' },
  EMU_FAULTS: { exit: input, meaning: 'a fault-injection setting that does not parse' },
  EMU_MODEL_FORMAT: { exit: run, meaning: 'a stored model the emulator cannot read' },
  EMU_MODEL_MISSING: { exit: run, meaning: "a solution version's stored model is missing" },
  EMU_OPTIONS: { exit: input, meaning: 'an emulator option out of range' },
  EMU_PORT_IN_USE: { exit: run, meaning: "the emulator's port is taken" },
  EMU_STATE: { exit: run, meaning: "the emulator's state file cannot be read" },
} as const satisfies Record<string, { exit: ExitCode; meaning: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** The codes whose exit code is E (inputError and refusal only take their own kind). */
export type CodeWithExit<E extends ExitCode> = { [K in ErrorCode]: (typeof ERRORS)[K]['exit'] extends E ? K : never }[ErrorCode];

export class SegflowError extends Error {
  readonly exitCode: ExitCode;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra lines printed under the message (e.g. located diagnostics, examples of bad rows). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'SegflowError';
    this.exitCode = ERRORS[code].exit;
  }
}

export function isSegflowError(e: unknown): e is SegflowError {
  return e instanceof SegflowError;
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/** Invalid input from the user (spec, data, flags): exit 2. */
export function inputError(code: CodeWithExit<2>, message: string, details: readonly string[] = []): SegflowError {
  return new SegflowError(code, message, details);
}

/** A refusal (budget, lock held, confirmation declined): exit 3. */
export function refusal(code: CodeWithExit<3>, message: string, details: readonly string[] = []): SegflowError {
  return new SegflowError(code, message, details);
}
