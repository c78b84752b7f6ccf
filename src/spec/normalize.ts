import { dirname, resolve } from 'node:path';
import { parseAttributeExpression } from './attribute-expression.js';
import { detectFormat } from './source-format.js';
import { checkTestStart } from './test-start.js';
import type { AttributeQuery, DataFormat, ItemAttribute, NumResults, Recipe, Spec, TargetKind } from './types.js';

/**
 * Raw (schema-valid, rule-valid) document -> Spec with defaults filled in. Only called when validation found no
 * error, so the casts below restate what the schema and rules already proved.
 */
type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const DEFAULTS = {
  localRegion: 'us-east-1',
  dedupe: true,
  minInteractions: 1,
  onBadRows: 'fail' as const,
  maxBadRows: 1000,
  warmUsersOnly: true,
  itemSampleSeed: 10,
};

export function normalizeSpec(raw: Raw, specFile: string, fileHash: string, targetOverride?: TargetKind): Spec {
  const dir = dirname(specFile);
  const source = (s: string) => resolve(dir, s);
  const format = (declared: DataFormat | undefined, path: string): DataFormat => declared ?? detectFormat(path) ?? 'csv';
  const kind: TargetKind = targetOverride ?? raw['target']?.kind ?? 'local';
  const ri = raw['data'].interactions as Raw;
  const items = raw['data'].items as Raw | undefined;
  const testStart = raw['split'].testStart as string;
  const check = checkTestStart(testStart);
  const attributes = (raw['queries']?.attributes as string[] | undefined)?.map((q): AttributeQuery => {
    const parsed = parseAttributeExpression(q);
    if (!parsed.ok) throw new Error(`normalizeSpec called on an invalid attribute query: ${q}`);
    return parsed.query;
  });
  return {
    version: 1,
    name: raw['name'],
    file: specFile,
    fileHash,
    target: {
      kind,
      region: raw['target']?.region ?? DEFAULTS.localRegion,
      ...(raw['target']?.profile !== undefined && { profile: raw['target'].profile }),
      ...(raw['target']?.endpoint !== undefined && kind === 'local' && { endpoint: String(raw['target'].endpoint).replace(/\/$/, '') }),
    },
    data: {
      interactions: {
        source: source(ri['source']),
        format: format(ri['format'], ri['source']),
        columns: { ...ri['columns'] },
        ...(ri['timestampFormat'] !== undefined && { timestampFormat: ri['timestampFormat'] }),
        ...(ri['where'] !== undefined && { where: ri['where'] }),
        dedupe: ri['dedupe'] ?? DEFAULTS.dedupe,
        minInteractionsPerUser: ri['minInteractionsPerUser'] ?? DEFAULTS.minInteractions,
        minInteractionsPerItem: ri['minInteractionsPerItem'] ?? DEFAULTS.minInteractions,
        onBadRows: ri['onBadRows'] ?? DEFAULTS.onBadRows,
        maxBadRows: ri['maxBadRows'] ?? DEFAULTS.maxBadRows,
      },
      ...(items !== undefined && {
        items: {
          source: source(items['source']),
          format: format(items['format'], items['source']),
          columns: { ITEM_ID: items['columns'].ITEM_ID },
          attributes: (items['attributes'] as Array<string | ItemAttribute>).map((a) => (typeof a === 'string' ? { name: a, column: a } : { name: a.name, column: a.column })),
          ...(items['where'] !== undefined && { where: items['where'] }),
          onBadRows: items['onBadRows'] ?? DEFAULTS.onBadRows,
          maxBadRows: items['maxBadRows'] ?? DEFAULTS.maxBadRows,
        },
      }),
    },
    split: {
      testStart,
      testStartEpoch: check.ok ? check.epochSeconds : NaN,
      warmUsersOnly: raw['split'].warmUsersOnly ?? DEFAULTS.warmUsersOnly,
      ...(typeof raw['split'].trainStart === 'string' && trainWindow(raw['split'].trainStart)),
    },
    queries: {
      ...(raw['queries']?.items !== undefined && {
        items: { sample: raw['queries'].items.sample, seed: raw['queries'].items.seed ?? DEFAULTS.itemSampleSeed },
      }),
      ...(attributes !== undefined && { attributes }),
    },
    storage: {
      bucket: raw['storage'].bucket,
      prefix: raw['storage'].prefix ?? `${raw['name']}/`,
      ...(raw['storage'].kmsKeyArn !== undefined && { kmsKeyArn: raw['storage'].kmsKeyArn }),
    },
    recipe: raw['recipe'] as Recipe,
    training: { ...(raw['training']?.hiddenDimension !== undefined && { hiddenDimension: raw['training'].hiddenDimension }) },
    segments: { numResults: { ...raw['segments'].numResults } as NumResults },
    budget: { maxUsd: raw['budget'].maxUsd, ...(raw['budget'].prices !== undefined && { prices: { ...raw['budget'].prices } }) },
    tags: { ...(raw['tags'] ?? {}) },
  };
}

function trainWindow(trainStart: string): { trainStart: string; trainStartEpoch: number } {
  const check = checkTestStart(trainStart);
  if (!check.ok) throw new Error(`normalizeSpec called on an invalid split.trainStart: ${trainStart}`);
  return { trainStart, trainStartEpoch: check.epochSeconds };
}

/** numResults for a number of training users: count, or the fraction rounded down, at least 1. */
export function resolveNumResults(numResults: NumResults, trainUsers: number): number {
  if ('count' in numResults) return numResults.count;
  // The epsilon keeps 0.29 * 100 at 29, not 28.999999999999996 -> 28.
  return Math.max(1, Math.floor(trainUsers * numResults.fractionOfUsers + 1e-9));
}
