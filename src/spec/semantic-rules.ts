import { parseAttributeExpression } from './attribute-expression.js';
import { checkAttributes, declaredAttributes } from './attribute-rules.js';
import type { Diagnostic, Severity } from './diagnostics.js';
import { suggestion } from './did-you-mean.js';
import { filterDiagnostics } from './filter-rules.js';
import { get, isObj, type Obj, type Report } from './rule-helpers.js';
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
}

const MAX_ATTRIBUTE_QUERIES = 10;

export function semanticDiagnostics(spec: unknown, ctx: RuleContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (severity: Severity, code: string, message: string, path: SpecPath, at: 'value' | 'key' = 'value') =>
    out.push(ctx.src.diagnosticAt(severity, code, message, path, at));
  if (!isObj(spec)) return out; // the schema already says the file must be a map
  checkTarget(spec, ctx, report);
  checkSources(spec, ctx, report);
  checkSplit(spec, report);
  checkRecipeAndQueries(spec, report);
  checkAttributes(spec, report);
  checkState(spec, ctx.targetOverride, report);
  checkIam(spec, report);
  checkStoragePaths(spec, report);
  out.push(...filterDiagnostics(spec, ctx.src));
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
    report('error', 'SPEC_REGION_REQUIRED', `target.region is required for target kind aws${via}, e.g. region: eu-west-1`, get(spec, ['target']) === undefined ? [] : ['target', 'kind'], 'key');
  }
  if (kind === 'local' && get(spec, ['target', 'profile']) !== undefined && get(spec, ['target', 'endpoint']) === undefined) {
    report('error', 'SPEC_PROFILE_LOCAL', 'target.profile with target kind local needs target.endpoint: the embedded emulator knows only its test credentials; a standalone `segflow emulator --account/--role-session` knows others', ['target', 'profile'], 'key');
  }
  if (kind === 'aws' && get(spec, ['target', 'endpoint']) !== undefined) {
    report('error', 'SPEC_ENDPOINT_AWS', 'target.endpoint is for the local emulator only; with kind aws the SDK finds the AWS endpoint itself', ['target', 'endpoint'], 'key');
  }
}

function checkSplit(spec: Obj, report: Report): void {
  const testStart = get(spec, ['split', 'testStart']);
  if (typeof testStart !== 'string') return;
  const check = checkTestStart(testStart);
  if (!check.ok) report('error', 'SPEC_TEST_START', `split.testStart ${check.problem}`, ['split', 'testStart']);
  const trainStart = get(spec, ['split', 'trainStart']);
  if (typeof trainStart !== 'string') return;
  const train = checkTestStart(trainStart);
  if (!train.ok) report('error', 'SPEC_TRAIN_START', `split.trainStart ${train.problem}`, ['split', 'trainStart']);
  else if (check.ok && train.epochSeconds >= check.epochSeconds) {
    report('error', 'SPEC_TRAIN_START', `split.trainStart must be before split.testStart (${testStart}): the training window would be empty`, ['split', 'trainStart']);
  }
}

function checkRecipeAndQueries(spec: Obj, report: Report): void {
  const recipe = get(spec, ['recipe']);
  const itemQueries = get(spec, ['queries', 'items']);
  const attributeQueries = get(spec, ['queries', 'attributes']);
  if (recipe === 'aws-item-affinity') {
    if (attributeQueries !== undefined) {
      report('error', 'SPEC_ATTRIBUTE_QUERIES_RECIPE', 'queries.attributes needs recipe aws-item-attribute-affinity; aws-item-affinity queries items (queries.items)', ['queries', 'attributes'], 'key');
    }
    if (itemQueries === undefined) {
      report('error', 'SPEC_QUERIES_REQUIRED', 'recipe aws-item-affinity needs queries.items, e.g. queries: { items: { sample: 500, seed: 10 } }', ['recipe']);
    }
  }
  if (recipe === 'aws-item-attribute-affinity') {
    if (itemQueries !== undefined) {
      report('error', 'SPEC_ITEM_QUERIES_RECIPE', 'queries.items needs recipe aws-item-affinity; aws-item-attribute-affinity queries attributes (queries.attributes)', ['queries', 'items'], 'key');
    }
    if (attributeQueries === undefined) {
      report('error', 'SPEC_QUERIES_REQUIRED', 'recipe aws-item-attribute-affinity needs queries.attributes, e.g. [\'ITEMS.CATEGORY = "Candy & Chocolate"\']', ['recipe']);
    }
    if (get(spec, ['data', 'items']) === undefined) {
      report('error', 'SPEC_ITEMS_REQUIRED', 'recipe aws-item-attribute-affinity needs item metadata: add data.items with source, columns.ITEM_ID and attributes', ['recipe']);
    }
  }
  if (isObj(attributeQueries)) {
    checkTopAttribute(spec, attributeQueries, report);
    return;
  }
  if (!Array.isArray(attributeQueries)) return;
  if (attributeQueries.length > MAX_ATTRIBUTE_QUERIES) {
    report('error', 'SPEC_ATTRIBUTE_QUERIES_MAX', `queries.attributes has ${attributeQueries.length} queries; Personalize reads at most ${MAX_ATTRIBUTE_QUERIES} per batch segment job`, ['queries', 'attributes', MAX_ATTRIBUTE_QUERIES]);
  }
  const declared = declaredAttributes(spec, 'items')?.map((a) => a.name);
  const seen = new Set<string>();
  attributeQueries.forEach((q, i) => {
    if (typeof q !== 'string') return;
    const path = ['queries', 'attributes', i];
    const parsed = parseAttributeExpression(q);
    if (!parsed.ok) {
      report('error', 'SPEC_ATTRIBUTE_QUERY', `queries.attributes[${i}]: ${parsed.error}; the form is ITEMS.<attribute> = "<value>" [AND ...]`, path);
      return;
    }
    if (seen.has(q)) report('warning', 'SPEC_ATTRIBUTE_QUERY_DUPLICATE', `queries.attributes[${i}] repeats an earlier query`, path);
    seen.add(q);
    if (declared === undefined) return;
    for (const c of parsed.query.conditions) {
      if (!declared.some((d) => d.toUpperCase() === c.attribute.toUpperCase())) {
        const list = declared.length ? [...new Set(declared)].join(', ') : 'none';
        report('error', 'SPEC_ATTRIBUTE_UNKNOWN', `queries.attributes[${i}] uses ITEMS.${c.attribute}, which is not a declared item attribute (declared: ${list})${suggestion(c.attribute, declared)}`, path);
      }
    }
  });
}

/** queries.attributes: { top, attribute } names a declared, categorical item attribute. */
function checkTopAttribute(spec: Obj, q: Obj, report: Report): void {
  const attribute = q['attribute'];
  if (typeof attribute !== 'string') return;
  const declared = declaredAttributes(spec, 'items');
  if (!declared) return; // SPEC_ITEMS_REQUIRED already says data.items is missing
  const found = declared.find((a) => a.name.toUpperCase() === attribute.toUpperCase());
  const path = ['queries', 'attributes', 'attribute'];
  if (!found) {
    const names = declared.map((a) => a.name);
    report('error', 'SPEC_ATTRIBUTE_UNKNOWN', `queries.attributes.attribute ${attribute} is not a declared item attribute (declared: ${names.join(', ')})${suggestion(attribute, names)}`, path);
  } else if (found.type !== 'categorical') {
    report('error', 'SPEC_ATTRIBUTE_UNKNOWN', `queries.attributes.attribute ${attribute} is numeric; attribute queries compare categorical values`, path);
  }
}
