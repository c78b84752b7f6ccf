import { detectFormat } from '../../src/spec/source-format.js';
import { parseFilterExpression } from '../../src/spec/filter-expression.js';
import type { AttributeType, DataFormat, InteractionsSource, Queries, Recipe, Segmentation, Spec } from '../../src/spec/types.js';

/** The top-level segmentation keys, as a file without `segmentations` has them (queries.items may be the old { sample, seed }). */
export interface LegacySegmentation {
  recipe?: Recipe;
  queries?: Omit<Queries, 'items'> & { items?: Queries['items'] | { sample: number; seed: number } };
  segments?: Segmentation['segments'];
  training?: Segmentation['training'];
}

export interface TestSpecOptions extends Partial<Omit<Spec, 'data' | 'segmentations'>>, LegacySegmentation {
  data?: Spec['data'];
  segmentations?: Segmentation[];
  /** data.interactions.source (default /nonexistent/data.csv): one location or several; the format follows the first's extension. */
  source?: string | string[];
  /** Merged into data.interactions. */
  interactions?: Partial<InteractionsSource>;
  /** split.testStart (and its epoch). */
  testStart?: string;
}

/**
 * The one builder of normalized Specs for tests: what loadSpec would produce for a small item-affinity
 * pipeline named `demo`, with any part overridden.
 */
export function testSpec(o: TestSpecOptions = {}): Spec {
  const {
    source = '/nonexistent/data.csv',
    interactions,
    testStart = '2020-01-01T00:00:00Z',
    data,
    recipe,
    queries,
    segments,
    training,
    segmentations,
    ...rest
  } = o;
  const sources = Array.isArray(source) ? source : [source];
  return {
    version: 1,
    name: 'demo',
    file: '/nonexistent/demo.yaml',
    fileHash: 'f'.repeat(64),
    target: { kind: 'local', region: 'us-east-1' },
    data: data ?? {
      interactions: {
        source: sources,
        format: detectFormat(sources[0]!) ?? 'jsonl',
        columns: { USER_ID: 'user', ITEM_ID: 'item', TIMESTAMP: 'ts' },
        dedupe: true,
        minInteractionsPerUser: 1,
        minInteractionsPerItem: 1,
        onBadRows: 'fail',
        maxBadRows: 1000,
        ...interactions,
      },
    },
    split: { testStart, testStartEpoch: Date.parse(testStart) / 1000, warmUsersOnly: true },
    segmentations: segmentations ?? [primarySegmentation(o.name ?? 'demo', { recipe, queries, segments, training })],
    storage: { bucket: 'demo-bucket', prefix: 'demo/' },
    budget: { maxUsd: 100 },
    tags: {},
    ...rest,
  };
}

/** The segmentation a file's top-level keys describe, with the builder's defaults (10 sampled items, 5 users). */
export function primarySegmentation(name: string, o: LegacySegmentation = {}): Segmentation {
  const items = o.queries?.items;
  const sample = items && !('kind' in items) ? { kind: 'sample' as const, ...items } : items;
  const queries: Queries = o.queries ? ({ ...o.queries, ...(sample ? { items: sample } : {}) } as Queries) : { items: { kind: 'sample', sample: 10, seed: 1 } };
  return {
    name,
    primary: true,
    recipe: o.recipe ?? 'aws-item-affinity',
    queries,
    segments: o.segments ?? { numResults: { count: 5 } },
    training: o.training ?? {},
  };
}

/** The spec with its (only) segmentation changed: what editing the top-level keys of a file does. */
export function withSegmentation(spec: Spec, change: LegacySegmentation): Spec {
  const seg = spec.segmentations[0]!;
  return {
    ...spec,
    segmentations: [primarySegmentation(spec.name, { recipe: seg.recipe, queries: seg.queries, segments: seg.segments, training: seg.training, ...change })],
  };
}

/** A data.items or data.users block for tests; attributes as [name, column, type (default categorical)]. */
export function testMetadata<C extends { ITEM_ID: string } | { USER_ID: string }>(
  source: string,
  format: DataFormat,
  columns: C,
  attributes: Array<[string, string, AttributeType?]>,
) {
  return {
    source: [source],
    format,
    columns,
    attributes: attributes.map(([name, column, type = 'categorical']) => ({ name, column, type })),
    onBadRows: 'fail' as const,
    maxBadRows: 0,
  };
}

/**
 * `base` with a Users dataset of COUNTRY (the fake's users.csv: u1 COUNTRY=a, u2 COUNTRY=b), 5 users per segment,
 * and, unless null, that segment filter.
 */
export function withUsersAndFilter(base: Spec, filter: string | null): Spec {
  const parsed = filter === null ? undefined : parseFilterExpression(filter);
  if (parsed && !parsed.ok) throw new Error(parsed.error);
  return {
    ...base,
    data: { ...base.data, users: testMetadata('/nonexistent/users.csv', 'csv', { USER_ID: 'user' }, [['COUNTRY', 'country']]) },
    segmentations: withSegmentation(base, {
      segments: { numResults: { count: 5 }, ...(parsed ? { filter: { expression: filter!, clauses: parsed.clauses } } : {}) },
    }).segmentations,
  };
}
