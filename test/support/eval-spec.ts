/**
 * Specs for the tests of src/eval, the report and segments commands: a normalized Spec (test/support/spec.ts) with
 * its segmentations written out, an experiment (with split) or a production pipeline (without).
 */
import type { Recipe, Segmentation, Spec } from '../../src/spec/types.js';
import { testSpec } from './spec.js';

export function testSegmentation(o: Partial<Segmentation> = {}): Segmentation {
  return {
    name: 'demo',
    primary: true,
    recipe: 'aws-item-affinity',
    queries: { items: { kind: 'sample', sample: 10, seed: 1 } },
    segments: { numResults: { count: 5 } },
    training: {},
    ...o,
  };
}

export interface EvalSpecOptions {
  file: string;
  name?: string;
  recipe?: Recipe;
  /** No split: a production run. */
  production?: boolean;
  /** Default: one primary segmentation named after the pipeline. */
  segmentations?: Segmentation[];
  data?: Spec['data'];
}

export function evalSpec(o: EvalSpecOptions): Spec {
  const name = o.name ?? 'demo';
  const { split, ...base } = testSpec({ file: o.file, name, ...(o.data ? { data: o.data } : {}) });
  const segmentations = o.segmentations ?? [testSegmentation({ name, ...(o.recipe ? { recipe: o.recipe } : {}) })];
  return { ...base, ...(o.production || !split ? {} : { split }), segmentations };
}
