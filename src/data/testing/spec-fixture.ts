import { detectFormat } from '../../spec/source-format.js';
import type { AttributeType, DataFormat, InteractionsSource, Spec } from '../../spec/types.js';

/** A normalized Spec for tests (what loadSpec would produce), with overrides. */
export function testSpec(
  source: string | string[],
  over: { interactions?: Partial<InteractionsSource>; spec?: Partial<Spec>; testStart?: string } = {},
): Spec {
  const testStart = over.testStart ?? '2020-01-01T00:00:00Z';
  return {
    version: 1,
    name: 'test-pipeline',
    file: '/nonexistent/pipeline.yaml',
    fileHash: 'x',
    target: { kind: 'local', region: 'us-east-1' },
    data: {
      interactions: {
        source: Array.isArray(source) ? source : [source],
        format: detectFormat(Array.isArray(source) ? source[0]! : source) ?? 'jsonl',
        columns: { USER_ID: 'user', ITEM_ID: 'item', TIMESTAMP: 'ts' },
        dedupe: true,
        minInteractionsPerUser: 1,
        minInteractionsPerItem: 1,
        onBadRows: 'fail',
        maxBadRows: 1000,
        ...over.interactions,
      },
    },
    split: { testStart, testStartEpoch: Date.parse(testStart) / 1000, warmUsersOnly: true },
    queries: { items: { sample: 500, seed: 10 } },
    storage: { bucket: 'b', prefix: 'p/' },
    recipe: 'aws-item-affinity',
    training: {},
    segments: { numResults: { fractionOfUsers: 0.01 } },
    budget: { maxUsd: 10 },
    tags: {},
    ...over.spec,
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
