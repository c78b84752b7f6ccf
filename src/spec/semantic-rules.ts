import { checkAttributes } from './attribute-rules.js';
import { checkColumns } from './column-rules.js';
import type { Diagnostic, Severity } from './diagnostics.js';
import { filterDiagnostics } from './filter-rules.js';
import { get, isObj, type Obj, type Report } from './rule-helpers.js';
import { checkSegmentations, segmentationBases } from './segmentation-rules.js';
import { bucketNameProblem } from './s3-bucket-name.js';
import { checkSources } from './source-rules.js';
import { checkState } from './state-rules.js';
import { checkIam } from './iam-rules.js';
import { checkStoragePaths } from './storage-paths.js';
import { checkTestStart } from './test-start.js';
import type { SpecPath, YamlSource } from './yaml-source.js';

/**
 * The rules JSON Schema cannot say: cross-field constraints, real dates, S3 naming, attribute expressions over
 * declared attributes, and the existence of local files. They run on the raw document even when the schema
 * failed, checking types themselves, so that one run reports every independent mistake.
 */
export interface RuleContext {
  src: YamlSource;
  /** Absolute path of the spec file; sources are relative to its directory. */
  specFile: string;
  /** validate: a missing source file is a warning (the user may download it later); run: an error. */
  mode: 'validate' | 'run';
  /** --target from the command line, which overrides target.kind. */
  targetOverride?: 'local' | 'aws';
  /** `validate --data`: local copies of s3:// sources' first files, by entry, so their columns are checked too. */
  sourceFiles?: ReadonlyMap<string, string>;
}

export function semanticDiagnostics(spec: unknown, ctx: RuleContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (severity: Severity, code: string, message: string, path: SpecPath, at: 'value' | 'key' = 'value') =>
    out.push(ctx.src.diagnosticAt(severity, code, message, path, at));
  if (!isObj(spec)) return out; // the schema already says the file must be a map
  checkTarget(spec, ctx, report);
  checkSources(spec, ctx, report);
  checkColumns(spec, ctx, report);
  checkSplit(spec, report);
  checkSegmentations(spec, report);
  checkAttributes(spec, report);
  checkState(spec, ctx.targetOverride, report);
  checkIam(spec, report);
  checkStoragePaths(spec, report);
  for (const base of segmentationBases(spec)) out.push(...filterDiagnostics(spec, ctx.src, base));
  const bucket = get(spec, ['storage', 'bucket']);
  if (typeof bucket === 'string') {
    const problem = bucketNameProblem(bucket);
    if (problem) report('error', 'SPEC_BUCKET', `storage.bucket '${bucket}' ${problem} (S3 bucket naming rules)`, ['storage', 'bucket']);
  }
  return out;
}

function checkTarget(spec: Obj, ctx: RuleContext, report: Report): void {
  const declared = get(spec, ['target', 'kind']);
  const kind = ctx.targetOverride ?? (declared === 'aws' ? 'aws' : 'local');
  const region = get(spec, ['target', 'region']);
  if (kind === 'aws' && region === undefined) {
    const via = ctx.targetOverride === 'aws' && declared !== 'aws' ? ' (--target aws was given)' : '';
    report(
      'error',
      'SPEC_REGION_REQUIRED',
      `target.region is required for target kind aws${via}, e.g. region: eu-west-1`,
      get(spec, ['target']) === undefined ? [] : ['target', 'kind'],
      'key',
    );
  }
  if (kind === 'local' && get(spec, ['target', 'profile']) !== undefined && get(spec, ['target', 'endpoint']) === undefined) {
    report(
      'error',
      'SPEC_PROFILE_LOCAL',
      'target.profile with target kind local needs target.endpoint: the embedded emulator knows only its test credentials; a standalone `segflow emulator --account/--role-session` knows others',
      ['target', 'profile'],
      'key',
    );
  }
  if (kind === 'aws' && get(spec, ['target', 'endpoint']) !== undefined) {
    report(
      'error',
      'SPEC_ENDPOINT_AWS',
      'target.endpoint is for the local emulator only; with kind aws the SDK finds the AWS endpoint itself',
      ['target', 'endpoint'],
      'key',
    );
  }
}

function checkSplit(spec: Obj, report: Report): void {
  const testStart = get(spec, ['split', 'testStart']);
  if (typeof testStart !== 'string') return;
  const check = checkTestStart(testStart);
  if (!check.ok) report('error', 'SPEC_TEST_START', `split.testStart ${check.problem}`, ['split', 'testStart']);
  const trainStart = get(spec, ['split', 'trainStart']);
  if (typeof trainStart !== 'string') return;
  if (get(spec, ['data', 'interactions', 'lastDays']) !== undefined) {
    report(
      'error',
      'SPEC_LAST_DAYS',
      'data.interactions.lastDays and split.trainStart both set the training window: keep one',
      ['data', 'interactions', 'lastDays'],
      'key',
    );
  }
  const train = checkTestStart(trainStart);
  if (!train.ok) report('error', 'SPEC_TRAIN_START', `split.trainStart ${train.problem}`, ['split', 'trainStart']);
  else if (check.ok && train.epochSeconds >= check.epochSeconds) {
    report('error', 'SPEC_TRAIN_START', `split.trainStart must be before split.testStart (${testStart}): the training window would be empty`, [
      'split',
      'trainStart',
    ]);
  }
}
