import { detectFormat } from '../../src/spec/source-format.js';
import { parseFilterExpression } from '../../src/spec/filter-expression.js';
import type { AttributeType, DataFormat, InteractionsSource, Spec } from '../../src/spec/types.js';

export interface TestSpecOptions extends Partial<Omit<Spec, 'data'>> {
  data?: Spec['data'];
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
  const { source = '/nonexistent/data.csv', interactions, testStart = '2020-01-01T00:00:00Z', data, ...rest } = o;
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
    queries: { items: { sample: 10, seed: 1 } },
    storage: { bucket: 'demo-bucket', prefix: 'demo/' },
    recipe: 'aws-item-affinity',
    training: {},
    segments: { numResults: { count: 5 } },
    budget: { maxUsd: 100 },
    tags: {},
    ...rest,
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
    segments: { numResults: { count: 5 }, ...(parsed ? { filter: { expression: filter!, clauses: parsed.clauses } } : {}) },
  };
}
