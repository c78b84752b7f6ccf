import { dirname, resolve } from 'node:path';
import { parseAttributeExpression } from './attribute-expression.js';
import { parseFilterExpression } from './filter-expression.js';
import { detectFormat } from './source-format.js';
import { isS3 } from './source-location.js';
import { checkTestStart } from './test-start.js';
import type {
  AttributeQuery,
  AttributeType,
  DataAttribute,
  DataFormat,
  DataSource,
  InteractionsSource,
  ItemQueries,
  NumResults,
  Prices,
  Recipe,
  SegmentFilter,
  Segmentation,
  Spec,
  Split,
  StateSpec,
  TargetKind,
} from './types.js';

/*
 * Raw (schema-valid, rule-valid) document -> Spec with defaults filled in. Only called when validation found no
 * error, so the types below restate what schemas/pipeline.schema.json and the rules already proved (only the keys
 * normalize reads).
 */
interface RawSource {
  source: string | string[];
  format?: DataFormat;
  where?: string;
  onBadRows?: 'fail' | 'skip';
  maxBadRows?: number;
  requesterPays?: boolean;
  header?: boolean;
  delimiter?: string;
}
type RawAttribute = string | { name: string; column?: string | number; type?: AttributeType };
interface RawInteractions extends RawSource {
  columns: Record<string, string | number>;
  timestampFormat?: string;
  dedupe?: boolean;
  minInteractionsPerUser?: number;
  minInteractionsPerItem?: number;
  lastDays?: number;
}
/** queries.items: exactly one of sample, ids, where and source (the schema and rules made sure). */
interface RawItemQueries extends Omit<RawSource, 'source'> {
  source?: RawSource['source'];
  column?: string | number;
  sample?: number;
  seed?: number;
  excludeCold?: boolean;
  ids?: unknown[];
  keepUnknown?: boolean;
}
interface RawSegmentation {
  name: string;
  recipe: Recipe;
  queries?: { attributes?: string[] | { top: number; attribute: string }; items?: RawItemQueries };
  segments: { numResults: NumResults; filter?: string };
  training?: { hiddenDimension?: number };
}
/** The document; without `segmentations`, its top level is the one segmentation (the schema requires its keys). */
interface RawDocument extends Partial<Omit<RawSegmentation, 'name'>> {
  name: string;
  target?: { kind?: TargetKind; region?: string; profile?: string; endpoint?: string };
  data: {
    interactions: RawInteractions;
    items?: RawSource & { columns: { ITEM_ID: string | number }; attributes: RawAttribute[] };
    users?: RawSource & { columns: { USER_ID: string | number }; attributes: RawAttribute[] };
  };
  split?: { testStart: string; warmUsersOnly?: boolean; trainStart?: string };
  segmentations?: RawSegmentation[];
  storage: { bucket: string; prefix?: string; kmsKeyArn?: string; keepRuns?: number };
  budget: { maxUsd: number; prices?: Partial<Prices> };
  tags?: Record<string, string>;
  state?: { backend: 'local' } | { backend: 's3'; bucket: string; key: string; region?: string; kmsKeyArn?: string };
  iam?: { roleArn?: string; permissionsBoundary?: string };
}

export const DEFAULTS = {
  localRegion: 'us-east-1',
  dedupe: true,
  minInteractions: 1,
  onBadRows: 'fail' as const,
  maxBadRows: 1000,
  warmUsersOnly: true,
  itemSampleSeed: 10,
};

export function normalizeSpec(document: Record<string, unknown>, specFile: string, fileHash: string, targetOverride?: TargetKind): Spec {
  const raw = document as unknown as RawDocument;
  const dir = dirname(specFile);
  const kind: TargetKind = targetOverride ?? raw.target?.kind ?? 'local';
  const ri = raw.data.interactions;
  const items = raw.data.items;
  const users = raw.data.users;
  const itemAttributes = items ? normalizeAttributes(items.attributes) : [];
  const region: string = raw.target?.region ?? DEFAULTS.localRegion;
  const rawState = raw.state;
  const state: StateSpec =
    rawState?.backend === 's3'
      ? {
          backend: 's3',
          bucket: rawState.bucket,
          key: rawState.key,
          region: rawState.region ?? region,
          ...(rawState.kmsKeyArn !== undefined && { kmsKeyArn: rawState.kmsKeyArn }),
        }
      : { backend: 'local' };
  const rawSegmentations = raw.segmentations;
  const segmentations = rawSegmentations
    ? rawSegmentations.map((s) => segmentation(s, s.name === raw.name, itemAttributes, dir))
    : [segmentation(raw as RawSegmentation, true, itemAttributes, dir)];
  const rawIam = raw.iam;
  return {
    version: 1,
    name: raw.name,
    file: specFile,
    fileHash,
    target: {
      kind,
      region,
      ...(raw.target?.profile !== undefined && { profile: raw.target.profile }),
      ...(raw.target?.endpoint !== undefined && kind === 'local' && { endpoint: String(raw.target.endpoint).replace(/\/$/, '') }),
    },
    data: {
      interactions: {
        ...dataSource(ri, dir),
        columns: columnNames(ri.columns),
        ...(ri.timestampFormat !== undefined && { timestampFormat: ri.timestampFormat }),
        dedupe: ri.dedupe ?? DEFAULTS.dedupe,
        minInteractionsPerUser: ri.minInteractionsPerUser ?? DEFAULTS.minInteractions,
        minInteractionsPerItem: ri.minInteractionsPerItem ?? DEFAULTS.minInteractions,
        ...(ri.lastDays !== undefined && { lastDays: ri.lastDays }),
      },
      ...(items !== undefined && {
        items: { ...dataSource(items, dir), columns: { ITEM_ID: String(items.columns.ITEM_ID) }, attributes: itemAttributes },
      }),
      ...(users !== undefined && {
        users: { ...dataSource(users, dir), columns: { USER_ID: String(users.columns.USER_ID) }, attributes: normalizeAttributes(users.attributes) },
      }),
    },
    ...(raw.split !== undefined && { split: split(raw.split) }),
    segmentations,
    storage: {
      bucket: raw.storage.bucket,
      prefix: raw.storage.prefix ?? `${raw.name}/`,
      ...(raw.storage.kmsKeyArn !== undefined && { kmsKeyArn: raw.storage.kmsKeyArn }),
      ...(raw.storage.keepRuns !== undefined && { keepRuns: raw.storage.keepRuns }),
    },
    budget: { maxUsd: raw.budget.maxUsd, ...(raw.budget.prices !== undefined && { prices: { ...raw.budget.prices } }) },
    tags: { ...(raw.tags ?? {}) },
    state,
    ...(rawIam?.roleArn !== undefined && { iam: { roleArn: rawIam.roleArn } }),
    ...(rawIam?.permissionsBoundary !== undefined && { iam: { permissionsBoundary: rawIam.permissionsBoundary } }),
  };
}

function split(raw: NonNullable<RawDocument['split']>): Split {
  const testStart = raw.testStart;
  const check = checkTestStart(testStart);
  return {
    testStart,
    testStartEpoch: check.ok ? check.epochSeconds : NaN,
    warmUsersOnly: raw.warmUsersOnly ?? DEFAULTS.warmUsersOnly,
    ...(typeof raw.trainStart === 'string' && trainWindow(raw.trainStart)),
  };
}

/** One segmentation from its keys (a `segmentations` entry, or the top level of the file). */
function segmentation(raw: RawSegmentation, primary: boolean, itemAttributes: DataAttribute[], dir: string): Segmentation {
  const rawAttributes = raw.queries?.attributes;
  const attributes = Array.isArray(rawAttributes)
    ? rawAttributes.map((q): AttributeQuery => {
        const parsed = parseAttributeExpression(q);
        if (!parsed.ok) throw new Error(`normalizeSpec called on an invalid attribute query: ${q}`);
        return parsed.query;
      })
    : undefined;
  const top =
    rawAttributes !== undefined && !Array.isArray(rawAttributes)
      ? {
          top: rawAttributes.top,
          // The declared spelling: names are case-insensitive in Personalize, items.csv uses the declared one.
          attribute: itemAttributes.find((a) => a.name.toUpperCase() === rawAttributes.attribute.toUpperCase())?.name ?? rawAttributes.attribute,
        }
      : undefined;
  const rawItems = raw.queries?.items;
  const filter = raw.segments.filter;
  return {
    name: raw.name,
    primary,
    recipe: raw.recipe,
    queries: {
      ...(rawItems !== undefined && { items: itemQueries(rawItems, dir) }),
      ...(attributes !== undefined && { attributes }),
      ...(top !== undefined && { topAttributeValues: top }),
    },
    segments: { numResults: { ...raw.segments.numResults }, ...(filter !== undefined && { filter: segmentFilter(filter) }) },
    training: { ...(raw.training?.hiddenDimension !== undefined && { hiddenDimension: raw.training.hiddenDimension }) },
  };
}

/** queries.items: exactly one of sample, ids, source and where (the schema and rules made sure). */
function itemQueries(raw: RawItemQueries, dir: string): ItemQueries {
  const keepUnknown = raw.keepUnknown === true;
  if (raw.sample !== undefined)
    return { kind: 'sample', sample: raw.sample, seed: raw.seed ?? DEFAULTS.itemSampleSeed, ...(raw.excludeCold === true && { excludeCold: true as const }) };
  if (raw.ids !== undefined) return { kind: 'ids', ids: raw.ids.map(String), keepUnknown };
  if (raw.where !== undefined) return { kind: 'where', where: raw.where, keepUnknown };
  // The one kind left: source.
  const source = { ...dataSource(raw as RawSource, dir), ...(raw.column !== undefined && { column: String(raw.column) }) };
  return { kind: 'source', source, keepUnknown };
}

function trainWindow(trainStart: string): { trainStart: string; trainStartEpoch: number } {
  const check = checkTestStart(trainStart);
  if (!check.ok) throw new Error(`normalizeSpec called on an invalid split.trainStart: ${trainStart}`);
  return { trainStart, trainStartEpoch: check.epochSeconds };
}

/** source (one entry or a list) -> absolute local paths/globs and s3:// URLs; format declared or from the first entry. */
function dataSource(raw: RawSource, dir: string): DataSource {
  const entries = Array.isArray(raw.source) ? raw.source : [raw.source];
  const source = entries.map((e) => (isS3(e) ? e : resolve(dir, e)));
  const format: DataFormat = raw.format ?? entries.map(detectFormat).find((f) => f !== undefined) ?? 'csv';
  return {
    source,
    format,
    ...(raw.where !== undefined && { where: raw.where }),
    onBadRows: raw.onBadRows ?? DEFAULTS.onBadRows,
    maxBadRows: raw.maxBadRows ?? DEFAULTS.maxBadRows,
    ...(raw.requesterPays === true && { requesterPays: true }),
    ...(raw.header === false && { header: false as const }),
    ...(raw.delimiter !== undefined && { delimiter: raw.delimiter }),
  };
}

/** columns: names as written; positions (header: false) as their text, '1', '2', ... (the names prepare gives them). */
function columnNames(raw: RawInteractions['columns']): InteractionsSource['columns'] {
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)])) as InteractionsSource['columns'];
}

/** Attributes: a column name (categorical, named as the column) or { name, column = name, type = categorical }. */
function normalizeAttributes(list: RawAttribute[]): DataAttribute[] {
  return list.map((a) =>
    typeof a === 'string'
      ? { name: a, column: a, type: 'categorical' }
      : { name: a.name, column: a.column === undefined ? a.name : String(a.column), type: a.type ?? 'categorical' },
  );
}

function segmentFilter(expression: string): SegmentFilter {
  const parsed = parseFilterExpression(expression);
  if (!parsed.ok) throw new Error(`normalizeSpec called on an invalid filter: ${expression}`);
  return { expression, clauses: parsed.clauses };
}

/** numResults for a number of training users: count, or the fraction rounded down, at least 1. */
export function resolveNumResults(numResults: NumResults, trainUsers: number): number {
  if ('count' in numResults) return numResults.count;
  // The epsilon keeps 0.29 * 100 at 29, not 28.999999999999996 -> 28.
  return Math.max(1, Math.floor(trainUsers * numResults.fractionOfUsers + 1e-9));
}
